/**
 * The Redis {@link PresenceRegistry}: one connection per node, one Lua script per write
 * (presence-redis-scripts.ts, run with EVALSHA through ioredis' `defineCommand`, which falls back to
 * EVAL after a Redis restart flushed the script cache), plain reads for `members` / `nodesOf`.
 *
 * Liveness is a sorted set of node → expiry (ms), written by `heartbeat` and read by `sweep`, rather
 * than one key with a TTL per node: an expired key cannot be found again, and sweeping needs the
 * list of dead nodes. Time is Redis' own clock (`TIME`) unless a `clock` is injected (tests), so
 * nodes with skewed clocks agree on who is dead.
 *
 * Failures never escape as events or crashes: the connection's `error` events go to `onError`,
 * and every command failure rejects with `PresenceError("backend_error")`. The connection keeps an
 * offline queue with one retry per command, so calls during a short blip wait and calls during an
 * outage fail within about one reconnect attempt; ioredis reconnects by itself.
 */
import { randomUUID } from "node:crypto";
import type { JsonObject, PresenceMember } from "@switchboard/protocol";
import { Redis, type RedisOptions } from "ioredis";
import {
  PRESENCE_SCRIPTS,
  type PresenceScript,
  presenceKeys,
  presenceLua,
} from "./presence-redis-scripts.js";
import {
  checkSocket,
  DEFAULT_PRESENCE_TTL_MS,
  type LocalPresenceState,
  type PresenceArrival,
  PresenceError,
  type PresenceKey,
  type PresenceRegistry,
} from "./presence-registry.js";
import { DEFAULT_REDIS_PREFIX } from "./redis-channels.js";
import type { NodeId, SocketRef } from "./types.js";

/** Options of {@link createRedisPresence}. */
export interface RedisPresenceOptions {
  /** Default `redis://127.0.0.1:6379`. */
  url?: string;
  /** Default: a random UUID. Must be unique in the cluster. */
  nodeId?: NodeId;
  /** Prefix of every key; the registry's keys live under `<prefix>presence:`. Default {@link DEFAULT_REDIS_PREFIX}. */
  prefix?: string;
  /** How long the node stays alive after a heartbeat. Default {@link DEFAULT_PRESENCE_TTL_MS}. */
  ttlMs?: number;
  /** Wall-clock ms for expiry. Default: Redis' `TIME` (one clock for the whole cluster). */
  clock?: () => number;
  /** Told about connection errors (log them rarely, count them). Default: ignore. */
  onError?: (error: Error) => void;
  /** Extra ioredis options (the registry's own settings win). */
  redis?: RedisOptions;
}

const CLOSE_TIMEOUT_MS = 1_000;

type Reply = string | number | null | Reply[];
type ScriptRunner = (...args: string[]) => Promise<Reply>;

const encodeMetadata = (metadata: JsonObject | undefined): string =>
  metadata === undefined ? "" : JSON.stringify(metadata);
const decodeMetadata = (raw: string): JsonObject | undefined =>
  raw === "" ? undefined : (JSON.parse(raw) as JsonObject);
const member = (peerId: string, raw: string): PresenceMember => {
  const metadata = decodeMetadata(raw);
  return metadata === undefined ? { peerId } : { peerId, metadata };
};

/** Flat (app, channel, peer) triples of a script reply. */
function keysOf(flat: Reply): PresenceKey[] {
  const list = Array.isArray(flat) ? flat.map(String) : [];
  const out: PresenceKey[] = [];
  for (let i = 0; i + 2 < list.length; i += 3) {
    out.push({ appId: list[i] as string, channel: list[i + 1] as string, peerId: list[i + 2] as string });
  }
  return out;
}

