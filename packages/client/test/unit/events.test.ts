/**
 * sdk.md SignallingClient events: one context object each; `on` returns an unsubscribe function,
 * `once`, `off`. Inbound frames that fail to parse are dropped and logged, never thrown.
 */
import { describe, expect, it } from "vitest";
import {
  type Ctx,
  connected,
  flush,
  flushMicrotasks,
  makeClient,
  settle,
  useFakeClock,
} from "./fake-server.js";

useFakeClock();

type Handler = (ctx: Ctx) => void;
interface Emitter {
  on(name: string, h: Handler): () => void;
  once(name: string, h: Handler): unknown;
  off(name: string, h: Handler): unknown;
}
const emitter = (client: object) => client as unknown as Emitter;

describe("inbound frames become events", () => {
  it("message {channel, from, data}, without fromMetadata when the frame has none", async () => {
    const { server, events } = await connected();
    server.last.deliver({ type: "message", channel: "room", from: "bob", data: { x: [1, "two", null] } });
    await flushMicrotasks();
    const [m] = events.of("message");
    expect(m).toEqual({ channel: "room", from: "bob", data: { x: [1, "two", null] } });
    expect(m?.fromMetadata).toBeUndefined();
  });

  it("message with fromMetadata", async () => {
    const { server, events } = await connected();
    server.last.deliver({
      type: "message",
      channel: "room",
      from: "bob",
      data: 1,
      fromMetadata: { name: "Bob" },
    });
    await flushMicrotasks();
    expect(events.of("message")).toEqual([
      { channel: "room", from: "bob", data: 1, fromMetadata: { name: "Bob" } },
    ]);
  });

  it("message with data null is delivered (null is a value)", async () => {
    const { server, events } = await connected();
    server.last.deliver({ type: "message", channel: "room", from: "bob", data: null });
    await flushMicrotasks();
    expect(events.of("message")).toEqual([{ channel: "room", from: "bob", data: null }]);
  });

  it("direct {from, data, fromMetadata?}", async () => {
    const { server, events } = await connected();
    server.last.deliver({ type: "direct", from: "carol", data: "psst" });
    server.last.deliver({ type: "direct", from: "dave", data: [1], fromMetadata: { role: "admin" } });
    await flushMicrotasks();
    expect(events.of("direct")).toEqual([
      { from: "carol", data: "psst" },
      { from: "dave", data: [1], fromMetadata: { role: "admin" } },
    ]);
  });

  it("presence {channel, joined, left}", async () => {
    const { server, events } = await connected();
    server.last.deliver({
      type: "presence",
      channel: "room",
      joined: [{ peerId: "bob", metadata: { name: "Bob" } }, { peerId: "eve" }],
      left: [{ peerId: "mallory" }],
    });
    await flushMicrotasks();
    expect(events.of("presence")).toEqual([
      {
        channel: "room",
        joined: [{ peerId: "bob", metadata: { name: "Bob" } }, { peerId: "eve" }],
        left: [{ peerId: "mallory" }],
      },
    ]);
  });

  it("coalesced presence passes through as is: a peer in both lists, and snapshot chunks in order", async () => {
    const { server, events } = await connected();
    const frames = [
      { type: "presence", channel: "room", joined: [{ peerId: "a" }], left: [] },
      { type: "presence", channel: "room", joined: [{ peerId: "b" }], left: [] },
      {
        type: "presence",
        channel: "room",
        joined: [{ peerId: "a", metadata: { v: 2 } }],
        left: [{ peerId: "a" }, { peerId: "b" }],
      },
    ];
    for (const frame of frames) server.last.deliver(frame);
    await flushMicrotasks();
    expect(events.of("presence")).toEqual(frames.map(({ type: _, ...event }) => event));
  });

  it("going_away → going-away {retryAfterMs}", async () => {
    const { server, events } = await connected();
    server.last.deliver({ type: "going_away", retryAfterMs: 1234 });
    await flushMicrotasks();
    expect(events.of("going-away")).toEqual([{ retryAfterMs: 1234 }]);
  });

  it("an uncorrelated error → server-error {code, message}", async () => {
    const { server, events } = await connected();
    server.last.deliver({ type: "error", code: "over_message_quota", message: "quota" });
    await flushMicrotasks();
    expect(events.of("server-error")).toEqual([{ code: "over_message_quota", message: "quota" }]);
  });

  it("pong and stray acks emit nothing", async () => {
    const { client, server, events } = await connected();
    events.clear();
    server.last.deliver({ type: "pong" });
    server.last.deliver({ type: "ack", requestId: "nope" });
    await flushMicrotasks();
    expect(events.all).toEqual([]);
    expect(client.state).toBe("connected");
  });

  it("extra unknown fields on a known frame do not stop it (forward compatibility)", async () => {
    const { server, events } = await connected();
    server.last.deliver({ type: "message", channel: "room", from: "bob", data: 1, shinyNewField: true });
    await flushMicrotasks();
    expect(events.of("message")).toEqual([
      expect.objectContaining({ channel: "room", from: "bob", data: 1 }),
    ]);
  });
});

