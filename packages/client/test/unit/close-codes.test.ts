/**
 * sdk.md "Close handling" / protocol.md §6: terminal (4001, 4003, 4012, 4020), fresh token (4002),
 * slow backoff (4010, 4011), going away (1001 after `going_away`), and everything else backs off.
 */
import { describe, expect, it } from "vitest";
import {
  advance,
  connected,
  dropConnected,
  flush,
  flushMicrotasks,
  makeClient,
  nextSocket,
  settle,
  stubRandom,
  useFakeClock,
} from "./fake-server.js";

useFakeClock();

describe("terminal close codes", () => {
  it.each([
    [4001, "invalid token"],
    [4003, "channel not authorized"],
    [4012, "app suspended"],
    [4020, "kicked"],
  ])(
    "%i after connecting → closed, error event, disconnected willReconnect false, no reconnect",
    async (code, reason) => {
      const { client, server, events } = await connected();
      events.clear();
      server.last.serverClose(code, reason);
      await flush();
      expect(client.state).toBe("closed");
      expect(events.of("disconnected")).toEqual([{ code, reason, willReconnect: false }]);
      expect(events.of("error")).toHaveLength(1);
      expect(events.of("error")[0]?.error).toBeInstanceOf(Error);
      expect(events.transitions()).toEqual([["connected", "closed"]]);
      await advance(60 * 60_000);
      expect(server.count).toBe(1);
    },
  );

  it("a terminal close on a reconnect attempt (e.g. key revoked while away) is terminal too", async () => {
    const { client, server, events } = await connected();
    server.queue({ close: 4001, reason: "invalid token" });
    await dropConnected(server);
    await nextSocket(server, Date.now());
    await flush();
    expect(client.state).toBe("closed");
    expect(events.of("error")).toHaveLength(1);
    await advance(60 * 60_000);
    expect(server.count).toBe(2);
  });
});

describe("4002 token expired", () => {
  it("reconnects at once (no backoff) with a fresh token from tokenProvider", async () => {
    let n = 0;
    const tokens: string[] = [];
    const { client, server, events } = await connected({
      tokenProvider: async () => {
        n++;
        const t = `jwt-${n}`;
        tokens.push(t);
        return t;
      },
    });
    expect(server.last.parsedUrl.searchParams.get("token")).toBe("jwt-1");
    events.clear();
    server.last.serverClose(4002, "token expired");
    const closedAt = Date.now();
    await flushMicrotasks();
    expect(events.of("disconnected")).toEqual([{ code: 4002, reason: "token expired", willReconnect: true }]);
    const { socket, delay } = await nextSocket(server, closedAt);
    expect(delay).toBe(0);
    expect(n).toBe(2);
    expect(socket.parsedUrl.searchParams.get("token")).toBe("jwt-2");
    await flush();
    expect(client.state).toBe("connected");
    expect(events.of("connected")).toEqual([expect.objectContaining({ isReconnect: true })]);
    expect(events.of("error")).toEqual([]);
  });

  it("4002 does not wait even late in an outage (after backoff has grown)", async () => {
    stubRandom(0.5);
    const { server } = await connected();
    server.behaviour = "fail";
    let since = await dropConnected(server);
    for (let i = 0; i < 3; i++) {
      const { socket } = await nextSocket(server, since);
      await flushMicrotasks();
      since = socket.closedAt ?? Number.NaN;
    }
    // The next attempt opens and then gets 4002 before welcome: the one after it goes at once.
    server.queue({ close: 4002, reason: "token expired" }, "welcome");
    const { socket } = await nextSocket(server, since);
    await flushMicrotasks();
    expect(socket.closedAt).toBeDefined();
    await flush(); // runs what is due now, without moving the clock
    const next = server.socket(server.sockets.indexOf(socket) + 1);
    expect(next.createdAt - (socket.closedAt ?? Number.NaN)).toBe(0);
    expect(next.welcomed).toBe(true);
  });
});

describe("4002 over and over (a provider that keeps handing out expired tokens)", () => {
  it("does not spin: consecutive 4002s before any welcome are not all retried at once", async () => {
    const { client, server } = makeClient({ tokenProvider: async () => "expired-jwt" });
    server.behaviour = { close: 4002, reason: "token expired" };
    settle(client.connect());
    await advance(1_000);
    // "At once" for the first; a tight loop of attempts would be hundreds here.
    expect(server.count).toBeLessThanOrEqual(3);
    expect(client.state).not.toBe("closed");
  });
});

