/**
 * sdk.md `autoResubscribe` (default true): after a reconnect the client replays its subscriptions
 * with their options (`includeSenderMetadata`); unsubscribed channels are not replayed.
 */
import { describe, expect, it } from "vitest";
import {
  connected,
  dropConnected,
  type FakeSocket,
  flush,
  nextSocket,
  type SentFrame,
  settle,
  useFakeClock,
} from "./fake-server.js";

useFakeClock();

const subs = (s: FakeSocket) =>
  s
    .frames("subscribe")
    .map((f: SentFrame) => ({ channel: f.channel, includeSenderMetadata: f.includeSenderMetadata ?? false }))
    .sort((a, b) => String(a.channel).localeCompare(String(b.channel)));

describe("autoResubscribe", () => {
  it("replays every subscription with its includeSenderMetadata after a reconnect", async () => {
    const { client, server } = await connected();
    await client.subscribe("a", { includeSenderMetadata: true });
    await client.subscribe("b");
    await client.subscribe("c", { includeSenderMetadata: false });
    await dropConnected(server);
    const { socket } = await nextSocket(server, Date.now());
    await flush();
    expect(subs(socket)).toEqual([
      { channel: "a", includeSenderMetadata: true },
      { channel: "b", includeSenderMetadata: false },
      { channel: "c", includeSenderMetadata: false },
    ]);
    for (const f of socket.frames("subscribe")) expect(f.requestId).toEqual(expect.any(String));
  });

  it("replays after every reconnect kind (4002 fresh token, 1001 going away, watchdog)", async () => {
    const { client, server } = await connected({ inactivityTimeoutMs: 10_000 });
    await client.subscribe("a", { includeSenderMetadata: true });
    server.last.serverClose(4002, "token expired");
    let { socket } = await nextSocket(server, Date.now());
    await flush();
    expect(subs(socket)).toEqual([{ channel: "a", includeSenderMetadata: true }]);

    socket.deliver({ type: "going_away", retryAfterMs: 1000 });
    socket.serverClose(1001, "going away");
    ({ socket } = await nextSocket(server, Date.now()));
    await flush();
    expect(subs(socket)).toEqual([{ channel: "a", includeSenderMetadata: true }]);

    server.autoPong = false;
    ({ socket } = await nextSocket(server, Date.now()));
    server.autoPong = true;
    await flush();
    expect(subs(socket)).toEqual([{ channel: "a", includeSenderMetadata: true }]);
  });

  it("an unsubscribed channel is not replayed", async () => {
    const { client, server } = await connected();
    await client.subscribe("a");
    await client.subscribe("b");
    await client.unsubscribe("a");
    await dropConnected(server);
    const { socket } = await nextSocket(server, Date.now());
    await flush();
    expect(subs(socket).map((s) => s.channel)).toEqual(["b"]);
  });

  it("the latest options of a channel subscribed twice are replayed", async () => {
    const { client, server } = await connected();
    await client.subscribe("a", { includeSenderMetadata: true });
    await client.subscribe("a", { includeSenderMetadata: false });
    await client.subscribe("b");
    await client.subscribe("b", { includeSenderMetadata: true });
    await dropConnected(server);
    const { socket } = await nextSocket(server, Date.now());
    await flush();
    expect(subs(socket)).toEqual([
      { channel: "a", includeSenderMetadata: false },
      { channel: "b", includeSenderMetadata: true },
    ]);
  });

  it("a subscribe the server refused is not replayed", async () => {
    const { client, server } = await connected();
    server.answer = (f) =>
      f.type === "subscribe" && f.channel === "forbidden"
        ? [{ type: "error", code: "channel_not_authorized", message: "no", requestId: f.requestId }]
        : undefined;
    await client.subscribe("ok");
    await expect(client.subscribe("forbidden")).rejects.toThrow();
    await dropConnected(server);
    const { socket } = await nextSocket(server, Date.now());
    await flush();
    expect(subs(socket).map((s) => s.channel)).toEqual(["ok"]);
  });

  it("survives several reconnects in a row (each new connection gets the full set)", async () => {
    const { client, server } = await connected();
    await client.subscribe("a");
    await client.subscribe("b", { includeSenderMetadata: true });
    for (let i = 0; i < 3; i++) {
      await dropConnected(server);
      const { socket } = await nextSocket(server, Date.now());
      await flush();
      expect(subs(socket)).toEqual([
        { channel: "a", includeSenderMetadata: false },
        { channel: "b", includeSenderMetadata: true },
      ]);
    }
  });

  it("replayed subscriptions keep delivering message events", async () => {
    const { client, server, events } = await connected();
    await client.subscribe("a");
    await dropConnected(server);
    const { socket } = await nextSocket(server, Date.now());
    await flush();
    socket.deliver({ type: "message", channel: "a", from: "bob", data: "after" });
    await flush();
    expect(events.of("message")).toEqual([expect.objectContaining({ channel: "a", data: "after" })]);
  });

  it("autoResubscribe: false sends no subscribe after a reconnect", async () => {
    const { client, server } = await connected({ autoResubscribe: false });
    await client.subscribe("a", { includeSenderMetadata: true });
    await dropConnected(server);
    const { socket } = await nextSocket(server, Date.now());
    await flush();
    expect(client.state).toBe("connected");
    expect(socket.frames("subscribe")).toEqual([]);
  });

  it("a subscribe pending when the socket dropped is settled (never left hanging)", async () => {
    const { client, server } = await connected();
    server.autoAck = false;
    const p = settle(client.subscribe("a"));
    await flush();
    server.autoAck = true;
    await dropConnected(server);
    await nextSocket(server, Date.now());
    await flush();
    expect(p.status).toBe("rejected");
  });
});