describe("frames that fail to parse are dropped and logged, never thrown", () => {
  const garbage: [string, unknown][] = [
    ["not JSON", "this is not json {"],
    ["a JSON array", "[1,2,3]"],
    ["JSON null", "null"],
    ["a JSON string", '"welcome"'],
    ["no type", '{"channel":"room"}'],
    ["a non-string type", '{"type":42}'],
    ["an unknown type", '{"type":"surprise","x":1}'],
    ["message without channel", '{"type":"message","from":"bob","data":1}'],
    ["message without data", '{"type":"message","channel":"room","from":"bob"}'],
    ["presence with a bad joined list", '{"type":"presence","channel":"room","joined":"bob","left":[]}'],
    ["ack without requestId", '{"type":"ack"}'],
    ["going_away without retryAfterMs", '{"type":"going_away"}'],
    ["error without code", '{"type":"error","message":"m"}'],
    ["a __proto__ payload", '{"type":"message","__proto__":{"channel":"x","from":"y","data":1}}'],
    ["binary data", new Uint8Array([123, 125]).buffer],
    ["a number as data", 42],
    ["an empty string", ""],
  ];

  it.each(garbage)("%s", async (_what, data) => {
    const { client, server, events, logger } = await connected();
    events.clear();
    const logged = logger.entries.length;
    expect(() => server.last.deliverRaw(data)).not.toThrow();
    await flush();
    expect(client.state).toBe("connected");
    expect(events.all).toEqual([]);
    expect(logger.entries.length).toBeGreaterThan(logged);
    // The connection goes on working.
    server.last.deliver({ type: "message", channel: "room", from: "bob", data: "after" });
    await flushMicrotasks();
    expect(events.of("message")).toEqual([{ channel: "room", from: "bob", data: "after" }]);
    expect(({} as Record<string, unknown>).channel).toBeUndefined();
  });

  it("a garbage frame before welcome does not break the handshake", async () => {
    const { client, server } = makeClient();
    server.behaviour = "open";
    const p = settle(client.connect());
    await flush();
    expect(() => server.last.deliverRaw("garbage")).not.toThrow();
    server.last.welcome();
    await flush();
    expect(p.status).toBe("resolved");
  });

  it("a welcome with missing fields is not a welcome", async () => {
    const { client, server } = makeClient();
    server.behaviour = "open";
    const p = settle(client.connect());
    await flush();
    server.last.deliverRaw('{"type":"welcome","peerId":"x"}');
    await flush();
    expect(p.status).toBe("pending");
    expect(client.state).toBe("connecting");
  });
});

describe("on / once / off", () => {
  it("on returns an unsubscribe function", async () => {
    const { client, server } = await connected();
    const seen: unknown[] = [];
    const unsubscribe = emitter(client).on("message", (c) => seen.push(c.data));
    expect(typeof unsubscribe).toBe("function");
    server.last.deliver({ type: "message", channel: "r", from: "b", data: 1 });
    await flushMicrotasks();
    unsubscribe();
    server.last.deliver({ type: "message", channel: "r", from: "b", data: 2 });
    await flushMicrotasks();
    expect(seen).toEqual([1]);
  });

  it("once fires a single time", async () => {
    const { client, server } = await connected();
    const seen: unknown[] = [];
    emitter(client).once("direct", (c) => seen.push(c.data));
    server.last.deliver({ type: "direct", from: "b", data: 1 });
    server.last.deliver({ type: "direct", from: "b", data: 2 });
    await flushMicrotasks();
    expect(seen).toEqual([1]);
  });

  it("a listener that throws neither breaks the client nor starves the other listeners", async () => {
    const { client, server } = await connected();
    const seen: unknown[] = [];
    emitter(client).on("message", () => {
      throw new Error("app bug");
    });
    emitter(client).on("message", (c) => seen.push(c.data));
    expect(() => server.last.deliver({ type: "message", channel: "r", from: "x", data: 1 })).not.toThrow();
    await flushMicrotasks();
    server.last.deliver({ type: "message", channel: "r", from: "x", data: 2 });
    await flushMicrotasks();
    expect(seen).toEqual([1, 2]);
    expect(client.state).toBe("connected");
  });

  it("off removes a handler; other handlers keep firing", async () => {
    const { client, server } = await connected();
    const a: unknown[] = [];
    const b: unknown[] = [];
    const ha: Handler = (c) => a.push(c.data);
    emitter(client).on("message", ha);
    emitter(client).on("message", (c) => b.push(c.data));
    server.last.deliver({ type: "message", channel: "r", from: "x", data: 1 });
    await flushMicrotasks();
    emitter(client).off("message", ha);
    server.last.deliver({ type: "message", channel: "r", from: "x", data: 2 });
    await flushMicrotasks();
    expect(a).toEqual([1]);
    expect(b).toEqual([1, 2]);
  });
});
