/**
 * sdk.md `inactivityTimeoutMs` and Keepalive: `{"type":"ping"}` after half the window (at most 25 s)
 * without inbound frames; close and reconnect after the whole window without any inbound frame;
 * ≤ 0 disables both. protocol.md §9.
 */
import { describe, expect, it } from "vitest";
import { DisconnectedError } from "../../src/index.js";
import {
  advance,
  connected,
  flush,
  flushMicrotasks,
  makeClient,
  nextSocket,
  settle,
  stubRandom,
  useFakeClock,
} from "./fake-server.js";

useFakeClock();

describe("keepalive ping", () => {
  it("default window (60 s): the first ping goes after 25 s of inbound silence, exactly {type: ping}", async () => {
    const { server } = await connected();
    server.autoPong = false;
    const s = server.last;
    await advance(24_999);
    expect(s.frames("ping")).toEqual([]);
    await advance(1);
    expect(s.frames("ping")).toEqual([{ type: "ping" }]);
  });

  it("half of a short window: inactivityTimeoutMs 10000 → ping at 5000", async () => {
    const { server } = await connected({ inactivityTimeoutMs: 10_000 });
    server.autoPong = false;
    const s = server.last;
    await advance(4_999);
    expect(s.frames("ping")).toHaveLength(0);
    await advance(1);
    expect(s.frames("ping")).toHaveLength(1);
  });

  it("the 25 s cap holds for long windows too (inactivityTimeoutMs 120000 → ping at 25 s)", async () => {
    const { server } = await connected({ inactivityTimeoutMs: 120_000 });
    server.autoPong = false;
    const s = server.last;
    await advance(24_999);
    expect(s.frames("ping")).toHaveLength(0);
    await advance(1);
    expect(s.frames("ping")).toHaveLength(1);
  });

  it("any inbound frame postpones the ping; outbound frames do not", async () => {
    const { client, server } = await connected();
    server.autoPong = false;
    const s = server.last;
    await advance(20_000);
    s.deliver({ type: "message", channel: "c", from: "bob", data: 1 });
    await advance(20_000);
    expect(s.frames("ping")).toHaveLength(0); // 20 s since the last inbound frame
    // An outbound request (acked by the server: that ack is inbound, so stop acking here).
    server.autoAck = false;
    const p = client.publish("c", 2).catch(() => undefined);
    await advance(4_999);
    expect(s.frames("ping")).toHaveLength(0);
    await advance(1);
    expect(s.frames("ping")).toHaveLength(1); // 25 s after the message, the publish did not count
    void p;
  });

  it("a healthy idle connection: pongs keep it alive indefinitely, one ping per quiet half-window", async () => {
    const { client, server, events } = await connected();
    const s = server.last;
    await advance(10 * 60_000);
    expect(server.count).toBe(1);
    expect(s.isOpen).toBe(true);
    expect(s.closedByClient).toBeUndefined();
    expect(client.state).toBe("connected");
    expect(events.of("disconnected")).toEqual([]);
    // Every 25 s of silence (each pong restarts the count): 600 / 25 = 24 pings.
    expect(s.frames("ping").length).toBeGreaterThanOrEqual(23);
    expect(s.frames("ping").length).toBeLessThanOrEqual(24);
  });

  it("no ping while not connected", async () => {
    const { server } = await connected();
    server.behaviour = "hang";
    server.last.fail();
    await advance(5 * 60_000);
    for (const s of server.sockets.slice(1)) expect(s.sent).toEqual([]);
  });
});

