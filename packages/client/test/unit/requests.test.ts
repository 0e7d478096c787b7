/**
 * sdk.md SignallingClient requests: `subscribe`, `unsubscribe`, `publish`, `send` — `requestId`
 * correlation with `ack`/`error`, AckTimeoutError, DisconnectedError, the client-side checks
 * (OversizedError, SendError), and requests made while reconnecting waiting for the connection.
 */
import { describe, expect, it } from "vitest";
import {
  AckTimeoutError,
  DisconnectedError,
  OversizedError,
  SendError,
  ServerRequestError,
} from "../../src/index.js";
import {
  advance,
  connected,
  dropConnected,
  flush,
  flushMicrotasks,
  makeClient,
  nextSocket,
  type SentFrame,
  settle,
  stubRandom,
  useFakeClock,
} from "./fake-server.js";

useFakeClock();

const utf8 = (s: string) => new TextEncoder().encode(s).length;

describe("frames and ack correlation", () => {
  it("subscribe sends {type, channel, requestId} and resolves on its ack", async () => {
    const { client, server } = await connected();
    server.autoAck = false;
    const p = settle(client.subscribe("room-1"));
    await flushMicrotasks();
    const f = server.last.lastFrame("subscribe");
    expect(f).toMatchObject({ type: "subscribe", channel: "room-1", requestId: expect.any(String) });
    expect(f.includeSenderMetadata ?? false).toBe(false);
    await advance(5_000);
    expect(p.status).toBe("pending");
    server.last.deliver({ type: "ack", requestId: f.requestId });
    await flushMicrotasks();
    expect(p.status).toBe("resolved");
  });

  it("subscribe passes includeSenderMetadata", async () => {
    const { client, server } = await connected();
    await client.subscribe("room-1", { includeSenderMetadata: true });
    expect(server.last.lastFrame("subscribe")).toMatchObject({
      channel: "room-1",
      includeSenderMetadata: true,
    });
  });

  it("unsubscribe, publish and send frames", async () => {
    const { client, server } = await connected();
    await client.subscribe("room-1");
    await client.unsubscribe("room-1");
    await client.publish("room-1", { hello: ["world", 1, null] });
    await client.send("bob", "hi");
    await client.publish("room-1", null);
    const frames = server.last.frames().filter((f) => f.type !== "ping");
    expect(frames.map(({ requestId: _r, ...rest }) => rest)).toEqual([
      { type: "subscribe", channel: "room-1" },
      { type: "unsubscribe", channel: "room-1" },
      { type: "publish", channel: "room-1", data: { hello: ["world", 1, null] } },
      { type: "send", to: "bob", data: "hi" },
      { type: "publish", channel: "room-1", data: null },
    ]);
  });

  it("requestIds are unique strings of at most 128 bytes", async () => {
    const { client, server } = await connected();
    await Promise.all(Array.from({ length: 50 }, (_, i) => client.publish("c", i)));
    const ids = server.last.frames("publish").map((f) => f.requestId);
    expect(ids).toHaveLength(50);
    for (const id of ids) {
      expect(typeof id).toBe("string");
      expect(utf8(id ?? "")).toBeLessThanOrEqual(128);
    }
    expect(new Set(ids).size).toBe(50);
  });

  it("acks resolve the matching request only, in any order", async () => {
    const { client, server } = await connected();
    server.autoAck = false;
    const a = settle(client.publish("c", "a"));
    const b = settle(client.publish("c", "b"));
    await flushMicrotasks();
    const [fa, fb] = server.last.frames("publish") as [SentFrame, SentFrame];
    server.last.deliver({ type: "ack", requestId: fb.requestId });
    await flushMicrotasks();
    expect(b.status).toBe("resolved");
    expect(a.status).toBe("pending");
    server.last.deliver({ type: "ack", requestId: fa.requestId });
    await flushMicrotasks();
    expect(a.status).toBe("resolved");
  });

  it("an ack for an unknown requestId is ignored", async () => {
    const { client, server, events } = await connected();
    server.autoAck = false;
    const p = settle(client.publish("c", 1));
    await flushMicrotasks();
    expect(() => server.last.deliver({ type: "ack", requestId: "nobody-asked" })).not.toThrow();
    await flushMicrotasks();
    expect(p.status).toBe("pending");
    expect(client.state).toBe("connected");
    expect(events.of("error")).toEqual([]);
  });
});

