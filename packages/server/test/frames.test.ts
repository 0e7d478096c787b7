/**
 * protocol.md §3, §4, §7: client frames, requestId rules, ack/error/pong, channel-name rules,
 * actions and channel authorization, malformed input. No error closes the socket.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, peer, rid, startServer, type TestServer, uniq } from "./helpers.js";

let ts: TestServer;
let c: Client;
beforeAll(async () => {
  // A roomy rate bucket: this file sends many frames on one connection; limits.test.ts covers 4011.
  ts = await startServer({ rateFramesPerSec: 1000, rateBurst: 1000 });
  c = await ts.connectJwt({ sub: peer("frames"), channels: ["**"] });
});
afterAll(async () => {
  await ts?.stop();
});

const errorFrame = (code: string, requestId?: string) =>
  requestId === undefined
    ? { type: "error", code, message: expect.any(String) }
    : { type: "error", code, message: expect.any(String), requestId };

describe("requestId, ack and error", () => {
  it("subscribe with requestId → ack with it, then the presence snapshot", async () => {
    const channel = uniq("ch");
    const requestId = rid();
    c.send({ type: "subscribe", channel, requestId });
    expect(await c.next()).toEqual({ type: "ack", requestId });
    expect(await c.next()).toEqual({ type: "presence", channel, joined: [], left: [] });
    await c.quiet();
  });

  it("without requestId no ack is sent (the snapshot still is)", async () => {
    const channel = uniq("ch");
    c.send({ type: "subscribe", channel });
    expect(await c.next()).toEqual({ type: "presence", channel, joined: [], left: [] });
    c.send({ type: "publish", channel: uniq("ch"), data: 1 });
    c.send({ type: "unsubscribe", channel });
    await c.quiet();
  });

  it("errors without requestId carry none; errors for a frame with a requestId carry it", async () => {
    c.send({ type: "publish", channel: "x" });
    expect(await c.next()).toEqual(errorFrame("missing_data"));
    const requestId = rid();
    c.send({ type: "publish", channel: "x", requestId });
    expect(await c.next()).toEqual(errorFrame("missing_data", requestId));
  });

  it("requestId of exactly 128 bytes is echoed", async () => {
    const requestId = "r".repeat(128);
    c.send({ type: "unsubscribe", channel: "x", requestId });
    expect(await c.next()).toEqual({ type: "ack", requestId });
  });

  it("requestId of 128 bytes made of multi-byte characters is echoed", async () => {
    const requestId = `${"€".repeat(42)}ab`; // 126 + 2 = 128 bytes
    expect(Buffer.byteLength(requestId)).toBe(128);
    c.send({ type: "unsubscribe", channel: "x", requestId });
    expect(await c.next()).toEqual({ type: "ack", requestId });
  });

  it.each([
    ["a number", 42],
    ["null", null],
    ["an object", { id: 1 }],
    ["an array", ["a"]],
    ["a boolean", true],
    ["129 bytes", "r".repeat(129)],
    ["129 UTF-8 bytes in 43 characters", "€".repeat(43)],
  ])("requestId that is %s → malformed_message without requestId", async (_name, requestId) => {
    c.send({ type: "unsubscribe", channel: "x", requestId });
    expect(await c.next()).toEqual(errorFrame("malformed_message"));
    c.send({ type: "ping", requestId });
    expect(await c.next(), "also on ping").toEqual(errorFrame("malformed_message"));
    await c.quiet();
  });

  it("acks come back in request order", async () => {
    const ids = Array.from({ length: 20 }, () => rid());
    for (const requestId of ids) c.send({ type: "unsubscribe", channel: "x", requestId });
    for (const requestId of ids) expect(await c.next()).toEqual({ type: "ack", requestId });
  });
});

describe("ping", () => {
  it("ping → pong without requestId", async () => {
    c.send({ type: "ping" });
    expect(await c.next()).toEqual({ type: "pong" });
  });
  it("ping with requestId → pong with it, and no ack", async () => {
    const requestId = rid();
    c.send({ type: "ping", requestId });
    expect(await c.next()).toEqual({ type: "pong", requestId });
    await c.quiet();
  });
});

describe("subscribe / unsubscribe", () => {
  it("subscribing twice acks again with no second snapshot", async () => {
    const channel = uniq("twice");
    await c.subscribe(channel);
    await c.ok({ type: "subscribe", channel });
    await c.ok({ type: "subscribe", channel, includeSenderMetadata: true });
    await c.quiet();
  });

  it("unsubscribing a channel never subscribed is acked", async () => {
    await c.ok({ type: "unsubscribe", channel: uniq("never") });
    await c.quiet();
  });

  it("after unsubscribe no more messages arrive; subscribing again sends a fresh snapshot", async () => {
    const channel = uniq("unsub");
    const sub = await ts.connectPk();
    const pub = await ts.connectPk();
    await sub.subscribe(channel);
    await pub.publish(channel, "one");
    expect(await sub.next()).toMatchObject({ type: "message", channel, data: "one" });
    await sub.ok({ type: "unsubscribe", channel });
    await pub.publish(channel, "two");
    await sub.quiet();
    const snapshot = await sub.subscribe(channel);
    expect(snapshot).toEqual({ type: "presence", channel, joined: [], left: [] });
    await pub.publish(channel, "three");
    expect(await sub.next()).toMatchObject({ type: "message", channel, data: "three" });
  });
});

describe("channel names", () => {
  it.each([
    ["plain", "room-42"],
    ["with spaces and punctuation", "a b:c.d#e?f&g"],
    ["slashes", "app_x/team/7"],
    ["256 ASCII bytes", "c".repeat(256)],
    ["256 UTF-8 bytes", "é".repeat(128)],
    ["emoji", "chat-😀"],
    ["a C1 character (only C0 and DEL are control here)", "a\u0085b"],
    ["a reserved word without the slash", "_metered"],
    ["a reserved prefix not at the start", "x/_internal/y"],
  ])("%s is valid for subscribe and publish", async (_name, channel) => {
    await c.subscribe(channel);
    await c.publish(channel, "hi");
    await c.ok({ type: "unsubscribe", channel });
  });

  it.each([
    ["empty", ""],
    ["257 ASCII bytes", "c".repeat(257)],
    ["257 UTF-8 bytes in 129 characters", `${"é".repeat(128)}a`],
    ["NUL", "a\u0000b"],
    ["newline", "a\nb"],
    ["unit separator U+001F", "a\u001fb"],
    ["DEL U+007F", "a\u007fb"],
    ["tab", "\troom"],
  ])("%s → invalid_channel on subscribe and publish", async (_name, channel) => {
    await c.fails({ type: "subscribe", channel }, "invalid_channel");
    await c.fails({ type: "publish", channel, data: 1 }, "invalid_channel");
    await c.quiet();
  });

  it.each(["_metered/x", "_internal/y", "_system/z", "_internal/", "_system/a/b"])(
    "reserved %s → channel_reserved on subscribe and publish",
    async (channel) => {
      await c.fails({ type: "subscribe", channel }, "channel_reserved");
      await c.fails({ type: "publish", channel, data: 1 }, "channel_reserved");
      await c.quiet();
    },
  );

  it("names are case-sensitive", async () => {
    const lower = uniq("case");
    const upper = lower.toUpperCase();
    const sub = await ts.connectPk();
    const pub = await ts.connectPk();
    await sub.subscribe(lower);
    await pub.publish(upper, "upper");
    await pub.publish(lower, "lower");
    expect(await sub.next()).toMatchObject({ type: "message", channel: lower, data: "lower" });
    await sub.quiet();
  });
});

describe("authorization and actions", () => {
  let scoped: Client;
  beforeAll(async () => {
    scoped = await ts.connectJwt({ sub: peer("scoped"), channels: ["room-*", "team/**"] });
  });

  it("inside the patterns: allowed", async () => {
    await scoped.subscribe("room-1");
    await scoped.publish("team/a/b", 1);
  });

  it.each(["admin", "room/1", "room-1/x", "team", "Room-1"])(
    "%s outside the patterns → channel_not_authorized, socket stays open",
    async (channel) => {
      await scoped.fails({ type: "subscribe", channel }, "channel_not_authorized");
      await scoped.fails({ type: "publish", channel, data: 1 }, "channel_not_authorized");
      await scoped.quiet();
    },
  );

  it("publishable key patterns bound subscribe and publish", async () => {
    const pk = await ts.createPk({ channelPatterns: ["lobby"] });
    const p = await ts.connectPk(pk);
    await p.subscribe("lobby");
    await p.fails({ type: "subscribe", channel: "other" }, "channel_not_authorized");
    await p.fails({ type: "publish", channel: "other", data: 1 }, "channel_not_authorized");
    await p.quiet();
  });

  it("without subscribe → action_not_permitted on subscribe (wildcard too)", async () => {
    const p = await ts.connectJwt({ permissions: ["publish", "presence", "send"] });
    await p.fails({ type: "subscribe", channel: "x" }, "action_not_permitted");
    await p.fails({ type: "subscribe", channel: "x-*" }, "action_not_permitted");
    await p.ok({ type: "unsubscribe", channel: "x" });
    await p.publish("x", 1);
  });

  it("without publish → action_not_permitted on publish", async () => {
    const p = await ts.connectJwt({ permissions: ["subscribe"] });
    await p.fails({ type: "publish", channel: "x", data: 1 }, "action_not_permitted");
    await p.quiet();
  });

  it("without send → action_not_permitted on send (publishable keys lack send by default)", async () => {
    const target = await ts.connectJwt({ sub: peer("target") });
    const p = await ts.connectJwt({ permissions: ["subscribe", "publish", "presence"] });
    await p.fails({ type: "send", to: target.welcome?.peerId, data: 1 }, "action_not_permitted");
    const byPk = await ts.connectPk();
    await byPk.fails({ type: "send", to: target.welcome?.peerId, data: 1 }, "action_not_permitted");
    await target.quiet();
  });

  it("a publishable key with send can send", async () => {
    const pk = await ts.createPk({ actions: ["send"] });
    const p = await ts.connectPk(pk);
    const target = await ts.connectJwt({ sub: peer("target") });
    await p.ok({ type: "send", to: target.welcome?.peerId, data: "hi" });
    expect(await target.next()).toEqual({ type: "direct", from: p.welcome?.peerId, data: "hi" });
    await p.fails({ type: "subscribe", channel: "x" }, "action_not_permitted");
  });
});

describe("malformed input (socket stays open)", () => {
  it.each([
    ["not JSON", "hello"],
    ["truncated JSON", '{"type":"ping"'],
    ["a JSON string", '"ping"'],
    ["a JSON number", "42"],
    ["JSON null", "null"],
    ["a JSON array", '[{"type":"ping"}]'],
    ["an object without type", '{"channel":"x"}'],
    ["type a number", '{"type":1}'],
    ["type null", '{"type":null}'],
    ["type an object", '{"type":{"x":1}}'],
    ["empty text", ""],
  ])("%s → malformed_message", async (_name, raw) => {
    c.sendRaw(raw);
    expect(await c.next()).toEqual(errorFrame("malformed_message"));
    await c.quiet();
  });

  it.each([
    "nope",
    "SUBSCRIBE",
    "Ping",
    "welcome",
    "ack",
    "message",
    "__proto__",
    "constructor",
    "toString",
    "",
  ])("unknown type %j → unknown_type (with the requestId)", async (type) => {
    await c.fails({ type }, "unknown_type");
    c.send({ type });
    expect(await c.next()).toEqual(errorFrame("unknown_type"));
  });

  it.each([
    ["subscribe without channel", { type: "subscribe" }],
    ["subscribe with channel a number", { type: "subscribe", channel: 5 }],
    ["subscribe with channel null", { type: "subscribe", channel: null }],
    ["subscribe with channel an array", { type: "subscribe", channel: ["a"] }],
    [
      "subscribe with includeSenderMetadata a string",
      { type: "subscribe", channel: "x", includeSenderMetadata: "yes" },
    ],
    ["unsubscribe without channel", { type: "unsubscribe" }],
    ["unsubscribe with channel an object", { type: "unsubscribe", channel: { a: 1 } }],
    ["publish without channel", { type: "publish", data: 1 }],
    ["publish with channel a number", { type: "publish", channel: 1, data: 1 }],
    ["send without to", { type: "send", data: 1 }],
    ["send with to a number", { type: "send", to: 7, data: 1 }],
    ["send with to null", { type: "send", to: null, data: 1 }],
  ])("%s → malformed_message (with the requestId)", async (_name, frame) => {
    await c.fails(frame, "malformed_message");
    await c.quiet();
  });

  it("a binary frame does not break the connection's later frames or the server", async () => {
    const b = await ts.connectPk();
    b.sendRaw(Buffer.from(JSON.stringify({ type: "ping", requestId: "bin" })), true);
    b.send({ type: "ping", requestId: "after" });
    // Text frames only: the binary frame may be refused with an error or a close, but must not crash.
    const first = await b.next().catch(() => undefined);
    if (first && b.isOpen) expect(["error", "pong"]).toContain(first.type);
    await c.quiet();
  });
});
