/**
 * protocol.md §3–§4: `publish` → `message` and `send` → `direct` as subscribers and targets see
 * them: who gets a copy, exact frame shapes, `data` of every JSON kind, `fromMetadata` rules.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asciiOfLength, type Frame, peer, rid, startServer, type TestServer, uniq } from "./helpers.js";

let ts: TestServer;
beforeAll(async () => {
  ts = await startServer({ rateFramesPerSec: 1000, rateBurst: 1000 });
});
afterAll(async () => {
  await ts?.stop();
});

const byType = (frames: Frame[]) => [...frames].sort((a, b) => a.type.localeCompare(b.type));

describe("publish", () => {
  it("reaches every subscriber but the publishing socket, including the publisher's other sockets", async () => {
    const channel = uniq("pub");
    const alice = peer("alice");
    const a1 = await ts.connectJwt({ sub: alice });
    const a2 = await ts.connectJwt({ sub: alice });
    const b = await ts.connectJwt({ sub: peer("bob") });
    const notSubscribed = await ts.connectJwt({ sub: peer("carol") });
    await a1.subscribe(channel);
    await a2.subscribe(channel);
    await b.subscribe(channel);
    // Presence of b joining reached a1 and a2 (alice's second socket is not an announcement).
    expect(await a1.next()).toMatchObject({ type: "presence", joined: [{ peerId: b.welcome?.peerId }] });
    expect(await a2.next()).toMatchObject({ type: "presence", joined: [{ peerId: b.welcome?.peerId }] });

    await a1.publish(channel, { text: "hello" });
    const expected = { type: "message", channel, from: alice, data: { text: "hello" } };
    expect(await a2.next()).toEqual(expected);
    expect(await b.next()).toEqual(expected);
    await a1.quiet();
    await notSubscribed.quiet();
  });

  it("publishing does not require being subscribed", async () => {
    const channel = uniq("pub");
    const sub = await ts.connectPk();
    const pub = await ts.connectPk();
    await sub.subscribe(channel);
    await pub.publish(channel, 1);
    expect(await sub.next()).toEqual({ type: "message", channel, from: pub.welcome?.peerId, data: 1 });
  });

  it.each([
    ["null", null],
    ["false", false],
    ["0", 0],
    ["empty string", ""],
    ["empty array", []],
    ["empty object", {}],
    ["negative float", -12.5],
    ["unicode", "héllo 😀 \u0000 \u2028"],
    ["nested", { a: [1, { b: [null, true, "x"] }], c: { d: { e: {} } } }],
  ])("data %s is delivered as sent", async (_name, data) => {
    const channel = uniq("data");
    const sub = await ts.connectPk();
    const pub = await ts.connectPk();
    await sub.subscribe(channel);
    await pub.publish(channel, data);
    expect(await sub.next()).toEqual({ type: "message", channel, from: pub.welcome?.peerId, data });
  });

  it("without data → missing_data; nothing is delivered", async () => {
    const channel = uniq("nodata");
    const sub = await ts.connectPk();
    const pub = await ts.connectPk();
    await sub.subscribe(channel);
    await pub.fails({ type: "publish", channel }, "missing_data");
    await sub.quiet();
  });
});

describe("send", () => {
  it("reaches every socket of the target peer, and nobody else", async () => {
    const bob = peer("bob");
    const sender = await ts.connectJwt({ sub: peer("alice") });
    const b1 = await ts.connectJwt({ sub: bob });
    const b2 = await ts.connectJwt({ sub: bob });
    const other = await ts.connectJwt({ sub: peer("carol") });
    await sender.ok({ type: "send", to: bob, data: { offer: "sdp" } });
    const expected = { type: "direct", from: sender.welcome?.peerId, data: { offer: "sdp" } };
    expect(await b1.next()).toEqual(expected);
    expect(await b2.next()).toEqual(expected);
    await other.quiet();
    await sender.quiet();
  });

  it("is not scoped by channels", async () => {
    const target = await ts.connectJwt({ sub: peer("target"), channels: ["only-here"] });
    const sender = await ts.connectJwt({ sub: peer("sender"), channels: ["elsewhere"] });
    await sender.ok({ type: "send", to: target.welcome?.peerId, data: 1 });
    expect(await target.next()).toMatchObject({ type: "direct", data: 1 });
  });

  it("reaches publishable-key peers by their UUID", async () => {
    const target = await ts.connectPk();
    const sender = await ts.connectJwt({ sub: peer("sender") });
    await sender.ok({ type: "send", to: target.welcome?.peerId, data: null });
    expect(await target.next()).toEqual({ type: "direct", from: sender.welcome?.peerId, data: null });
  });

  it("self-send is delivered to all own sockets, the sending one included", async () => {
    const me = peer("me");
    const s1 = await ts.connectJwt({ sub: me });
    const s2 = await ts.connectJwt({ sub: me });
    const requestId = rid();
    s1.send({ type: "send", to: me, data: "note to self", requestId });
    const direct = { type: "direct", from: me, data: "note to self" };
    expect(byType(await s1.take(2))).toEqual(byType([{ type: "ack", requestId }, direct]));
    expect(await s2.next()).toEqual(direct);
  });

  it("offline target → peer_not_found", async () => {
    const sender = await ts.connectJwt({ sub: peer("sender") });
    await sender.fails({ type: "send", to: peer("nobody"), data: 1 }, "peer_not_found");
    await sender.fails({ type: "send", to: asciiOfLength(128), data: 1 }, "peer_not_found");
  });

  it("a peer that disconnected is not found any more", async () => {
    const sender = await ts.connectJwt({ sub: peer("sender") });
    const gone = await ts.connectJwt({ sub: peer("gone") });
    await gone.close();
    // The server notices the close right after the client does; allow it that moment.
    let last: Frame | undefined;
    for (let i = 0; i < 20; i++) {
      last = await sender.request({ type: "send", to: gone.welcome?.peerId, data: 1 });
      if (last.type === "error") break;
    }
    expect(last).toMatchObject({ type: "error", code: "peer_not_found" });
  });

  it.each([
    ["129 bytes", asciiOfLength(129)],
    ["a control character", "bob\u0001"],
    ["a newline", "bob\n"],
    ["DEL", "bob\u007f"],
    ["non-ASCII", "zoë"],
  ])("to with %s → invalid_peer_id", async (_name, to) => {
    const sender = await ts.connectJwt({ sub: peer("sender") });
    await sender.fails({ type: "send", to, data: 1 }, "invalid_peer_id");
    await sender.quiet();
  });

  it("without data → missing_data; nothing is delivered", async () => {
    const target = await ts.connectJwt({ sub: peer("target") });
    const sender = await ts.connectJwt({ sub: peer("sender") });
    await sender.fails({ type: "send", to: target.welcome?.peerId }, "missing_data");
    await target.quiet();
  });
});

describe("fromMetadata", () => {
  it("on message: only for subscribers that asked, and only when the sender has peerMetadata", async () => {
    const channel = uniq("meta");
    const peerMetadata = { name: "Alice", avatar: "https://a.example/a.png" };
    const withMeta = await ts.connectJwt({ sub: peer("alice"), peerMetadata });
    const noMeta = await ts.connectJwt({ sub: peer("bob") });
    // Subscribers without the presence action, so only messages arrive.
    const quietPk = await ts.createPk({ actions: ["subscribe"] });
    const asked = await ts.connectPk(quietPk);
    const notAsked = await ts.connectPk(quietPk);
    const saidNo = await ts.connectPk(quietPk);
    await asked.subscribe(channel, { includeSenderMetadata: true, snapshot: false });
    await notAsked.subscribe(channel, { snapshot: false });
    await saidNo.subscribe(channel, { includeSenderMetadata: false, snapshot: false });

    await withMeta.publish(channel, "m1");
    expect(await asked.next()).toEqual({
      type: "message",
      channel,
      from: withMeta.welcome?.peerId,
      data: "m1",
      fromMetadata: peerMetadata,
    });
    expect(await notAsked.next()).toEqual({
      type: "message",
      channel,
      from: withMeta.welcome?.peerId,
      data: "m1",
    });
    expect(await saidNo.next()).toEqual({
      type: "message",
      channel,
      from: withMeta.welcome?.peerId,
      data: "m1",
    });

    await noMeta.publish(channel, "m2");
    expect(await asked.next()).toEqual({
      type: "message",
      channel,
      from: noMeta.welcome?.peerId,
      data: "m2",
    });
    await notAsked.next();
    await saidNo.next();
  });

  it("subscribing again updates includeSenderMetadata", async () => {
    const channel = uniq("meta");
    const peerMetadata = { name: "Alice" };
    const sender = await ts.connectJwt({ sub: peer("alice"), peerMetadata });
    const sub = await ts.connectPk();
    await sub.subscribe(channel);
    await sender.publish(channel, 1);
    expect(await sub.next()).not.toHaveProperty("fromMetadata");
    await sub.ok({ type: "subscribe", channel, includeSenderMetadata: true });
    await sender.publish(channel, 2);
    expect(await sub.next()).toMatchObject({ data: 2, fromMetadata: peerMetadata });
    await sub.ok({ type: "subscribe", channel, includeSenderMetadata: false });
    await sender.publish(channel, 3);
    const third = await sub.next();
    expect(third).toMatchObject({ data: 3 });
    expect(third).not.toHaveProperty("fromMetadata");
  });

  it("on direct: always when the sender has peerMetadata, never otherwise", async () => {
    const peerMetadata = { role: "host" };
    const target = await ts.connectJwt({ sub: peer("target") });
    const withMeta = await ts.connectJwt({ sub: peer("alice"), peerMetadata });
    const noMeta = await ts.connectJwt({ sub: peer("bob") });
    await withMeta.ok({ type: "send", to: target.welcome?.peerId, data: "a" });
    expect(await target.next()).toEqual({
      type: "direct",
      from: withMeta.welcome?.peerId,
      data: "a",
      fromMetadata: peerMetadata,
    });
    await noMeta.ok({ type: "send", to: target.welcome?.peerId, data: "b" });
    expect(await target.next()).toEqual({ type: "direct", from: noMeta.welcome?.peerId, data: "b" });
  });
});
