/**
 * What a node needs to be part of a cluster: the two seams, with implementations chosen by the
 * caller (the CLI's `--redis`, or an in-process memory bus in tests).
 */
import { randomUUID } from "node:crypto";
import type { Broker, BrokerErrorHandler } from "./broker.js";
import { createRedisPresence } from "./presence-redis.js";
import type { PresenceRegistry } from "./presence-registry.js";
import { createRedisBroker } from "./redis-broker.js";

/** Timings of a cluster node (cluster-node.ts); the defaults suit production, tests shorten them. */
export interface ClusterTimings {
  /** Registry heartbeat and `node-info` period. Default 1,000 ms (well under the 10 s TTL / 3). */
  heartbeatMs?: number;
  /** How often this node removes dead nodes' entries. Default 2,000 ms. */
  sweepMs?: number;
  /** A `node-info` older than this no longer counts (the node is gone). Default 3,500 ms. */
  nodeInfoStaleMs?: number;
  /**
   * While draining, how long a closed socket's presence is kept before it leaves, so a peer that
   * reconnects to another node meanwhile never flaps `left`/`joined`. Default 1,500 ms.
   */
  handoverMs?: number;
  /** The longest a new channel's presence view waits for this node's interest. Default 2,000 ms. */
  interestWaitMs?: number;
}

/**
 * The cluster side of {@link ServerDeps}: a broker and a presence registry of the same node id.
 * The server owns them once passed: it starts the broker in `listen` and closes both in `close`.
 */
export interface ClusterDeps {
  readonly broker: Broker;
  readonly presence: PresenceRegistry;
  /** Heartbeat, sweep and handover periods; the defaults suit production (tests shorten them). */
  readonly timings?: ClusterTimings;
}

/** Options of {@link connectRedisCluster}. */
export interface RedisClusterOptions {
  /** `redis://HOST:PORT` (or `rediss://`); the same for every node of the cluster. */
  url: string;
  /** Default: a random UUID (a restarted node is a new node). */
  nodeId?: string;
  /** Prefix of every Redis key and channel. Default `switchboard:`; clusters sharing a Redis differ here. */
  prefix?: string;
  /** Presence entries of a node that stops heartbeating expire after this. Default 10,000 ms. */
  presenceTtlMs?: number;
  /** Told about every failure the broker and the registry swallow. Default: ignore. */
  onError?: BrokerErrorHandler;
}

/** Longest pause between two attempts to reach Redis again. */
const RECONNECT_MAX_MS = 500;

/**
 * A broker and a presence registry on one Redis (Pub/Sub for the broker, Lua scripts for
 * presence). Nothing is sent before the server's `listen`; the registry connects at once.
 */
export function connectRedisCluster(options: RedisClusterOptions): ClusterDeps {
  const nodeId = options.nodeId ?? randomUUID();
  const onError = options.onError ?? (() => {});
  // Reconnect fast and keep trying: a node must notice Redis is back within about a second
  // (ioredis' default backs off to 2 s between attempts).
  const redis = { retryStrategy: (attempt: number) => Math.min(attempt * 100, RECONNECT_MAX_MS) };
  const common = {
    url: options.url,
    nodeId,
    redis,
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
  };
  return {
    broker: createRedisBroker({ ...common, onError }),
    presence: createRedisPresence({
      ...common,
      ...(options.presenceTtlMs === undefined ? {} : { ttlMs: options.presenceTtlMs }),
      onError: (error) => onError(error, "connection"),
    }),
  };
}