describe("4010 / 4011 slow backoff at maxDelayMs", () => {
  it.each([4010, 4011])("%i waits exactly maxDelayMs with Math.random = 0.5", async (code) => {
    stubRandom(0.5);
    const { client, server, events } = await connected();
    events.clear();
    const since = await dropConnected(server, code);
    expect(client.state).toBe("reconnecting");
    expect(events.of("disconnected")).toEqual([{ code, reason: `closed ${code}`, willReconnect: true }]);
    const { delay } = await nextSocket(server, since);
    expect(delay).toBe(30_000);
  });

  it.each([
    [4010, 0],
    [4010, 1],
    [4011, 0],
    [4011, 1],
  ])("%i with Math.random = %d stays within maxDelayMs ± jitterRatio", async (code, r) => {
    stubRandom(r);
    const { server } = await connected();
    const since = await dropConnected(server, code);
    const { delay } = await nextSocket(server, since);
    expect(delay).toBeGreaterThanOrEqual(24_000);
    expect(delay).toBeLessThanOrEqual(36_000);
  });

  it("uses a custom maxDelayMs", async () => {
    stubRandom(0.5);
    const { server } = await connected({ reconnect: { maxDelayMs: 5000 } });
    const since = await dropConnected(server, 4011);
    expect((await nextSocket(server, since)).delay).toBe(5000);
  });

  it("the first reconnect after 4010 waits maxDelayMs, not initialDelayMs", async () => {
    stubRandom(0);
    const { server } = await connected();
    const since = await dropConnected(server, 4010);
    await advance(20_000);
    expect(server.count).toBe(1);
    const { delay } = await nextSocket(server, since);
    expect(delay).toBeGreaterThanOrEqual(24_000);
  });
});

describe("1001 going away", () => {
  it("emits going-away {retryAfterMs} and waits at least retryAfterMs", async () => {
    stubRandom(0);
    const { client, server, events } = await connected();
    events.clear();
    server.last.deliver({ type: "going_away", retryAfterMs: 3000 });
    await flushMicrotasks();
    expect(events.of("going-away")).toEqual([{ retryAfterMs: 3000 }]);
    const since = await dropConnected(server, 1001);
    expect(client.state).toBe("reconnecting");
    expect(events.of("disconnected")).toEqual([{ code: 1001, reason: "closed 1001", willReconnect: true }]);
    await advance(2999);
    expect(server.count).toBe(1);
    const { delay } = await nextSocket(server, since);
    expect(delay).toBeGreaterThanOrEqual(3000);
    expect(delay).toBeLessThanOrEqual(3600);
  });

  it.each([0, 0.5, 1])(
    "with Math.random = %d the wait is within [retryAfterMs, retryAfterMs·(1+jitterRatio)]",
    async (r) => {
      stubRandom(r);
      const { server } = await connected();
      server.last.deliver({ type: "going_away", retryAfterMs: 10_000 });
      await flushMicrotasks();
      const since = await dropConnected(server, 1001);
      const { delay } = await nextSocket(server, since);
      expect(delay).toBeGreaterThanOrEqual(10_000);
      expect(delay).toBeLessThanOrEqual(12_000);
    },
  );

  it("the going_away delay is used even when it is longer than maxDelayMs", async () => {
    stubRandom(0);
    const { server } = await connected();
    server.last.deliver({ type: "going_away", retryAfterMs: 45_000 });
    await flushMicrotasks();
    const since = await dropConnected(server, 1001);
    const { delay } = await nextSocket(server, since);
    expect(delay).toBeGreaterThanOrEqual(45_000);
    expect(delay).toBeLessThanOrEqual(54_000);
  });

  it("a 1001 without a preceding going_away falls back to ordinary backoff", async () => {
    stubRandom(0.5);
    const { server } = await connected();
    const since = await dropConnected(server, 1001);
    expect((await nextSocket(server, since)).delay).toBe(500);
  });

  it("a going_away hint is not reused by a later, unrelated drop", async () => {
    stubRandom(0.5);
    const { server } = await connected();
    server.last.deliver({ type: "going_away", retryAfterMs: 20_000 });
    await flushMicrotasks();
    let since = await dropConnected(server, 1001);
    await nextSocket(server, since);
    await flush();
    since = await dropConnected(server, 1006);
    expect((await nextSocket(server, since)).delay).toBe(500);
  });
});

describe("every other code backs off normally", () => {
  it.each([1000, 1005, 1006, 1008, 1009, 1011, 3000, 4000, 4999])(
    "%i → reconnecting, disconnected willReconnect true, first retry after initialDelayMs",
    async (code) => {
      stubRandom(0.5);
      const { client, server, events } = await connected();
      events.clear();
      const since = await dropConnected(server, code);
      expect(client.state).toBe("reconnecting");
      expect(events.of("disconnected")).toEqual([{ code, reason: `closed ${code}`, willReconnect: true }]);
      expect(events.of("error")).toEqual([]);
      expect((await nextSocket(server, since)).delay).toBe(500);
      await flush();
      expect(client.state).toBe("connected");
    },
  );

  it("a network failure (onerror then onclose 1006) reconnects once, not twice", async () => {
    stubRandom(0.5);
    const { server, events } = await connected();
    events.clear();
    const since = await dropConnected(server, "fail");
    expect(events.of("disconnected")).toEqual([expect.objectContaining({ code: 1006, willReconnect: true })]);
    const { delay } = await nextSocket(server, since);
    expect(delay).toBe(500);
    await advance(60_000);
    expect(server.count).toBe(2);
  });
});