describe("error frames", () => {
  it("an error with the requestId rejects with ServerRequestError {code, requestId}", async () => {
    const { client, server, events } = await connected();
    server.answer = (f) =>
      f.type === "publish"
        ? [
            {
              type: "error",
              code: "channel_not_authorized",
              message: "SERVER-TEXT-1234",
              requestId: f.requestId,
            },
          ]
        : undefined;
    const p = settle(client.publish("secret", 1));
    await flush();
    expect(p.status).toBe("rejected");
    expect(p.error).toBeInstanceOf(ServerRequestError);
    const requestId = server.last.lastFrame("publish").requestId;
    expect(p.error).toMatchObject({ code: "channel_not_authorized", requestId });
    // e.message never interpolates server-supplied text.
    expect((p.error as Error).message).not.toContain("SERVER-TEXT-1234");
    expect(events.of("server-error")).toEqual([]);
    expect(client.state).toBe("connected");
  });

  it("an unknown (newer) error code is passed through as code, kept out of message", async () => {
    const { client, server } = await connected();
    server.answer = (f) =>
      f.type === "send"
        ? [{ type: "error", code: "brand_new_code_xyz", message: "m", requestId: f.requestId }]
        : undefined;
    const p = settle(client.send("bob", 1));
    await flush();
    expect(p.error).toBeInstanceOf(ServerRequestError);
    expect(p.error).toMatchObject({ code: "brand_new_code_xyz" });
    expect((p.error as Error).message).not.toContain("brand_new_code_xyz");
  });

  it("an error without requestId is a server-error event; pending requests are untouched", async () => {
    const { client, server, events } = await connected();
    server.autoAck = false;
    const p = settle(client.publish("c", 1));
    await flushMicrotasks();
    server.last.deliver({ type: "error", code: "malformed_message", message: "bad frame" });
    await flushMicrotasks();
    expect(events.of("server-error")).toEqual([{ code: "malformed_message", message: "bad frame" }]);
    expect(p.status).toBe("pending");
  });

  it("an error whose requestId matches no pending request is a server-error with that requestId", async () => {
    const { server, events } = await connected();
    server.last.deliver({ type: "error", code: "internal_error", message: "oops", requestId: "r-unknown" });
    await flushMicrotasks();
    expect(events.of("server-error")).toEqual([
      { code: "internal_error", message: "oops", requestId: "r-unknown" },
    ]);
  });
});

describe("ack timeout", () => {
  it("no ack or error within ackTimeoutMs (default 10000) → AckTimeoutError", async () => {
    const { client, server } = await connected();
    server.autoAck = false;
    const p = settle(client.publish("c", 1));
    await advance(9_999);
    expect(p.status).toBe("pending");
    await advance(1);
    expect(p.status).toBe("rejected");
    expect(p.error).toBeInstanceOf(AckTimeoutError);
    expect((p.error as Error).name).toBe("AckTimeoutError");
    expect(typeof (p.error as { code: unknown }).code).toBe("string");
    expect(client.state).toBe("connected");
  });

  it("honours a custom ackTimeoutMs, for every request kind", async () => {
    const { client, server } = await connected({ ackTimeoutMs: 2_000 });
    server.autoAck = false;
    const all = [
      settle(client.subscribe("a")),
      settle(client.unsubscribe("a")),
      settle(client.publish("a", 1)),
      settle(client.send("bob", 1)),
    ];
    await advance(1_999);
    expect(all.map((p) => p.status)).toEqual(["pending", "pending", "pending", "pending"]);
    await advance(1);
    for (const p of all) expect(p.error).toBeInstanceOf(AckTimeoutError);
  });

  it("a late ack after the timeout is ignored; a late error is reported as server-error", async () => {
    const { client, server, events } = await connected({ ackTimeoutMs: 1_000 });
    server.autoAck = false;
    const a = settle(client.publish("c", 1));
    const b = settle(client.publish("c", 2));
    await advance(1_000);
    expect(a.error).toBeInstanceOf(AckTimeoutError);
    const [fa, fb] = server.last.frames("publish") as [SentFrame, SentFrame];
    expect(() => server.last.deliver({ type: "ack", requestId: fa.requestId })).not.toThrow();
    server.last.deliver({ type: "error", code: "backend_error", message: "late", requestId: fb.requestId });
    await flushMicrotasks();
    expect(b.error).toBeInstanceOf(AckTimeoutError);
    expect(events.of("server-error")).toEqual([
      { code: "backend_error", message: "late", requestId: fb.requestId },
    ]);
    expect(client.state).toBe("connected");
  });
});

