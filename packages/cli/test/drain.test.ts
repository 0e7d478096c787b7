/**
 * Graceful drain of the real process (issue 3, "Done means"): `switchboard serve --drain-ms 3000`
 * with 1,000 clients gets SIGTERM. Every client must get `going_away` and then a 1001 close, the
 * closes spread over the window, `/readyz` and new upgrades answer 503 during it, and the process
 * exits 0 soon after. Bounds are generous: a loaded 2-core machine runs this next to other suites.
 */
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { run, type Served, serve, tempDir } from "./helpers.js";

const CLIENTS = 1_000;
const DRAIN_MS = 3_000;
/** Handshakes in flight at once while opening the clients. */
const OPEN_CONCURRENCY = 50;

interface Observed {
  ws: WebSocket;
  goingAway?: { type: string; retryAfterMs?: number };
  goingAwayAt?: number;
  /** Frames after `going_away` (must be none). */
  after: string[];
  closeCode?: number;
  closedAt?: number;
  closed: Promise<void>;
}

/** Opens one client and resolves once its `welcome` arrived. */
function openClient(url: string): Promise<Observed> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { handshakeTimeout: 15_000 });
    let markClosed!: () => void;
    const o: Observed = { ws, after: [], closed: new Promise((r) => (markClosed = r)) };
    const timer = setTimeout(() => reject(new Error("no welcome within 15 s")), 15_000);
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data)) as { type: string; retryAfterMs?: number };
      if (frame.type === "welcome") {
        clearTimeout(timer);
        resolve(o);
      } else if (o.goingAway) o.after.push(frame.type);
      else if (frame.type === "going_away") {
        o.goingAway = frame;
        o.goingAwayAt = Date.now();
      }
    });
    ws.on("close", (code) => {
      o.closeCode = code;
      o.closedAt = Date.now();
      clearTimeout(timer);
      markClosed();
      reject(new Error(`closed ${code} before welcome`));
    });
    ws.on("error", () => {});
  });
}

async function openMany(url: string, n: number): Promise<Observed[]> {
  const opened: Observed[] = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      opened.push(await openClient(url));
    }
  };
  await Promise.all(Array.from({ length: OPEN_CONCURRENCY }, worker));
  return opened;
}

/** The HTTP status an upgrade attempt gets (101 when it upgrades). */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.on("open", () => {
      ws.terminate();
      resolve(101);
    });
    ws.on("unexpected-response", (req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      req.destroy();
    });
    ws.on("error", () => resolve(-1));
  });
}

