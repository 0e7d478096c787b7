/**
 * Server configuration: plain data with defaults. Durations end in `Ms`.
 * Mistakes throw one `TypeError` listing every problem ({@link resolveConfig}).
 */
export interface ServerConfig {
  /** Interface to bind. Default `127.0.0.1`. */
  host: string;
  /** TCP port; 0 picks a free one. Default 8080. */
  port: number;
  /** WebSocket upgrade attempts allowed per client IP per `connectRateWindowMs`; 0 disables. Default 60. */
  connectRatePerIp: number;
  /** Window of the per-IP connect rate. Default 60,000. */
  connectRateWindowMs: number;
  /**
   * Most concurrent WebSocket connections this process accepts; over it upgrades get HTTP 503.
   * Default: the open-file limit minus headroom for the store, logs and listening sockets; a larger
   * value is lowered to that (the process must never run out of file descriptors).
   */
  maxConnections: number | undefined;
  /** A socket whose unsent bytes pass this is closed (it stopped reading). Default 1 MiB. */
  sendBufferLimitBytes: number;
  /** WebSocket ping period. Default 30,000. */
  pingIntervalMs: number;
  /** A socket that has not answered a ping this long after it was sent is terminated. Default 10,000. */
  pongTimeoutMs: number;
  /** Per-connection token bucket: frames per second (every frame but `ping`). Default 100. */
  rateFramesPerSec: number;
  /** Per-connection token bucket: burst. Default 200. */
  rateBurst: number;
  /**
   * Least `retryAfterMs` announced in `going_away` on shutdown; each client gets a random extra of
   * up to half of it, so clients closed in the same instant do not all come back together. Default 1,000.
   */
  goingAwayRetryAfterMs: number;
  /**
   * Graceful drain window: on shutdown, clients get `going_away` and a 1001 close spread evenly over
   * it (drain.ts); 0 closes everyone at once. At most 3,600,000. Default 10,000.
   */
  drainMs: number;
  /** Serve Prometheus metrics at `/metrics` (no auth: bind privately or firewall it). Default true. */
  metricsEnabled: boolean;
  /** Usage counters are written to the store at least this often (and on shutdown). Default 5,000. */
  usageFlushMs: number;
  /** REST requests allowed per credential per second (burst 2×); over it → 429. Default 100. */
  restRatePerSec: number;
  /** TURN REST shared secret (coturn `static-auth-secret`); TURN is off without it. */
  turnSecret: string | undefined;
  /** TURN/STUN URLs handed out with credentials, e.g. `turn:turn.example.com:3478?transport=udp`. */
  turnUrls: string[];
  /** Longest TURN credential lifetime in seconds. Default 86,400. */
  turnTtlSec: number;
}

/** Defaults of {@link ServerConfig}. */
export const defaults: ServerConfig = {
  host: "127.0.0.1",
  port: 8080,
  connectRatePerIp: 60,
  connectRateWindowMs: 60_000,
  maxConnections: undefined,
  sendBufferLimitBytes: 1024 * 1024,
  pingIntervalMs: 30_000,
  pongTimeoutMs: 10_000,
  rateFramesPerSec: 100,
  rateBurst: 200,
  goingAwayRetryAfterMs: 1_000,
  drainMs: 10_000,
  metricsEnabled: true,
  usageFlushMs: 5_000,
  restRatePerSec: 100,
  turnSecret: undefined,
  turnUrls: [],
  turnTtlSec: 86_400,
};

const nonNegativeIntegers = [
  "connectRatePerIp",
  "sendBufferLimitBytes",
  "rateFramesPerSec",
  "rateBurst",
  "goingAwayRetryAfterMs",
  "drainMs",
] as const;
const positiveIntegers = [
  "connectRateWindowMs",
  "pingIntervalMs",
  "pongTimeoutMs",
  "usageFlushMs",
  "restRatePerSec",
  "turnTtlSec",
] as const;

/** Merges `options` over {@link defaults} and validates; throws a `TypeError` naming every problem. */
export function resolveConfig(options: Partial<ServerConfig> = {}): ServerConfig {
  const config: ServerConfig = { ...defaults };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (config as unknown as Record<string, unknown>)[key] = value;
  }
  const problems: string[] = [];
  if (typeof config.host !== "string" || config.host === "") problems.push("host must be a non-empty string");
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535) {
    problems.push("port must be an integer from 0 to 65535");
  }
  for (const key of nonNegativeIntegers) {
    if (!Number.isInteger(config[key]) || config[key] < 0) problems.push(`${key} must be an integer ≥ 0`);
  }
  for (const key of positiveIntegers) {
    if (!Number.isInteger(config[key]) || config[key] <= 0) problems.push(`${key} must be an integer > 0`);
  }
  if (
    config.maxConnections !== undefined &&
    (!Number.isInteger(config.maxConnections) || config.maxConnections < 1)
  ) {
    problems.push("maxConnections must be an integer ≥ 1");
  }
  if (
    config.turnSecret !== undefined &&
    (typeof config.turnSecret !== "string" || config.turnSecret === "")
  ) {
    problems.push("turnSecret must be a non-empty string");
  }
  if (!Array.isArray(config.turnUrls) || !config.turnUrls.every((u) => /^(stuns?|turns?):\S+$/.test(u))) {
    problems.push("turnUrls must be stun:, stuns:, turn: or turns: URLs");
  }
  if (config.turnSecret !== undefined && !config.turnUrls.some((u) => /^turns?:/.test(u))) {
    problems.push("turnSecret needs at least one turn: or turns: URL in turnUrls");
  }
  // Timers cannot wait longer than 2^31 ms, and an hour is already far beyond any useful drain.
  if (Number.isInteger(config.drainMs) && config.drainMs > 3_600_000) {
    problems.push("drainMs must be at most 3,600,000 (one hour)");
  }
  if (typeof config.metricsEnabled !== "boolean") problems.push("metricsEnabled must be a boolean");
  if (problems.length > 0) throw new TypeError(`invalid server config: ${problems.join("; ")}`);
  return config;
}
