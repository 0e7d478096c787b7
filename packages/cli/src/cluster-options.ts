import { type ClusterDeps, connectRedisCluster, type Logger } from "@switchboard/server";
import { Option } from "commander";
import { redactUrl, urlWithProtocol } from "./data-dir.js";

/** At most one warning per failure kind per this window: a Redis outage must not flood the log. */
export const CLUSTER_WARN_INTERVAL_MS = 10_000;

/**
 * `--redis redis://HOST:PORT` (env `SWITCHBOARD_REDIS`): cluster mode, with Redis as the broker
 * between nodes and the presence registry they share.
 */
export function redisOption(): Option {
  return new Option(
    "--redis <url>",
    "cluster mode: Redis URL (redis:// or rediss://) shared by every node, for cross-node messages and presence",
  )
    .env("SWITCHBOARD_REDIS")
    .argParser(parseRedisUrl);
}

/** The value parser of {@link redisOption}. */
export const parseRedisUrl = urlWithProtocol("--redis", ["redis:", "rediss:"], "redis://HOST:6379");

/**
 * An error handler that logs at warn level, at most once per `kind` per `intervalMs`; a line
 * after a quiet window says how many of that kind were not logged meanwhile.
 */
export function rateLimitedWarn(
  log: Pick<Logger, "warn">,
  intervalMs = CLUSTER_WARN_INTERVAL_MS,
  now: () => number = Date.now,
): (error: Error, kind: string) => void {
  const state = new Map<string, { loggedAt: number; suppressed: number }>();
  return (error, kind) => {
    const t = now();
    const entry = state.get(kind);
    if (entry !== undefined && t - entry.loggedAt < intervalMs) {
      entry.suppressed++;
      return;
    }
    const suppressed = entry?.suppressed ?? 0;
    state.set(kind, { loggedAt: t, suppressed: 0 });
    log.warn(
      { kind, err: error.message, ...(suppressed > 0 && { suppressed }) },
      "cluster backend error (Redis)",
    );
  };
}

/** What `serve` shows about cluster mode. */
export interface ClusterInfo {
  nodeId: string;
  /** The Redis URL, password redacted. */
  redis: string;
}

/** The cluster deps of `--redis url`, with failures logged by {@link rateLimitedWarn}. */
export function clusterDeps(url: string, log: Logger): { cluster: ClusterDeps; info: ClusterInfo } {
  const cluster = connectRedisCluster({ url, onError: rateLimitedWarn(log) });
  return { cluster, info: { nodeId: cluster.broker.nodeId, redis: redactUrl(url) } };
}

/** Releases the Redis connections of `cluster` (idempotent; the server normally does it in `close`). */
export async function releaseCluster(cluster: ClusterDeps): Promise<void> {
  await Promise.allSettled([cluster.broker.close(), cluster.presence.dispose()]);
}
