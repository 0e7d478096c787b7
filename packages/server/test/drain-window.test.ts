/**
 * Graceful drain (protocol.md §4 `going_away`, §6 1001) on a library server: closes spread over
 * `drainMs`, `/readyz` 503 and upgrades refused with 503 meanwhile, stragglers terminated after the
 * grace, and a prompt close() with no clients. The 1,000-client run of the CLI is in
 * packages/cli/test/drain.test.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { retryAfterFor } from "../src/drain.js";
import { type Client, type Frame, startServer, type TestServer } from "./helpers.js";
import { scrape } from "./prometheus.js";

interface Seen {
  goingAway: Frame;
  /** When `going_away` arrived (ms since the drain started). */
  atMs: number;
  code: number;
}

async function watchDrain(c: Client, startedAt: number): Promise<Seen> {
  const goingAway = await c.next(10_000);
  const atMs = Date.now() - startedAt;
  const closed = await c.waitClose(10_000);
  expect(c.queue).toEqual([]);
  return { goingAway, atMs, code: closed.code };
}

describe("graceful drain", () => {
  let ts: TestServer | undefined;
  afterEach(async () => {
    await ts?.stop();
    ts = undefined;
  });

  it("spreads going_away + 1001 over drainMs; /readyz and new upgrades answer 503 meanwhile", async () => {
    const server = await startServer({ drainMs: 1_500, goingAwayRetryAfterMs: 200 });
    ts = server;
    const clients = await Promise.all(Array.from({ length: 10 }, () => server.connectPk()));
    const startedAt = Date.now();
    const closing = server.closeServer();
    const seen = Promise.all(clients.map((c) => watchDrain(c, startedAt)));

    const ready = await fetch(`${server.httpUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: "draining" });
    expect(await server.upgradeStatus(`/v1?key=${server.pk}`)).toBe(503);
    const during = await scrape(server.httpUrl);
    expect(during.get("switchboard_draining")).toBe(1);
    expect(during.get("switchboard_upgrade_rejections_total", { status: "503" })).toBe(1);

    const results = await seen;
    await closing;
    const elapsed = Date.now() - startedAt;
    for (const r of results) {
      expect(r.goingAway).toEqual({ type: "going_away", retryAfterMs: expect.any(Number) });
      expect(r.goingAway.retryAfterMs).toBeGreaterThanOrEqual(200);
      expect(r.goingAway.retryAfterMs).toBeLessThanOrEqual(300);
      expect(r.code).toBe(1001);
    }
    // Client i of 10 is due at i × 150 ms: the first at once, the last at 1,350 ms.
    const times = results.map((r) => r.atMs).sort((a, b) => a - b);
    expect(times[0]).toBeLessThan(500);
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeGreaterThan(900);
    expect(times.at(-1)).toBeLessThan(3_000);
    expect(elapsed).toBeLessThan(1_500 + 2_500);
  });

  it("returns at once when no client is connected, even with a long window", async () => {
    ts = await startServer({ drainMs: 60_000 });
    const started = Date.now();
    await ts.closeServer();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("drops a client that never completes the close handshake after the grace", async () => {
    const server = await startServer({ drainMs: 0 });
    ts = server;
    const polite = await server.connectPk();
    const stuck = await server.connectPk();
    stuck.pauseReading(); // never reads going_away nor the close frame, so never answers it
    const started = Date.now();
    await server.closeServer();
    const elapsed = Date.now() - started;
    expect((await polite.waitClose()).code).toBe(1001);
    // Grace is 2 s after the (empty) window.
    expect(elapsed).toBeGreaterThan(1_500);
    expect(elapsed).toBeLessThan(5_000);
    stuck.terminate();
  });

  it("a second close() returns the same drain", async () => {
    ts = await startServer({ drainMs: 300 });
    const c = await ts.connectPk();
    const first = ts.server.close();
    const second = ts.server.close();
    expect(second).toBe(first);
    await first;
    expect((await c.waitClose()).code).toBe(1001);
  });
});

describe("retryAfterFor", () => {
  it("is the base plus a jitter of up to half of it", () => {
    expect(retryAfterFor(1_000, () => 0)).toBe(1_000);
    expect(retryAfterFor(1_000, () => 0.999_999)).toBe(1_500);
    expect(retryAfterFor(0, () => 0.5)).toBe(0);
    for (let i = 0; i < 100; i++) {
      const v = retryAfterFor(1_234);
      expect(Number.isInteger(v) && v >= 1_234 && v <= 1_851).toBe(true);
    }
  });
});