/** Most timestamps in any window of `widthMs` (sorted input). */
function densestWindow(sorted: number[], widthMs: number): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while ((sorted[hi] ?? 0) - (sorted[lo] ?? 0) >= widthMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

describe("switchboard serve: graceful drain on SIGTERM", () => {
  let tmp: ReturnType<typeof tempDir> | undefined;
  let served: Served | undefined;
  let clients: Observed[] = [];
  afterEach(async () => {
    for (const c of clients) c.ws.terminate();
    clients = [];
    await served?.stop("SIGKILL");
    served = undefined;
    tmp?.cleanup();
  });

  it("1,000 clients get going_away then 1001, spread over --drain-ms; /readyz and upgrades 503; exit 0", async () => {
    tmp = tempDir();
    served = await serve([
      ...["--port", "0", "--data-dir", tmp.dataDir],
      ...["--connect-rate-per-ip", "0", "--drain-ms", String(DRAIN_MS), "--log-level", "warn"],
    ]);
    const pk = /Publishable key: (pk_live_\S+)/.exec(served.stdout)?.[1];
    expect(pk, served.stdout).toBeDefined();
    const base = `http://127.0.0.1:${served.port}`;
    const wsUrl = `ws://127.0.0.1:${served.port}/v1?key=${pk}`;
    clients = await openMany(wsUrl, CLIENTS);
    expect(clients).toHaveLength(CLIENTS);

    const signalledAt = Date.now();
    let exitedAt = 0;
    const exited = served.stop("SIGTERM").then((code) => {
      exitedAt = Date.now();
      return code;
    });

    // The signal is handled asynchronously: poll until /readyz turns.
    let readyz = 0;
    let readyzBody: unknown;
    const pollUntil = Date.now() + 2_000;
    while (Date.now() < pollUntil) {
      const res = await fetch(`${base}/readyz`);
      readyz = res.status;
      readyzBody = await res.json();
      if (readyz === 503) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const readyzAt = Date.now();
    expect(readyz).toBe(503);
    expect(readyzBody).toEqual({ status: "draining" });
    expect(await upgradeStatus(wsUrl)).toBe(503);

    const allClosed = Promise.all(clients.map((c) => c.closed));
    await Promise.race([
      allClosed,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error("clients still open")), DRAIN_MS + 15_000),
      ),
    ]);
    expect(await exited).toBe(0);

    const closeTimes: number[] = [];
    for (const c of clients) {
      expect(c.goingAway?.type).toBe("going_away");
      expect(c.goingAway?.retryAfterMs).toBeGreaterThanOrEqual(1_000);
      expect(c.goingAway?.retryAfterMs).toBeLessThanOrEqual(1_500);
      expect(c.after).toEqual([]);
      expect(c.closeCode).toBe(1001);
      expect(c.goingAwayAt).toBeLessThanOrEqual(c.closedAt ?? 0);
      closeTimes.push(c.closedAt ?? 0);
    }
    closeTimes.sort((a, b) => a - b);
    const first = closeTimes[0] ?? 0;
    const last = closeTimes.at(-1) ?? 0;
    // /readyz turned before most clients were gone: it answered 503 during the drain.
    expect(readyzAt).toBeLessThan(closeTimes[Math.floor(CLIENTS / 2)] ?? 0);
    // Spread: at least 40 % of the window between the first and the last close, and no 10 % slice
    // of the window holds more than a quarter of the clients (an even spread puts 10 % in each).
    expect(last - first).toBeGreaterThanOrEqual(0.4 * DRAIN_MS);
    expect(densestWindow(closeTimes, DRAIN_MS / 10)).toBeLessThanOrEqual(CLIENTS / 4);
    expect(last - signalledAt).toBeLessThan(DRAIN_MS + 5_000);
    expect(exitedAt - signalledAt).toBeLessThan(DRAIN_MS + 6_000);
  }, 120_000);
});

describe("switchboard serve --drain-ms", () => {
  let tmp: ReturnType<typeof tempDir> | undefined;
  let served: Served | undefined;
  let clients: Observed[] = [];
  afterEach(async () => {
    for (const c of clients) c.ws.terminate();
    clients = [];
    await served?.stop("SIGKILL");
    served = undefined;
    tmp?.cleanup();
  });

  it("rejects a value that is not an integer from 0 to 3,600,000 (exit 2)", async () => {
    tmp = tempDir();
    for (const bad of ["soon", "3600001"]) {
      const r = await run(["serve", "--port", "0", "--data-dir", tmp.dataDir, "--drain-ms", bad]);
      expect(r.code, `--drain-ms ${bad}`).toBe(2);
      expect(r.stderr).toContain("--drain-ms");
    }
  });

  it("reads SWITCHBOARD_DRAIN_MS: 0 closes every client at once", async () => {
    tmp = tempDir();
    served = await serve(["--port", "0", "--data-dir", tmp.dataDir], { SWITCHBOARD_DRAIN_MS: "0" });
    const pk = /Publishable key: (pk_live_\S+)/.exec(served.stdout)?.[1];
    clients = await openMany(`ws://127.0.0.1:${served.port}/v1?key=${pk}`, 3);
    const signalledAt = Date.now();
    expect(await served.stop("SIGTERM")).toBe(0);
    await Promise.all(clients.map((c) => c.closed));
    for (const c of clients) {
      expect(c.goingAway?.type).toBe("going_away");
      expect(c.closeCode).toBe(1001);
      // With the default 10 s window the third client would go at about 6.7 s.
      expect((c.closedAt ?? 0) - signalledAt).toBeLessThan(2_000);
    }
  });
});
