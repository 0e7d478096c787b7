import { createSecureContext } from "node:tls";
import { Limits } from "@switchboard/protocol";
import { invalidTrustEntries } from "./http/client-address.js";

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
  /**
   * Per-connection token bucket: burst. Default 200. Also sets how much coverage work one
   * subscribe, token request or handshake may cost (auth/coverage-budget.ts).
   */
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
  /**
   * Longest TURN credential lifetime handed to a publishable-key connection (one whose key opted in
   * with `autoInjectTurn`), in seconds; `turnTtlSec` still caps it. Default 3,600.
   */
  turnTtlPublishableSec: number;
  /**
   * Longest connect-token lifetime, in seconds: a JWT whose `exp − (iat, or now when absent)` is
   * over it is refused with 4001, and `POST /v1/tokens` mints none longer. Default 86,400.
   */
  maxTokenTtlSec: number;
  /**
   * Proxies whose `X-Forwarded-For` is believed: addresses, CIDRs (IPv4 and IPv6) and the names
   * `loopback`, `linklocal`, `uniquelocal`. The client address of a request from one of them is the
   * right-most untrusted entry of the header (http/client-address.ts); it keys the per-IP limits
   * (IPv6 per /64) and is what logs show. Empty (default): the header is ignored.
   */
  trustProxy: string[];
  /**
   * Serve HTTPS and WSS (PEM certificate chain and private key); plain HTTP on the port is then
   * refused. Default: plain HTTP.
   */
  tls: TlsConfig | undefined;
}

/** PEM texts of {@link ServerConfig.tls}. */
export interface TlsConfig {
  cert: string | Buffer;
  key: string | Buffer;
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
  // The protocol's rate (protocol.md §3), one source of truth for server and SDK.
  rateFramesPerSec: Limits.rateFramesPerSec,
  rateBurst: Limits.rateBurst,
  goingAwayRetryAfterMs: 1_000,
  drainMs: 10_000,
  metricsEnabled: true,
  usageFlushMs: 5_000,
  restRatePerSec: 100,
  turnSecret: undefined,
  turnUrls: [],
  turnTtlSec: 86_400,
  turnTtlPublishableSec: 3_600,
  maxTokenTtlSec: 86_400,
  trustProxy: [],
  tls: undefined,
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
  "turnTtlPublishableSec",
  "maxTokenTtlSec",
] as const;

function trustProxyProblems(list: unknown): string[] {
  if (!Array.isArray(list) || !list.every((entry) => typeof entry === "string")) {
    return ["trustProxy must be an array of addresses or CIDRs"];
  }
  const bad = invalidTrustEntries(list);
  return bad.length === 0 ? [] : [`trustProxy entries are not addresses or CIDRs: ${bad.join(", ")}`];
}

function tlsProblems(tls: TlsConfig | undefined): string[] {
  if (tls === undefined) return [];
  if (!tls?.cert || !tls.key) return ["tls needs both cert and key (PEM)"];
  try {
    createSecureContext({ cert: tls.cert, key: tls.key });
    return [];
  } catch (err) {
    return [`tls cert and key are not a usable PEM pair (${(err as Error).message})`];
  }
}

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
  problems.push(...trustProxyProblems(config.trustProxy), ...tlsProblems(config.tls));
  if (problems.length > 0) throw new TypeError(`invalid server config: ${problems.join("; ")}`);
  return config;
}
