/**
 * Internal: the token form of a channel pattern (protocol.md §8), shared by the matcher and the
 * coverage check so both read pattern text the same way. Not re-exported from the package.
 */

/** `*`: any run, possibly empty, of characters other than `/`. */
export const STAR = -1;
/** `**` (or any longer run of `*`): any run, possibly empty, of characters. */
export const DSTAR = -2;

/**
 * One token: a UTF-16 code unit (≥ 0) that must match itself, or {@link STAR} / {@link DSTAR}.
 * Code units rather than code points suffice because valid names and patterns contain no lone
 * surrogates, so a literal pair can only ever line up with a pair.
 */
export type Token = number;

const BACKSLASH = 0x5c;
const ASTERISK = 0x2a;

/**
 * Tokenises pattern text: `\*` → literal `*`, `\\` → literal `\`, a backslash before anything else
 * (or at the end) is a literal backslash, one unescaped `*` → STAR, two or more in a row → DSTAR.
 * Adjacent wildcard tokens therefore never occur.
 */
export function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern.charCodeAt(i);
    if (c === BACKSLASH) {
      const next = pattern.charCodeAt(i + 1);
      if (next === ASTERISK || next === BACKSLASH) {
        tokens.push(next);
        i += 2;
      } else {
        tokens.push(BACKSLASH);
        i += 1;
      }
    } else if (c === ASTERISK) {
      let run = 0;
      while (pattern.charCodeAt(i) === ASTERISK) {
        run++;
        i++;
      }
      tokens.push(run === 1 ? STAR : DSTAR);
    } else {
      tokens.push(c);
      i += 1;
    }
  }
  return tokens;
}

/** True when a token is STAR or DSTAR. */
export function isWildcard(token: Token): boolean {
  return token === STAR || token === DSTAR;
}
