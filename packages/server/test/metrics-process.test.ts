/**
 * `/metrics` must answer at the open-file limit, where every read of /proc fails with EMFILE: the
 * process readers are injected to fail that way. Also: event-loop lag reports a stall.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "./helpers.js";
import { scrape } from "./prometheus.js";

function emfile(): Error {
  return Object.assign(new Error("EMFILE: too many open files, open '/proc/self/stat'"), {
    code: "EMFILE",
    errno: -24,
    syscall: "open",
  });
}

describe("/metrics when /proc cannot be read", () => {
  let ts: TestServer | undefined;
  afterEach(async () => {
    await ts?.stop();
    ts = undefined;
  });

  it("still answers 200 with every other metric, and counts the failed reads", async () => {
    ts = await startServer(
      {},
      {
        deps: {
          processStats: {
            residentMemoryBytes: () => {
              throw emfile();
            },
            openFds: () => {
              throw emfile();
            },
            heapUsedBytes: () => 12_345,
          },
        },
      },
    );
    const c = await ts.connectPk();
    const first = await scrape(ts.httpUrl);
    expect(first.get("switchboard_connections")).toBe(1);
    expect(first.get("switchboard_frames_out_total", { type: "welcome" })).toBe(1);
    expect(first.get("switchboard_process_heap_used_bytes")).toBe(12_345);
    expect(first.get("switchboard_process_stat_errors_total", { stat: "rss" })).toBe(1);
    expect(first.get("switchboard_process_stat_errors_total", { stat: "open_fds" })).toBe(1);
    const second = await scrape(ts.httpUrl);
    expect(second.get("switchboard_process_stat_errors_total", { stat: "open_fds" })).toBe(2);
    expect(second.value("switchboard_process_stat_errors_total", { stat: "heap" })).toBeUndefined();
    await c.close();
  });

  it("keeps the last value read when a reader starts failing", async () => {
    let fds = 42;
    ts = await startServer(
      {},
      {
        deps: {
          processStats: {
            residentMemoryBytes: () => 50_000_000,
            openFds: () => {
              if (fds < 0) throw emfile();
              return fds;
            },
            heapUsedBytes: () => 1,
          },
        },
      },
    );
    expect((await scrape(ts.httpUrl)).get("switchboard_process_open_fds")).toBe(42);
    fds = -1;
    const m = await scrape(ts.httpUrl);
    expect(m.get("switchboard_process_open_fds")).toBe(42);
    expect(m.get("switchboard_process_stat_errors_total", { stat: "open_fds" })).toBe(1);
    expect(m.get("switchboard_process_resident_memory_bytes")).toBe(50_000_000);
  });
});

describe("event-loop lag", () => {
  it("reports a stall since the previous scrape as max, then starts a new interval", async () => {
    const ts = await startServer();
    try {
      await scrape(ts.httpUrl); // starts a fresh interval
      // The server runs in this process: blocking here blocks its event loop.
      const until = Date.now() + 250;
      while (Date.now() < until) {
        // busy
      }
      await new Promise((resolve) => setTimeout(resolve, 60)); // let the monitor's timer fire
      const stalled = (await scrape(ts.httpUrl)).get("switchboard_event_loop_lag_seconds", { stat: "max" });
      // 250 ms blocked, less the monitor's 20 ms resolution.
      expect(stalled).toBeGreaterThan(0.2);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const calm = (await scrape(ts.httpUrl)).get("switchboard_event_loop_lag_seconds", { stat: "max" });
      expect(calm).toBeLessThan(stalled);
    } finally {
      await ts.stop();
    }
  });
});
