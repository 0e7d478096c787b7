/**
 * Pattern coverage: does a set of channel patterns grant everything another pattern can name?
 * Used to authorise wildcard subscriptions and to check JWT `channels` against the signing key's
 * `channelPatterns` (protocol.md §2, §3). The algorithm lives in inclusion.ts.
 */

import { literalName } from "./channel.js";
import { DSTAR, isWildcard, type Token, tokenize } from "./glob.js";
import { finish, inclusionSearch, MAX_STEPS, type Union, unionOf } from "./inclusion.js";
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
  return finish(coverageAgainst(a, prepare(bs), maxSteps, Number.POSITIVE_INFINITY));
}

/**
 * Whether every pattern of `as` is covered by `bs` ({@link patternCovers} for each), with one step
 * bound for all the searches together: `maxSteps` (default and ceiling the library's ≈ 500,000) is
 * the total, each search gets what the previous ones left, and once it is spent the answer is
 * `covered: false` — a bound reached refuses, it never grants. Stops at the first pattern not
 * covered; `steps` is the work of all searches made. For a token's `channels` (up to 100 patterns)
 * checked against a key's `channelPatterns`: `bs` is tokenised and laid out once, not per pattern.
 */
export function patternsCoverage(
  as: readonly string[],
  bs: readonly string[],
  maxSteps: number = MAX_STEPS,
): Coverage {
  return finish(patternsCoverageSearch(as, bs, maxSteps, Number.POSITIVE_INFINITY));
}

/**
 * {@link patternsCoverage} in slices: the generator pauses (yields) after about every
 * `sliceSteps` transitions of search, so a server can let other clients' work run between slices
 * instead of holding its event loop for the whole bound; it returns the same answer.
 */
export function* patternsCoverageSearch(
  as: readonly string[],
  bs: readonly string[],
  maxSteps: number,
  sliceSteps: number,
): Generator<void, Coverage, void> {
  const union = prepare(bs);
  let steps = 0;
  for (const a of as) {
    const coverage = yield* coverageAgainst(a, union, maxSteps - steps, sliceSteps);
    steps += coverage.steps;
    if (!coverage.covered) return { covered: false, steps };
  }
  return { covered: true, steps };
}

/** `bs` tokenised once, with what the fast paths need. */
interface Prepared {
  readonly patterns: readonly string[];
  readonly tokens: Token[][];
  /** Some b is `**`. */
  readonly universal: boolean;
  /** {@link canonical} keys of the bs: a pattern covers itself. */
  readonly own: ReadonlySet<string>;
  /** The inclusion search's form of bs, built on first need. */
  union: Union | undefined;
}

/** Frozen pattern lists (a scope's) prepared once; other lists are prepared per call. */
const preparedLists = new WeakMap<readonly string[], Prepared>();

function prepare(bs: readonly string[]): Prepared {
  let prepared = preparedLists.get(bs);
  if (prepared !== undefined) return prepared;
  const tokens = bs.map(tokenize);
  prepared = {
    patterns: bs,
    tokens,
    universal: tokens.some((t) => t.length === 1 && t[0] === DSTAR),
    own: new Set(tokens.map(canonical)),
    union: undefined,
  };
  if (Object.isFrozen(bs)) preparedLists.set(bs, prepared);
  return prepared;
}

function* coverageAgainst(
  a: string,
  bs: Prepared,
  maxSteps: number | undefined,
  sliceSteps: number,
): Generator<void, Coverage, void> {
  // `**` matches everything: the default key scope, so worth answering without a search.
  if (bs.universal) return FREE_YES;
  const aTokens = tokenize(a);
  if (!aTokens.some(isWildcard)) {
    return anyPatternMatches(bs.patterns, literalName(a)) ? FREE_YES : FREE_NO;
  }
  // A pattern covers itself; answering that directly keeps it true even for patterns whose
  // subset construction would blow the search bound.
  if (bs.own.has(canonical(aTokens))) return FREE_YES;
  if (maxSteps !== undefined && maxSteps <= 0) return FREE_NO; // the budget is spent: refuse
  bs.union ??= unionOf(bs.tokens);
  const result = yield* inclusionSearch(aTokens, bs.union, maxSteps ?? MAX_STEPS, sliceSteps);
  searchSteps += result.steps;
  return { covered: result.kind === "covered", steps: result.steps };
}

/** Transitions of every inclusion search since the module loaded (see {@link patternCoverageSteps}). */
let searchSteps = 0;

/**
 * Total state transitions of every coverage search so far ({@link Coverage.steps} summed): a
 * monotonic counter for tests and benchmarks, which take differences of it around a request.
 */
export function patternCoverageSteps(): number {
  return searchSteps;
}

const FREE_YES: Coverage = Object.freeze({ covered: true, steps: 0 });
const FREE_NO: Coverage = Object.freeze({ covered: false, steps: 0 });

/** Equal for patterns with equal tokens (`a\\b` and `a\b` tokenise alike). */
function canonical(tokens: readonly Token[]): string {
  return tokens.join(",");
}
