/**
 * Test helpers for channel patterns, written independently of src/glob.ts so property tests compare
 * two readings of protocol.md §8 rather than one reading with itself. Test-only: not compiled into
 * the package.
 */

import fc from "fast-check";

/** A pattern split into pieces: escapes, wildcard runs, or single characters. */
const PIECE = /\\\\|\\\*|\*{2,}|\*|[\s\S]/g;

/** The §8 meaning of pattern text as a whole-string RegExp (fine for short test inputs). */
export function referenceRegex(pattern: string): RegExp {
  let source = "";
  for (const [piece] of pattern.matchAll(PIECE)) {
    if (piece === "\\\\") source += "\\\\";
    else if (piece === "\\*") source += "\\*";
    else if (piece.startsWith("**")) source += "[\\s\\S]*";
    else if (piece === "*") source += "[^/]*";
    else source += piece.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "u");
}

/**
 * A literal name matched by `pattern`: each wildcard run is replaced by the next filler (cycling;
 * `/` removed for a single `*`), and escapes are resolved.
 */
export function instantiate(pattern: string, fillers: readonly string[]): string {
  let out = "";
  let n = 0;
  for (const [piece] of pattern.matchAll(PIECE)) {
    if (piece === "\\\\" || piece === "\\*") out += piece[1];
    else if (piece.startsWith("*")) {
      const filler = fillers.length === 0 ? "" : (fillers[n++ % fillers.length] as string);
      out += piece === "*" ? filler.replaceAll("/", "") : filler;
    } else out += piece;
  }
  return out;
}

/** Characters that exercise every rule: two letters, the separator, the wildcard and the escape. */
export const globChar = fc.constantFrom("a", "b", "/", "*", "\\");

/** Short patterns over {@link globChar}. */
export const globArb = fc.string({ unit: globChar, maxLength: 8 });

/** Short literal names over {@link globChar} plus a letter no pattern uses. */
export const nameArb = fc.string({ unit: fc.constantFrom("a", "b", "/", "*", "\\", "c"), maxLength: 10 });

/** Wildcard fillers for {@link instantiate}. */
export const fillersArb = fc.array(nameArb, { maxLength: 4 });
