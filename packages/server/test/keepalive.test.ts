/**
 * protocol.md §9 keepalive (WS pings, termination of silent sockets, app-level ping) and §4/§6
 * graceful shutdown (`going_away`, then 1001).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, peer, sleep, startServer, type TestServer, uniq } from "./helpers.js";

describe("keepalive", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer({ pingIntervalMs: 300, pongTimeoutMs: 200 });
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("the server sends WebSocket pings periodically; a socket that answers stays open", async () => {
    const c = await ts.connectPk();
    await eventually(async () => (c.pings >= 3 ? true : undefined), 5_000);
    expect(c.isOpen).toBe(true);
    await c.quiet();
  });

  it("a socket that does not answer pings is terminated, and its peer leaves presence", async () => {
    const channel = uniq("room");
    const watcher = await ts.connectPk();
    await watcher.subscribe(channel);
    const mute = await ts.connectJwt({ sub: peer("mute") }, undefined, { autoPong: false });
    await mute.subscribe(channel);
    expect(await watcher.next()).toMatchObject({
      type: "presence",
      joined: [{ peerId: mute.welcome?.peerId }],
    });
    const t0 = Date.now();
    await mute.waitClose(5_000);
    // At most one ping interval plus the pong timeout, with slack for a loaded machine.
    expect(Date.now() - t0).toBeLessThan(2_500);
    expect(await watcher.next()).toEqual({
      type: "presence",
      channel,
      joined: [],
      left: [{ peerId: mute.welcome?.peerId }],
    });
    expect(watcher.isOpen).toBe(true);
  });

  it("app-level ping keeps working for clients that cannot see WS pings", async () => {
    const c = await ts.connectPk();
    for (let i = 0; i < 5; i++) {
      c.send({ type: "ping", requestId: `k${i}` });
      expect(await c.next()).toEqual({ type: "pong", requestId: `k${i}` });
      await sleep(100);
    }
  });
});

describe("graceful shutdown", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer({ goingAwayRetryAfterMs: 1234 });
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("close() sends every client going_away with retryAfterMs, then closes 1001", async () => {
    const a = await ts.connectPk();
    const b = await ts.connectJwt({ sub: peer("b") });
    await a.subscribe(uniq("room"));
    await b.quiet();
    await ts.closeServer();
    for (const c of [a, b]) {
      // The configured base plus a jitter of up to half of it (drain.ts).
      const goingAway = await c.next();
      expect(goingAway).toEqual({ type: "going_away", retryAfterMs: expect.any(Number) });
      expect(goingAway.retryAfterMs).toBeGreaterThanOrEqual(1234);
      expect(goingAway.retryAfterMs).toBeLessThanOrEqual(1234 + 617);
      const closed = await c.waitClose();
      expect(closed.code).toBe(1001);
      expect(c.queue).toEqual([]);
    }
    await expect(fetch(`${ts.httpUrl}/healthz`)).rejects.toThrow();
  });
});
