import type { KeyRecord, Store } from "../store/types.js";
import { createScope, type Scope } from "./scope.js";

/** A live key as the handshake needs it: record, its scope, and the HMAC key for secret keys. */
export interface ResolvedKey {
  record: KeyRecord;
  scope: Scope;
  /** UTF-8 bytes of `sk_secret_…` (the HMAC key, as JWT libraries use a string secret). */
  hmacKey?: Uint8Array;
}

/**
 * Cached key lookup for the connect hot path. Only live keys are cached (unknown ids are not, so
 * random ids cannot fill memory); `invalidate()` runs on every store change and makes every entry
 * be read again. An entry that cannot be read again because the store is unreachable (a database
 * outage) is still served as it was last read: connects with keys this node knows keep working, and
 * what changed meanwhile applies once the store answers again.
 */
export interface KeyDirectory {
  /** The live key with this id, or undefined when unknown or revoked. */
  lookup(id: string): Promise<ResolvedKey | undefined>;
  invalidate(): void;
}

const MAX_CACHED_KEYS = 10_000;
const encoder = new TextEncoder();

export function createKeyDirectory(store: Store): KeyDirectory {
  let cache = new Map<string, ResolvedKey>();
  // The entries as they were before the last invalidation: the fallback while the store is away.
  let stale = new Map<string, ResolvedKey>();
  return {
    async lookup(id) {
      const hit = cache.get(id);
      if (hit) return hit;
      const generation = cache;
      try {
        return await read(id, generation);
      } catch (err) {
        const last = stale.get(id);
        if (last === undefined) throw err;
        return last;
      }
    },
    invalidate() {
      for (const [id, entry] of cache) stale.set(id, entry);
      if (stale.size > MAX_CACHED_KEYS) stale = new Map(cache);
      cache = new Map();
    },
  };

  async function read(id: string, generation: Map<string, ResolvedKey>): Promise<ResolvedKey | undefined> {
    const record = await store.getKey(id);
    const secret = record?.type === "secret" ? await store.getSigningSecret(id) : undefined;
    if (!record || record.revoked || (record.type === "secret" && secret === undefined)) {
      // Known to be gone: never served from the fallback again.
      stale.delete(id);
      return undefined;
    }
    const resolved: ResolvedKey = { record, scope: createScope(record.channelPatterns, record.actions) };
    if (secret !== undefined) resolved.hmacKey = encoder.encode(secret);
    // A change that landed while we were reading must not be overwritten by a stale entry.
    if (generation === cache) {
      if (cache.size >= MAX_CACHED_KEYS) cache.clear();
      cache.set(id, resolved);
      stale.delete(id);
    }
    return resolved;
  }
}