/** A registry on the Redis at `options.url`; connects at once (calls before that wait for it). */
export function createRedisPresence(options: RedisPresenceOptions = {}): PresenceRegistry {
  const nodeId = options.nodeId ?? randomUUID();
  const base = `${options.prefix ?? DEFAULT_REDIS_PREFIX}presence:`;
  const keys = presenceKeys(base);
  const ttlMs = options.ttlMs ?? DEFAULT_PRESENCE_TTL_MS;
  const onError = options.onError ?? (() => {});
  const connection = new Redis(options.url ?? "redis://127.0.0.1:6379", {
    ...options.redis,
    connectionName: `${base}${nodeId}`.replace(/[^\w:.-]/g, "_"),
    maxRetriesPerRequest: 1,
  });
  connection.on("error", (error: Error) => onError(error));
  for (const name of Object.keys(PRESENCE_SCRIPTS) as PresenceScript[]) {
    connection.defineCommand(name, { numberOfKeys: 0, lua: presenceLua(name) });
  }
  let registered = false;
  // Set by a rejected write: the registry may now differ from the node's truth until a resync.
  let dirty = false;
  let disposed = false;

  async function backend<T>(what: string, run: () => Promise<T>, write: boolean): Promise<T> {
    if (disposed) throw new PresenceError("backend_error", "presence registry disposed");
    try {
      return await run();
    } catch (error) {
      if (write) dirty = true;
      throw new PresenceError("backend_error", `presence ${what} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  function script(name: PresenceScript, ...args: string[]): Promise<Reply> {
    const run = (connection as unknown as Record<PresenceScript, ScriptRunner>)[name];
    const now = options.clock === undefined ? "" : String(Math.floor(options.clock()));
    return run.call(connection, base, now, nodeId, String(ttlMs), ...args);
  }

  return {
    nodeId,

    async open(appId, peerId, socket: SocketRef) {
      checkSocket(nodeId, socket);
      await backend("open", () => script("presenceOpen", appId, peerId, String(socket.id)), true);
    },

    async close(appId, peerId, socket) {
      checkSocket(nodeId, socket);
      const reply = await backend(
        "close",
        () => script("presenceClose", appId, peerId, String(socket.id)),
        true,
      );
      return keysOf(reply).map((k) => k.channel);
    },

    async join(appId, channel, peerId, socket, metadata) {
      checkSocket(nodeId, socket);
      const args = [appId, channel, peerId, String(socket.id), encodeMetadata(metadata)];
      return { first: (await backend("join", () => script("presenceJoin", ...args), true)) === 1 };
    },

    async leave(appId, channel, peerId, socket) {
      checkSocket(nodeId, socket);
      const args = [appId, channel, peerId, String(socket.id)];
      return { last: (await backend("leave", () => script("presenceLeave", ...args), true)) === 1 };
    },

    async members(appId, channel) {
      const all = await backend("members", () => connection.hgetall(keys.channel(appId, channel)), false);
      return Object.entries(all).map(([peerId, raw]) => member(peerId, raw));
    },

    async nodesOf(appId, peerId) {
      return backend("nodesOf", () => connection.hkeys(keys.peerNodes(appId, peerId)), false);
    },

    async heartbeat() {
      const existed = await backend("heartbeat", () => script("presenceHeartbeat"), false);
      const lost = registered && existed !== 1;
      registered = true;
      return { resyncNeeded: lost || dirty };
    },

    async sweep() {
      return keysOf(await backend("sweep", () => script("presenceSweep"), false));
    },

    async resync(local: LocalPresenceState) {
      for (const item of [...local.connections, ...local.joins]) checkSocket(nodeId, item.socket);
      const state = JSON.stringify({
        c: local.connections.map((c) => [c.appId, c.peerId, String(c.socket.id)]),
        j: local.joins.map((j) => [
          j.appId,
          j.channel,
          j.peerId,
          String(j.socket.id),
          encodeMetadata(j.metadata),
        ]),
      });
      const reply = await backend("resync", () => script("presenceResync", state), true);
      dirty = false;
      registered = true;
      const [joinedFlat, leftFlat] = Array.isArray(reply) ? reply : [];
      const flat = Array.isArray(joinedFlat) ? joinedFlat.map(String) : [];
      const joined: PresenceArrival[] = [];
      for (let i = 0; i + 3 < flat.length; i += 4) {
        joined.push({
          appId: flat[i] as string,
          channel: flat[i + 1] as string,
          peerId: flat[i + 2] as string,
          metadata: decodeMetadata(flat[i + 3] as string),
        });
      }
      return { joined, left: keysOf(leftFlat ?? []) };
    },

    async dispose() {
      if (disposed) return;
      disposed = true;
      if (connection.status !== "ready") {
        connection.disconnect();
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        connection.quit().catch(() => undefined),
        new Promise((resolve) => {
          timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
      connection.disconnect();
    },
  } satisfies PresenceRegistry;
}
