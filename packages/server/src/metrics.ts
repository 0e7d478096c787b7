import { createRequire } from "node:module";
import type { Counter as CounterType, Registry } from "prom-client";
import { type EventLoopLag, startEventLoopLag } from "./event-loop-lag.js";
import { createMeter, type Meter } from "./meter.js";
import { type ProcessStatsReader, processStats } from "./process-stats.js";

/** Live state read at scrape time (nothing on the hot path keeps these gauges up to date). */
export interface MetricsSources {
  /** Authenticated connections. */
  connections(): number;
  /** Subscriptions (channels and patterns) over all connections. */
  subscriptions(): number;
  draining(): boolean;
}

export interface MetricsOptions {
  /** Default: the real /proc readers. Tests inject failing ones. */
  processStats?: ProcessStatsReader;
  /** The process's open-file limit, reported as `switchboard_process_max_fds`. */
  maxFds?: number;
  /** The enforced connection cap, reported as `switchboard_connections_max`. */
  maxConnections?: number;
}

/**
 * The metrics of one server instance: its own prom-client `Registry` (never the global one, so
 * several servers in one process do not mix their numbers) fed by a {@link Meter}.
 */
export interface Metrics {
  /** The counters the hot path bumps. */
  readonly meter: Meter;
  /** `Content-Type` of {@link scrape}'s text. */
  readonly contentType: string;
  /**
   * The Prometheus text exposition. Never fails because of the process readers: a reader that
   * throws (EMFILE at the open-file limit) leaves its gauge at the last value read and counts
   * `switchboard_process_stat_errors_total{stat}`.
   */
  scrape(): Promise<string>;
  /** Stops the event-loop monitor. */
  close(): void;
}

/**
 * prom-client (CommonJS) is loaded on the first {@link createMetrics}, not at import: every CLI
 * command imports this package, and only `serve` needs metrics (the load costs ~80 ms per start).
 */
let promClient: typeof import("prom-client") | undefined;
function loadPromClient(): typeof import("prom-client") {
  promClient ??= createRequire(import.meta.url)("prom-client") as typeof import("prom-client");
  return promClient;
}

const HANDSHAKE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const FANOUT_BUCKETS = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1,
];

/** Replaces a counter's series with `entries` (the meter is the source of truth). */
function copyInto(
  counter: CounterType<string>,
  label: string,
  entries: Iterable<[string | number, number]>,
): void {
  counter.reset();
  for (const [value, count] of entries) counter.inc({ [label]: String(value) }, count);
}

