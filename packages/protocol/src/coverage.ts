/**
 * Pattern coverage: does a set of channel patterns grant everything another pattern can name?
 * Used to authorise wildcard subscriptions and to check JWT `channels` against the signing key's
 * `channelPatterns` (protocol.md §2, §3). The algorithm lives in inclusion.ts.
 */

import { literalName } from "./channel.js";
import { DSTAR, isWildcard, type Token, tokenize } from "./glob.js";
import { inclusion } from "./inclusion.js";
import { anyPatternMatches } from "./pattern.js";

/**
 * True only if every literal name matched by pattern `a` is matched by at least one of `bs`
 * (language inclusion; §8 pattern syntax, see `compilePattern`).
 *
 * Sound and exact: `false` whenever some string matched by `a` is matched by none of `bs`, `true`
 * otherwise. Inclusion is judged over all strings, not just valid channel names, which can only
 * make it stricter. A wildcard-free `a` is covered iff some `b` matches `literalName(a)`; an empty
 * `bs` covers nothing; any `bs` containing `**` covers everything.
 *
 * The search is bounded (200,000 configurations or 500,000 state transitions, a few tens of
 * milliseconds); past the bound the answer is `false`, so a deliberately pathological pattern is
 * refused instead of stalling the event loop. Real scopes stay far below it. Never throws. Not
 * memoised: callers check a handful of patterns per connection or subscription.
 */
export function patternCovers(a: string, bs: readonly string[]): boolean {
  return patternCoverage(a, bs).covered;
}

/** {@link patternCovers}'s answer and what it cost. */
export interface Coverage {
  readonly covered: boolean;
  /**
   * State transitions the inclusion search made: 0 on the fast paths (`**` in `bs`, a wildcard-free
   * `a`, `a` among `bs`), a few hundred for real scopes, up to ≈ 500,000 (tens of milliseconds) for
   * a pathological `a`. A server can charge it to the client that chose `a`.
   */
  readonly steps: number;
}

/**
 * {@link patternCovers}, also telling how much work the answer took (see {@link Coverage}).
 * `maxSteps` lowers the search bound (never above the default ≈ 500,000 transitions); past it the
 * answer is `covered: false`, as for patternCovers past its bound.
 */
export function patternCoverage(a: string, bs: readonly string[], maxSteps?: number): Coverage {
  const bTokens = bs.map(tokenize);
  // `**` matches everything: the default key scope, so worth answering without a search.
  if (bTokens.some((t) => t.length === 1 && t[0] === DSTAR)) return FREE_YES;
  const aTokens = tokenize(a);
  if (!aTokens.some(isWildcard)) return anyPatternMatches(bs, literalName(a)) ? FREE_YES : FREE_NO;
  // A pattern covers itself; answering that directly keeps it true even for patterns whose
  // subset construction would blow the search bound.
  if (bTokens.some((t) => sameTokens(t, aTokens))) return FREE_YES;
  const result = inclusion(aTokens, bTokens, maxSteps);
  return { covered: result.kind === "covered", steps: result.steps };
}

const FREE_YES: Coverage = Object.freeze({ covered: true, steps: 0 });
const FREE_NO: Coverage = Object.freeze({ covered: false, steps: 0 });

function sameTokens(x: readonly Token[], y: readonly Token[]): boolean {
  return x.length === y.length && x.every((token, i) => token === y[i]);
}
