/**
 * The Redis Pub/Sub channel names of one cluster, all under one configurable prefix (tests isolate
 * runs with a random one; operators can share a Redis between clusters):
 *
 * | name                        | carries                                        | subscribed by          |
 * | --------------------------- | ---------------------------------------------- | ---------------------- |
 * | `<prefix>c:<app>:<channel>` | `message` and `presence` of one channel         | nodes with `{channel}` interest (SUBSCRIBE) |
 * | `<prefix>c:<app>:*`         | (a pattern) every channel of the app            | nodes with `{pattern}` or `{app}` interest (PSUBSCRIBE) |
 * | `<prefix>n:<node>`          | `sendTo` envelopes for one node (its inbox)     | that node, from `start` |
 * | `<prefix>all`               | `control`, and `direct` with no known node      | every node, from `start` |
 *
 * Messages and presence deltas of one channel share its Redis channel, so their relative order is
 * kept. `:` and `%` in an app id are percent-escaped so that one app's pattern can never match
 * another app's channels (store ids contain neither, so the escape is normally a no-op).
 */

/** Default prefix of every channel name. */
export const DEFAULT_REDIS_PREFIX = "switchboard:";

/** The names for one prefix (see the module comment). */
export interface RedisChannels {
  channel(appId: string, channel: string): string;
  appPattern(appId: string): string;
  node(nodeId: string): string;
  readonly all: string;
}

const APP_SPECIAL = /[:%]/g;
const GLOB_SPECIAL = /[*?[\]\\]/g;

function escapeApp(appId: string): string {
  return appId.replace(APP_SPECIAL, (c) => (c === ":" ? "%3A" : "%25"));
}

/** The channel names under `prefix` (default {@link DEFAULT_REDIS_PREFIX}). */
export function redisChannels(prefix: string = DEFAULT_REDIS_PREFIX): RedisChannels {
  return {
    channel: (appId, channel) => `${prefix}c:${escapeApp(appId)}:${channel}`,
    // Glob characters in the prefix or app id must match themselves only.
    appPattern: (appId) => `${`${prefix}c:${escapeApp(appId)}:`.replace(GLOB_SPECIAL, "\\$&")}*`,
    node: (nodeId) => `${prefix}n:${nodeId}`,
    all: `${prefix}all`,
  };
}
