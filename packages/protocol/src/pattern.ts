/**
 * Channel-pattern matching (protocol.md §8).
 *
 * Patterns are compiled to a linear-time matcher (a plain comparison for the common shapes, a
 * greedy piece-by-piece search otherwise) instead of a `RegExp`: a backtracking regex engine can
 * take time exponential in the number of wildcards (`*a*a*a*a*b` against `aaaa…`), and patterns come
 * from clients.
 */

import { DSTAR, isWildcard, type Token, tokenize } from "./glob.js";
import { Limits } from "./limits.js";
import { piecesMatcher } from "./pieces.js";

export { patternMatchSteps } from "./pieces.js";

/** Tests one literal (already unescaped) channel name against a compiled pattern. */
export type ChannelMatcher = (literal: string) => boolean;

/** Compiled matchers kept by {@link compilePattern}; cleared wholesale when full. */
const CACHE_LIMIT = 10_000;
const cache = new Map<string, ChannelMatcher>();

const SLASH = 0x2f;

/**
 * Compiles a channel pattern into a matcher for literal names: `*` matches any run, possibly empty,
 * of characters other than `/`; `**` (and `***` and longer) any run including `/`; `\*` and `\\` are
 * a literal `*` and `\`; a backslash before anything else is a literal backslash; every other
 * character matches itself. Matching is whole-string and case-sensitive. A wildcard-free pattern
 * matches exactly its {@link literalName}.
 *
 * Matching time is O(name length + pattern length), whatever the number of wildcards. Results are memoised per pattern text in a
 * bounded cache (10,000 entries, cleared when full), so calling this on every frame is cheap. Never
 * throws; does not validate the pattern (see `channelError`).
 */
export function compilePattern(pattern: string): ChannelMatcher {
  let matcher = cache.get(pattern);
  if (matcher === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear(); // crude but bounded; recompiling is cheap
    matcher = buildMatcher(tokenize(pattern));
    cache.set(pattern, matcher);
  }
  return matcher;
}

/** True when the literal name `literal` is matched by `pattern` (see {@link compilePattern}). */
export function matchesPattern(pattern: string, literal: string): boolean {
  return compilePattern(pattern)(literal);
}

/**
 * The leading whole segments that every name matched by `pattern` starts with: the literal text
 * before the first wildcard, cut just after its last `/` (`""` when there is none). For
 * `user/42/**` it is `user/42/`, for `room-*` and `**` it is `""`, for `a/b\*c/*` (an escaped, literal `*`) it is `a/b*c/`.
 * An index of patterns keyed by this lets a publish to `a/b/c` test only the patterns under `""`,
 * `a/` and `a/b/` instead of every pattern (see {@link segmentPrefixes}). At most
 * `Limits.maxIndexedPatternSegments` segments are kept, so a name has a bounded number of buckets.
 */
export function patternSegmentPrefix(pattern: string): string {
  const tokens = tokenize(pattern);
  let cut = 0;
  let segments = 0;
  for (let i = 0; i < tokens.length && segments < Limits.maxIndexedPatternSegments; i++) {
    const token = tokens[i] as Token;
    if (isWildcard(token)) break;
    if (token === SLASH) {
      cut = i + 1;
      segments++;
    }
  }
  let prefix = "";
  for (let i = 0; i < cut; i++) prefix += String.fromCharCode(tokens[i] as Token);
  return prefix;
}

/**
 * Every `/`-terminated prefix of a literal name of at most `Limits.maxIndexedPatternSegments`
 * segments, shortest first, after `""`: `a/b/c` → `""`, `a/`, `a/b/`. A pattern can match `literal`
 * only if its {@link patternSegmentPrefix} is one of these.
 */
export function segmentPrefixes(literal: string): string[] {
  const prefixes = [""];
  for (
    let i = literal.indexOf("/");
    i >= 0 && prefixes.length <= Limits.maxIndexedPatternSegments;
    i = literal.indexOf("/", i + 1)
  ) {
    prefixes.push(literal.slice(0, i + 1));
  }
  return prefixes;
}

/** True when at least one of `patterns` matches `literal`; false for an empty list. */
export function anyPatternMatches(patterns: readonly string[], literal: string): boolean {
  for (const pattern of patterns) {
    if (compilePattern(pattern)(literal)) return true;
  }
  return false;
}

function buildMatcher(tokens: Token[]): ChannelMatcher {
  const wildcards = tokens.filter(isWildcard).length;
  if (wildcards === 0) {
    const exact = fromCodeUnits(tokens);
    return (literal) => literal === exact;
  }
  if (wildcards === 1) return singleWildcardMatcher(tokens);
  return piecesMatcher(tokens);
}

/** `prefix*suffix` or `prefix**suffix`: the shapes nearly every real pattern has, in O(n). */
function singleWildcardMatcher(tokens: Token[]): ChannelMatcher {
  const at = tokens.findIndex(isWildcard);
  const prefix = fromCodeUnits(tokens.slice(0, at));
  const suffix = fromCodeUnits(tokens.slice(at + 1));
  const fixed = prefix.length + suffix.length;
  const crossesSlash = tokens[at] === DSTAR;
  return (literal) => {
    if (literal.length < fixed || !literal.startsWith(prefix) || !literal.endsWith(suffix)) return false;
    if (crossesSlash) return true;
    const slash = literal.indexOf("/", prefix.length);
    return slash === -1 || slash >= literal.length - suffix.length;
  };
}

function fromCodeUnits(tokens: readonly Token[]): string {
  let s = "";
  for (const t of tokens) s += String.fromCharCode(t);
  return s;
}