describe("the socket drops before the answer", () => {
  it("rejects in-flight requests with DisconnectedError at once, and does not resend them", async () => {
    const { client, server } = await connected();
    server.autoAck = false;
    const p = settle(client.publish("c", "in-flight"));
    const q = settle(client.send("bob", "in-flight"));
    await flushMicrotasks();
    expect(server.last.frames("publish")).toHaveLength(1);
    server.autoAck = true;
    await dropConnected(server);
    expect(p.status).toBe("rejected");
    expect(p.error).toBeInstanceOf(DisconnectedError);
    expect(q.error).toBeInstanceOf(DisconnectedError);
    const { socket } = await nextSocket(server, Date.now());
    await flush();
    expect(socket.frames("publish")).toEqual([]);
    expect(socket.frames("send")).toEqual([]);
  });

  it("the same on a server close with a code", async () => {
    const { client, server } = await connected();
    server.autoAck = false;
    const p = settle(client.subscribe("c"));
    await flushMicrotasks();
    await dropConnected(server, 4002);
    expect(p.error).toBeInstanceOf(DisconnectedError);
  });
});

describe("client-side checks (nothing is sent)", () => {
  it.each([
    ["publish", (c: Client) => c.publish("c", undefined as never)],
    ["send", (c: Client) => c.send("bob", undefined as never)],
  ])("%s with data undefined → SendError invalid_args", async (_name, call) => {
    const { client, server } = await connected();
    const before = server.last.sent.length;
    const p = settle(() => call(client));
    await flushMicrotasks();
    expect(p.error).toBeInstanceOf(SendError);
    expect(p.error).toMatchObject({ code: "invalid_args" });
    expect(server.last.sent.length).toBe(before);
  });

  it.each(["_metered/x", "_internal/x", "_system/x"])(
    "publish to reserved %s → SendError reserved_channel",
    async (ch) => {
      const { client, server } = await connected();
      const before = server.last.sent.length;
      const p = settle(() => client.publish(ch, 1));
      await flushMicrotasks();
      expect(p.error).toBeInstanceOf(SendError);
      expect(p.error).toMatchObject({ code: "reserved_channel" });
      expect(server.last.sent.length).toBe(before);
    },
  );

  it("subscribe to a reserved channel → SendError reserved_channel", async () => {
    const { client, server } = await connected();
    const before = server.last.sent.length;
    const p = settle(() => client.subscribe("_system/status"));
    await flushMicrotasks();
    expect(p.error).toBeInstanceOf(SendError);
    expect(p.error).toMatchObject({ code: "reserved_channel" });
    expect(server.last.sent.length).toBe(before);
  });

  it("names that merely resemble a reserved prefix are fine", async () => {
    const { client, server } = await connected();
    await client.publish("_metered", 1);
    await client.publish("metered/x", 1);
    await client.publish("_Metered/x", 1);
    expect(server.last.frames("publish")).toHaveLength(3);
  });

  it("check failures reject the returned promise; they never throw synchronously", async () => {
    const { client } = await connected();
    const calls = [
      () => client.publish("c", undefined as never),
      () => client.send("bob", undefined as never),
      () => client.publish("_internal/x", 1),
      () => client.publish("c", "x".repeat(70_000)),
    ];
    for (const call of calls) {
      let p: Promise<unknown> | undefined;
      expect(() => {
        p = call();
      }).not.toThrow();
      await expect(p).rejects.toBeInstanceOf(Error);
    }
  });

  it("a frame over maxMessageSize (from welcome) → OversizedError {size, cap}", async () => {
    const { client, server } = makeClient();
    server.welcomeDefaults = { maxMessageSize: 1_000 };
    await client.connect();
    const before = server.last.sent.length;
    const p = settle(() => client.publish("c", "x".repeat(1_200)));
    await flushMicrotasks();
    expect(p.error).toBeInstanceOf(OversizedError);
    const e = p.error as OversizedError;
    expect(e.cap).toBe(1_000);
    expect(e.size).toBeGreaterThan(1_200);
    expect(e.size).toBeLessThan(1_200 + 200);
    expect(server.last.sent.length).toBe(before);
  });

  it("size is counted in UTF-8 bytes, not UTF-16 units", async () => {
    const { client, server } = makeClient();
    server.welcomeDefaults = { maxMessageSize: 1_000 };
    await client.connect();
    const data = "€".repeat(400); // 400 UTF-16 units, 1200 UTF-8 bytes
    const p = settle(() => client.send("bob", data));
    await flushMicrotasks();
    expect(p.error).toBeInstanceOf(OversizedError);
    expect((p.error as OversizedError).size).toBeGreaterThan(1_200);
  });

  it("a frame under the cap goes through", async () => {
    const { client, server } = makeClient();
    server.welcomeDefaults = { maxMessageSize: 1_000 };
    await client.connect();
    await client.publish("c", "x".repeat(800));
    expect(server.last.frames("publish")).toHaveLength(1);
  });

  it("the default cap is the welcome's 65536", async () => {
    const { client } = await connected();
    const p = settle(() => client.publish("c", "x".repeat(70_000)));
    await flushMicrotasks();
    expect(p.error).toBeInstanceOf(OversizedError);
    expect((p.error as OversizedError).cap).toBe(65_536);
  });
});