describe("inactivity watchdog", () => {
  it("no inbound frame for inactivityTimeoutMs → the client closes the socket and reconnects", async () => {
    stubRandom(0.5);
    const { client, server, events } = await connected();
    server.autoPong = false;
    const s = server.last;
    events.clear();
    await advance(59_999);
    expect(s.closedByClient).toBeUndefined();
    expect(client.state).toBe("connected");
    await advance(1);
    expect(s.closedByClient).toBeDefined();
    expect(s.closedByClient?.at).toBe(s.createdAt + 60_000);
    await flushMicrotasks();
    expect(client.state).toBe("reconnecting");
    expect(events.of("disconnected")).toEqual([expect.objectContaining({ willReconnect: true })]);
    const { delay } = await nextSocket(server, s.closedByClient?.at ?? Number.NaN);
    expect(delay).toBe(500);
    await flush();
    expect(client.state).toBe("connected");
  });

  it("a request in flight when the watchdog trips rejects with DisconnectedError", async () => {
    const { client, server } = await connected({ inactivityTimeoutMs: 10_000, ackTimeoutMs: 30_000 });
    server.autoPong = false;
    server.autoAck = false;
    await advance(8_000);
    const p = settle(client.publish("c", 1));
    await advance(2_000);
    expect(server.socket(0).closedByClient).toBeDefined();
    expect(p.error).toBeInstanceOf(DisconnectedError);
  });

  it("the window counts from the last inbound frame of any kind", async () => {
    const { server } = await connected({ inactivityTimeoutMs: 10_000 });
    server.autoPong = false;
    const s = server.last;
    await advance(9_000);
    s.deliver({ type: "presence", channel: "c", joined: [], left: [] });
    await advance(9_999);
    expect(s.closedByClient).toBeUndefined();
    await advance(1);
    expect(s.closedByClient).toBeDefined();
  });

  it("a pong feeds the watchdog", async () => {
    const { server } = await connected({ inactivityTimeoutMs: 10_000 });
    server.autoPong = false;
    const s = server.last;
    await advance(5_000);
    expect(s.frames("ping")).toHaveLength(1);
    await advance(4_000);
    s.deliver({ type: "pong" });
    await advance(9_999);
    expect(s.closedByClient).toBeUndefined();
    await advance(1);
    expect(s.closedByClient).toBeDefined();
  });

  it("a frozen server that never completes the close handshake: the client still reconnects", async () => {
    stubRandom(0.5);
    const { client, server } = await connected({ inactivityTimeoutMs: 10_000 });
    server.autoPong = false;
    server.closeHandshake = "never";
    const s = server.last;
    await advance(10_000);
    expect(s.closedByClient).toBeDefined();
    const { delay } = await nextSocket(server, s.closedByClient?.at ?? Number.NaN, 5_000);
    expect(delay).toBe(500);
    server.closeHandshake = "echo";
    await flush();
    expect(client.state).toBe("connected");
  });

  it("events from the abandoned socket (late close, late frames) do not disturb the new connection", async () => {
    const { client, server, events } = await connected({ inactivityTimeoutMs: 10_000 });
    server.autoPong = false;
    server.closeHandshake = "never";
    const old = server.last;
    await advance(10_000);
    await nextSocket(server, Date.now(), 5_000);
    await flush();
    expect(client.state).toBe("connected");
    events.clear();
    // The old socket finally reports: a stale frame, then its close.
    old.onmessage?.({ data: JSON.stringify({ type: "message", channel: "c", from: "ghost", data: 1 }) });
    old.finishClose(1006, "");
    await flush();
    expect(client.state).toBe("connected");
    expect(events.of("message")).toEqual([]);
    expect(events.of("disconnected")).toEqual([]);
    expect(events.of("state-change")).toEqual([]);
    await advance(9_000);
    expect(server.count).toBe(2);
  });

  it("the watchdog of a new connection starts fresh", async () => {
    const { server } = await connected({ inactivityTimeoutMs: 10_000 });
    server.autoPong = false;
    await advance(10_000);
    const { socket } = await nextSocket(server, Date.now());
    await flush();
    expect(socket.welcomed).toBe(true);
    const opened = Date.now();
    await advance(9_999 - (Date.now() - opened));
    expect(socket.closedByClient).toBeUndefined();
    await advance(1);
    expect(socket.closedByClient).toBeDefined();
  });
});

describe("the watchdog also bounds an attempt that never gets a welcome", () => {
  it("a socket stuck in CONNECTING is abandoned after inactivityTimeoutMs and the attempt retried", async () => {
    stubRandom(0.5);
    const { client, server } = makeClient({ inactivityTimeoutMs: 10_000 });
    server.queue("hang");
    const p = settle(client.connect());
    await flush();
    const stuck = server.last;
    await advance(9_999);
    expect(server.count).toBe(1);
    await advance(1);
    const { socket, delay } = await nextSocket(server, stuck.createdAt + 10_000);
    expect(delay).toBe(500);
    await flush();
    expect(socket.welcomed).toBe(true);
    expect(p.status).toBe("resolved");
  });

  it("an open socket whose welcome never comes is closed after inactivityTimeoutMs and retried", async () => {
    const { client, server } = makeClient({ inactivityTimeoutMs: 10_000 });
    server.autoPong = false; // a silent server: not even a pong
    server.queue("open");
    const p = settle(client.connect());
    await flush();
    const silent = server.last;
    expect(silent.isOpen).toBe(true);
    await advance(10_000);
    expect(silent.closedByClient).toBeDefined();
    server.autoPong = true;
    await nextSocket(server, Date.now());
    await flush();
    expect(p.status).toBe("resolved");
  });
});

describe("inactivityTimeoutMs ≤ 0 disables watchdog and keepalive", () => {
  it.each([0, -1])("inactivityTimeoutMs %i: no ping, no close, for an hour of silence", async (ms) => {
    const { client, server } = await connected({ inactivityTimeoutMs: ms });
    server.autoPong = false;
    const s = server.last;
    await advance(60 * 60_000);
    expect(s.frames("ping")).toEqual([]);
    expect(s.closedByClient).toBeUndefined();
    expect(server.count).toBe(1);
    expect(client.state).toBe("connected");
  });
});
