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
  const bTokens = bs.map(tokenize);
  // `**` matches everything: the default key scope, so worth answering without a search.
  if (bTokens.some((t) => t.length === 1 && t[0] === DSTAR)) return true;
  const aTokens = tokenize(a);
  if (!aTokens.some(isWildcard)) return anyPatternMatches(bs, literalName(a));
  // A pattern covers itself; answering that directly keeps it true even for patterns whose
  // subset construction would blow the search bound.
  if (bTokens.some((t) => sameTokens(t, aTokens))) return true;
  return inclusion(aTokens, bTokens).kind === "covered";
}

function sameTokens(x: readonly Token[], y: readonly Token[]): boolean {
  return x.length === y.length && x.every((token, i) => token === y[i]);
}