describe("requests made while not connected wait for the connection", () => {
  it("while reconnecting: sent after the welcome and after the resubscribes, then acked", async () => {
    stubRandom(0.5);
    const { client, server } = await connected();
    await client.subscribe("room-1");
    await dropConnected(server);
    expect(client.state).toBe("reconnecting");
    const p = settle(client.publish("room-1", "queued"));
    const q = settle(client.send("bob", "queued"));
    await advance(100);
    expect(p.status).toBe("pending");
    const { socket } = await nextSocket(server, Date.now());
    await flush();
    const types = socket.frames().map((f) => f.type);
    expect(types.filter((t) => t !== "ping")).toEqual(["subscribe", "publish", "send"]);
    expect(socket.lastFrame("publish")).toMatchObject({ channel: "room-1", data: "queued" });
    expect(p.status).toBe("resolved");
    expect(q.status).toBe("resolved");
  });

  it("keeps the order in which requests were made", async () => {
    const { client, server } = await connected({ autoResubscribe: false });
    await dropConnected(server);
    const ps = [0, 1, 2, 3, 4].map((i) => settle(client.publish("c", i)));
    await nextSocket(server, Date.now());
    await flush();
    expect(server.last.frames("publish").map((f) => f.data)).toEqual([0, 1, 2, 3, 4]);
    for (const p of ps) expect(p.status).toBe("resolved");
  });

  it("times out at ackTimeoutMs when no connection comes", async () => {
    const { client, server } = await connected();
    server.behaviour = "fail";
    await dropConnected(server);
    const p = settle(client.publish("c", 1));
    await advance(9_999);
    expect(p.status).toBe("pending");
    await advance(1);
    expect(p.error).toBeInstanceOf(AckTimeoutError);
    // Not sent later either, when a connection does come.
    server.behaviour = "welcome";
    await advance(60_000);
    expect(client.state).toBe("connected");
    expect(server.last.frames("publish")).toEqual([]);
  });

  it("the wait and the ack share one ackTimeoutMs budget", async () => {
    stubRandom(0.5);
    const { client, server } = await connected({ ackTimeoutMs: 2_000 });
    await dropConnected(server);
    const p = settle(client.publish("c", 1));
    server.autoAck = false;
    await nextSocket(server, Date.now()); // reconnects after 500 ms
    await flush();
    expect(server.last.frames("publish")).toHaveLength(1);
    await advance(1_499);
    expect(p.status).toBe("pending");
    await advance(1);
    expect(p.error).toBeInstanceOf(AckTimeoutError);
  });

  it("during the first connect: a request made right after connect() is sent after the welcome", async () => {
    const { client, server } = makeClient();
    server.behaviour = "open";
    settle(client.connect());
    const p = settle(client.subscribe("room-1"));
    await flush();
    expect(server.last.sent).toEqual([]);
    server.last.welcome();
    await flush();
    expect(server.last.frames("subscribe")).toHaveLength(1);
    expect(p.status).toBe("resolved");
  });

  it("client-side checks apply to queued requests too (rejected at once, never sent)", async () => {
    const { client, server } = await connected();
    server.behaviour = "fail";
    await dropConnected(server);
    const p = settle(() => client.publish("_metered/x", 1));
    await flushMicrotasks();
    expect(p.error).toBeInstanceOf(SendError);
  });
});

type Client = Awaited<ReturnType<typeof connected>>["client"];
