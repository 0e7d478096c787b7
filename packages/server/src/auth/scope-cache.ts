import type { Action } from "@switchboard/protocol";
import { createScope, type Scope } from "./scope.js";

/**
 * How many distinct grants are kept. Token issuers typically hand out a handful of grants, so a
 * small cache serves nearly every connect; per-user grants merely cycle through it.
 */
export const MAX_SHARED_SCOPES = 256;

/** Longer keys (big grants) are not cached, so the cache stays well under 1 MB whatever comes in. */
export const MAX_SHARED_SCOPE_KEY_LENGTH = 1_024;

/**
 * Builds scopes, handing out one shared (frozen) scope for identical inputs. Each JWT connection
 * used to keep its own copy of its token's grant (≈ 0.3 KB); most tokens of an app carry the same.
 */
export interface ScopeCache {
  /**
   * The scope of exactly these patterns and actions, as given (same order, duplicates kept): a
   * cached one when the same inputs were seen recently, else a fresh one (cached when small).
   */
  scopeOf(patterns: readonly string[], actions: readonly Action[]): Scope;
  /** Scopes currently cached. */
  readonly size: number;
}

/** A bounded {@link ScopeCache}; the oldest entry goes first when full. */
export function createScopeCache(maxEntries = MAX_SHARED_SCOPES): ScopeCache {
  const cache = new Map<string, Scope>();
  return {
    scopeOf(patterns, actions) {
      // JSON keeps any two different inputs apart (no separator can be forged inside a string).
      const key = JSON.stringify([patterns, actions]);
      const hit = cache.get(key);
      if (hit) return hit;
      const scope = createScope(patterns, actions);
      if (key.length <= MAX_SHARED_SCOPE_KEY_LENGTH && maxEntries > 0) {
        if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
        cache.set(key, scope);
      }
      return scope;
    },
    get size() {
      return cache.size;
    },
  };
}

/** The process-wide cache the handshake uses: a scope depends on nothing but its inputs. */
export const sharedScopes: ScopeCache = createScopeCache();
