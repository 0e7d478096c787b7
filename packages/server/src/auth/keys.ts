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
 * random ids cannot fill memory); `invalidate()` drops everything and runs on every store change.
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
  return {
    async lookup(id) {
      const hit = cache.get(id);
      if (hit) return hit;
      const generation = cache;
      const record = await store.getKey(id);
      if (!record || record.revoked) return undefined;
      let hmacKey: Uint8Array | undefined;
      if (record.type === "secret") {
        const secret = await store.getSigningSecret(id);
        if (secret === undefined) return undefined;
        hmacKey = encoder.encode(secret);
      }
      const resolved: ResolvedKey = { record, scope: createScope(record.channelPatterns, record.actions) };
      if (hmacKey) resolved.hmacKey = hmacKey;
      // A change that landed while we were reading must not be overwritten by a stale entry.
      if (generation === cache) {
        if (cache.size >= MAX_CACHED_KEYS) cache.clear();
        cache.set(id, resolved);
      }
      return resolved;
    },
    invalidate() {
      cache = new Map();
    },
  };
}
