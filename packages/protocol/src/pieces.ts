/**
 * Internal: the matcher for patterns with two or more wildcards (protocol.md §8), linear in the
 * name's length. Not re-exported except for {@link patternMatchSteps}.
 *
 * The pattern is literal pieces `p0 w1 p1 … wk pk` (each `w` one `*` or `**` token, the middle
 * pieces non-empty, since adjacent wildcards are one token). `p0` must be a prefix and `pk` a
 * suffix of the name. In between, the matcher keeps the set of positions where the part of the
 * pattern read so far can end (`reach`), one piece at a time: every occurrence of the next piece
 * (found by Knuth–Morris–Pratt, so all of them in one pass) whose start can follow a reachable
 * position across the gap — any position at or after one for `**`, and for `*` one with no `/` in
 * between — makes its end reachable. One piece costs O(name length + piece length), so one match is
 * O(wildcards × name length + pattern length): at most 8 × 256 rounds of a few array reads for a
 * valid pattern (`Limits.maxPatternWildcardRuns`). The NFA simulation this replaces was
 * O(name × pattern), ≈ 0.6 ms for one crafted 127-wildcard pattern.
 *
 * Leftmost placement alone is not enough: for the pattern `**\/*` (`**`, `/`, `*`) and the name
 * `//`, the piece `/` must be the second character, not the first, so that the `*` after it is not
 * asked to cross a `/`.
 */

import { DSTAR, isWildcard, type Token } from "./glob.js";

const SLASH = 0x2f;

/** Tests one literal channel name; see pattern.ts `ChannelMatcher`. */
type Matcher = (literal: string) => boolean;

/** Characters read by multi-wildcard matchers since the module loaded (see {@link patternMatchSteps}). */
let matchSteps = 0;

/**
 * Total work of every multi-wildcard match so far, in positions read: a monotonic counter (like a
 * CPU-time reading) for tests and benchmarks, which take differences of it. One match of a name of
 * length n reads at most 4n per middle piece (k − 1 of them for k wildcards), plus n + 1 for the
 * last gap. Matchers with no or one wildcard (a comparison, a startsWith/endsWith) are not
 * counted.
 */
export function patternMatchSteps(): number {
  return matchSteps;
}

// Scratch reach sets, reused across calls (matching is synchronous) and grown as needed.
let reach = new Uint8Array(258);
let nextReach = new Uint8Array(258);

/** Compiles tokens with at least two wildcard tokens into a linear-time matcher. */
export function piecesMatcher(tokens: readonly Token[]): Matcher {
  const pieces: string[] = [];
  const crosses: boolean[] = []; // crosses[i]: the wildcard before piece i + 1 is `**`
  let piece = "";
  for (const token of tokens) {
    if (isWildcard(token)) {
      pieces.push(piece);
      crosses.push(token === DSTAR);
      piece = "";
    } else piece += String.fromCharCode(token);
  }
  pieces.push(piece);
  const first = pieces[0] as string;
  const last = pieces[pieces.length - 1] as string;
  const middle = pieces.slice(1, -1);
  const failures = middle.map(failureTable);
  const fixed = pieces.reduce((n, p) => n + p.length, 0);
  const lastCrosses = crosses[crosses.length - 1] as boolean;

  return (literal) => {
    const n = literal.length;
    if (n < fixed || !literal.startsWith(first) || !literal.endsWith(last)) return false;
    if (reach.length < n + 1) {
      reach = new Uint8Array(2 * n + 2);
      nextReach = new Uint8Array(2 * n + 2);
    }
    const end = n - last.length; // where the last piece starts
    reach.fill(0, 0, n + 1);
    reach[first.length] = 1;
    let low = first.length; // the smallest reachable position
    let steps = 0;
    for (let i = 0; i < middle.length; i++) {
      const p = middle[i] as string;
      const m = p.length;
      const failure = failures[i] as Int32Array;
      const anySlash = crosses[i] as boolean;
      nextReach.fill(0, 0, n + 1);
      let nextLow = -1;
      // `open`: some reachable position ≤ s can be followed by a start at s (see the file comment);
      // advanced position by position as s = t + 1 − m, the start of a possible occurrence, grows.
      let s = low;
      let open = false;
      let q = 0; // characters of `p` matched ending at t
      for (let t = low; t < end; t++) {
        const c = literal.charCodeAt(t);
        while (q > 0 && p.charCodeAt(q) !== c) {
          q = failure[q - 1] as number;
          steps++;
        }
        if (p.charCodeAt(q) === c) q++;
        steps++;
        if (q < m) continue;
        const start = t + 1 - m;
        for (; s <= start; s++) {
          // A start at s may follow a reachable s itself; for `*`, a `/` at s closes every
          // position before it (the start may still be s: the gap [e, s) then holds no `/`).
          if (reach[s] === 1) open = true;
          if (s < start && !anySlash && literal.charCodeAt(s) === SLASH) open = false;
          steps++;
        }
        s = start; // the next occurrence may start here too, then the `/` test above applies to it
        if (open) {
          nextReach[t + 1] = 1;
          if (nextLow < 0) nextLow = t + 1;
        }
        q = failure[m - 1] as number; // go on to overlapping occurrences
      }
      if (nextLow < 0) {
        matchSteps += steps;
        return false;
      }
      [reach, nextReach] = [nextReach, reach];
      low = nextLow;
    }
    // The last piece starts at `end`: can some reachable position lead there across the last gap?
    let ok = false;
    if (lastCrosses) ok = low <= end;
    else {
      for (let e = end; e >= low; e--) {
        steps++;
        if (reach[e] === 1) {
          ok = true;
          break;
        }
        if (literal.charCodeAt(e - 1) === SLASH) break; // every earlier position has it in its gap
      }
    }
    matchSteps += steps;
    return ok;
  };
}

/** KMP failure function: `f[i]` is the length of the longest proper border of `piece[0..i]`. */
function failureTable(piece: string): Int32Array {
  const f = new Int32Array(piece.length);
  let k = 0;
  for (let i = 1; i < piece.length; i++) {
    while (k > 0 && piece.charCodeAt(i) !== piece.charCodeAt(k)) k = f[k - 1] as number;
    if (piece.charCodeAt(i) === piece.charCodeAt(k)) k++;
    f[i] = k;
  }
  return f;
}
