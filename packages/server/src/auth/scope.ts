import {
  type Action,
  anyPatternMatches,
  type Coverage,
  hasWildcard,
  literalName,
  patternCoverage,
} from "@switchboard/protocol";

/**
 * What one connection may do: the channel patterns it may use and the actions it holds.
 * For a publishable key it is the key's scope (shared by every connection of that key); for a JWT it
 * is the token's `channels` and `permissions` (already checked to lie within the signing key's).
 */
export interface Scope {
  readonly patterns: readonly string[];
  readonly actions: ReadonlySet<Action>;
}

/**
 * Builds a scope from copies of its inputs. The object and its pattern list are frozen, so one scope
 * can be shared by every connection holding the same grant (see `sharedScopes` in scope-cache.ts); the action set is
 * read-only by type (nothing in the server mutates a scope).
 */
export function createScope(patterns: readonly string[], actions: Iterable<Action>): Scope {
  return Object.freeze({ patterns: Object.freeze([...patterns]), actions: new Set(actions) });
}

/** Whether the scope holds `action`. Pure. */
export function can(scope: Scope, action: Action): boolean {
  return scope.actions.has(action);
}

/**
 * Whether the scope covers a channel string: a concrete name must be matched by one of the
 * patterns; a wildcard subscription must only match names the patterns cover. Pure.
 */
export function coversChannel(scope: Scope, channel: string): boolean {
  return channelCoverage(scope, channel).covered;
}

/**
 * {@link coversChannel} with the work it took (non-zero only for a wildcard `channel`), searching
 * at most `maxSteps` transitions (see `patternCoverage`). Pure.
 */
export function channelCoverage(scope: Scope, channel: string, maxSteps?: number): Coverage {
  if (hasWildcard(channel)) return patternCoverage(channel, scope.patterns, maxSteps);
  // Every publish comes through here: answer with a shared object, not a new one per frame.
  return anyPatternMatches(scope.patterns, literalName(channel)) ? COVERED : NOT_COVERED;
}

const COVERED: Coverage = Object.freeze({ covered: true, steps: 0 });
const NOT_COVERED: Coverage = Object.freeze({ covered: false, steps: 0 });