/** Creates the registry and the meter; see docs/operations.md for every metric and label. */
export function createMetrics(sources: MetricsSources, options: MetricsOptions = {}): Metrics {
  const { Counter, Gauge, Histogram, Registry } = loadPromClient();
  const registry = new Registry();
  const registers = [registry];
  const reader = options.processStats ?? processStats;
  const lag: EventLoopLag = startEventLoopLag();

  const handshake = new Histogram({
    name: "switchboard_handshake_seconds",
    help: "WebSocket upgrade until welcome (accepted) or the refusal close (refused)",
    labelNames: ["outcome"],
    buckets: HANDSHAKE_BUCKETS,
    registers,
  });
  const fanout = new Histogram({
    name: "switchboard_fanout_seconds",
    help: "One publish's local fan-out loop (writes are queued, not yet on the wire)",
    buckets: FANOUT_BUCKETS,
    registers,
  });
  // Both series exist from the start (at 0), so rates and alerts need no absent() special case.
  handshake.zero({ outcome: "accepted" });
  handshake.zero({ outcome: "refused" });
  // Pre-bound children: the label lookup happens once, here.
  const accepted = handshake.labels("accepted");
  const refused = handshake.labels("refused");
  const meter = createMeter({
    handshake: (seconds, outcome) => (outcome === "accepted" ? accepted : refused).observe(seconds),
    fanout: (seconds) => fanout.observe(seconds),
  });

  new Gauge({
    name: "switchboard_connections",
    help: "Authenticated WebSocket connections",
    registers,
    collect() {
      this.set(sources.connections());
    },
  });
  new Gauge({
    name: "switchboard_subscriptions",
    help: "Subscriptions (channels and patterns) of all connections",
    registers,
    collect() {
      this.set(sources.subscriptions());
    },
  });
  new Gauge({
    name: "switchboard_draining",
    help: "1 while the server drains for shutdown",
    registers,
    collect() {
      this.set(sources.draining() ? 1 : 0);
    },
  });
  if (options.maxConnections !== undefined) {
    new Gauge({ name: "switchboard_connections_max", help: "Connection cap", registers }).set(
      options.maxConnections,
    );
  }

  new Counter({
    name: "switchboard_frames_in_total",
    help: "Frames received, by type (invalid = undecodable or unknown type)",
    labelNames: ["type"],
    registers,
    collect() {
      copyInto(this, "type", Object.entries(meter.framesIn));
    },
  });
  new Counter({
    name: "switchboard_frames_out_total",
    help: "Frames delivered, by type (one message to three subscribers counts 3)",
    labelNames: ["type"],
    registers,
    collect() {
      copyInto(this, "type", Object.entries(meter.framesOut));
    },
  });
  new Counter({
    name: "switchboard_errors_total",
    help: "error frames sent, by code",
    labelNames: ["code"],
    registers,
    collect() {
      copyInto(this, "code", Object.entries(meter.errors));
    },
  });
  new Counter({
    name: "switchboard_closes_total",
    help: "WebSocket closes by code (as seen on the socket; 1006 = dropped without a close frame)",
    labelNames: ["code"],
    registers,
    collect() {
      copyInto(this, "code", meter.closes);
    },
  });
  new Counter({
    name: "switchboard_upgrade_rejections_total",
    help: "Upgrade requests answered with plain HTTP (429 rate limited, 503 draining or full, 404)",
    labelNames: ["status"],
    registers,
    collect() {
      copyInto(this, "status", meter.upgradeRejections);
    },
  });

  new Counter({
    name: "switchboard_transport_fallbacks_total",
    help: "Connections written through ws.send because ws's socket was not reachable (no corking); 0 with the pinned ws",
    registers,
    collect() {
      this.reset();
      this.inc(meter.transportFallbacks);
    },
  });

  new Gauge({
    name: "switchboard_event_loop_lag_seconds",
    help: "Event-loop delay since the previous scrape (stat: p99, max)",
    labelNames: ["stat"],
    registers,
    collect() {
      const { p99Seconds, maxSeconds } = lag.sample();
      this.set({ stat: "p99" }, p99Seconds);
      this.set({ stat: "max" }, maxSeconds);
    },
  });

  registerProcessGauges(registers, reader, options.maxFds);

  return {
    meter,
    contentType: registry.contentType,
    scrape: () => registry.metrics(),
    close: () => lag.stop(),
  };
}

/** Process gauges whose readers may throw; a failed read keeps the last value and is counted. */
function registerProcessGauges(
  registers: Registry[],
  reader: ProcessStatsReader,
  maxFds: number | undefined,
): void {
  const { Counter, Gauge } = loadPromClient();
  const gauge = (name: string, help: string, stat: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        try {
          this.set(read());
        } catch {
          failures.inc({ stat });
        }
      },
    });
  gauge("switchboard_process_resident_memory_bytes", "Resident set size", "rss", () =>
    reader.residentMemoryBytes(),
  );
  gauge("switchboard_process_open_fds", "Open file descriptors", "open_fds", () => reader.openFds());
  gauge("switchboard_process_heap_used_bytes", "V8 heap in use", "heap", () => reader.heapUsedBytes());
  if (maxFds !== undefined) {
    new Gauge({ name: "switchboard_process_max_fds", help: "Open-file limit", registers }).set(maxFds);
  }
  // Registered after the gauges: a registry renders in order, so a failure counted while the gauges
  // collect shows in this very scrape.
  const failures = new Counter({
    name: "switchboard_process_stat_errors_total",
    help: "Process statistics that could not be read (e.g. EMFILE at the open-file limit)",
    labelNames: ["stat"],
    registers,
  });
}
