import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { referenceRegex } from "../test/globs.js";
import { channelError, wildcardRuns } from "./channel.js";
import { Limits } from "./limits.js";
import { matchesPattern, patternMatchSteps } from "./pattern.js";

/** Steps one match adds to the counter. */
function stepsOf(pattern: string, name: string): { matched: boolean; steps: number } {
  const before = patternMatchSteps();
  const matched = matchesPattern(pattern, name);
  return { matched, steps: patternMatchSteps() - before };
}

describe("wildcardRuns / the 8-run limit", () => {
  it.each([
    ["room-1", 0],
    ["*", 1],
    ["**", 1],
    ["***", 1],
    ["a*b**c***d", 3],
    ["\\*", 0], // an escaped star is a literal
    ["\\**", 1], // literal `*`, then a wildcard
    ["\\\\*", 1], // literal `\`, then a wildcard
    ["\\\\\\*", 0], // literal `\`, literal `*`
    ["*\\**", 2], // the escape splits the run
    ["\\a*", 1], // a backslash before anything else escapes nothing
  ])("%s has %i runs", (pattern, runs) => {
    expect(wildcardRuns(pattern)).toBe(runs);
  });

  it("channelError refuses a pattern of more than 8 runs, whatever their length", () => {
    expect(Limits.maxPatternWildcardRuns).toBe(8);
    expect(channelError("*a".repeat(8))).toBeNull();
    expect(channelError("**a".repeat(8))).toBeNull();
    expect(channelError("*a".repeat(9))).toBe("invalid_channel");
    expect(channelError(`${"*a".repeat(126)}*000`)).toBe("invalid_channel"); // the issue's: 127 runs, 256 bytes
    expect(channelError(`${"\\*a".repeat(20)}*`)).toBeNull(); // escaped stars do not count
    expect(channelError(`_system/${"*a".repeat(9)}`)).toBe("invalid_channel"); // invalid before reserved
  });

  it("agrees with wildcardRuns on every pattern", () => {
    const unit = fc.constantFrom("a", "/", "*", "\\");
    fc.assert(
      fc.property(fc.string({ unit, minLength: 1, maxLength: 40 }), (pattern) => {
        const tooMany = wildcardRuns(pattern) > Limits.maxPatternWildcardRuns;
        expect(channelError(pattern) === "invalid_channel").toBe(tooMany);
      }),
      { numRuns: 3_000 },
    );
  });
});

describe("the multi-wildcard matcher", () => {
  it("finds placements that leftmost-first would miss", () => {
    expect(matchesPattern("**/*", "//")).toBe(true); // `/` must be the second character
    expect(matchesPattern("**a/*", "a/a/b")).toBe(true);
    expect(matchesPattern("**a/*", "a/a/b/")).toBe(false);
    expect(matchesPattern("*/**a*", "x/a/a")).toBe(true);
    expect(matchesPattern("*ab*ab*", "aabab")).toBe(true);
    expect(matchesPattern("*aba*", "ababa")).toBe(true);
    expect(matchesPattern("x*/y*", "x/y")).toBe(true);
    expect(matchesPattern("x*/y*", "xa/b/y")).toBe(false);
  });

  it("agrees with the reference regex on random patterns and names with many wildcards", () => {
    const patternArb = fc.string({ unit: fc.constantFrom("a", "b", "/", "*", "**", "\\*"), maxLength: 14 });
    const nameArb = fc.string({ unit: fc.constantFrom("a", "b", "/", "ab", "a/"), maxLength: 14 });
    fc.assert(
      fc.property(patternArb, nameArb, (pattern, name) => {
        expect(matchesPattern(pattern, name)).toBe(referenceRegex(pattern).test(name));
      }),
      { numRuns: 20_000 },
    );
  });

  it("reads each name character a bounded number of times per piece: linear, not name × pattern", () => {
    const name = "a".repeat(256);
    // Pieces of every length that occur everywhere in the name, and a suffix that does too: the
    // most work a match can take. The old NFA simulation took ≈ 256 × 256 steps per pattern.
    for (const pattern of [
      "*a*a*a*a*a*a*a*a", // 8 runs, short pieces
      `*${"a".repeat(30)}*${"a".repeat(30)}**${"a".repeat(30)}*b`,
      `**${"a".repeat(100)}**${"a".repeat(100)}*`,
      "*a*aa*aaa*aaaa*aaaaa*aaaaaa*aaaaaaa*",
    ]) {
      expect(channelError(pattern)).toBeNull();
      const { steps } = stepsOf(pattern, name);
      const middlePieces = wildcardRuns(pattern) - 1;
      expect(steps).toBeLessThanOrEqual(middlePieces * 4 * name.length + name.length + 1);
    }
    // Even an unvalidated pattern with 128 runs stays within 4n per piece (the limit is what keeps
    // the number of pieces, and so the constant, small).
    const huge = `${"*a".repeat(127)}*b`;
    const { matched, steps } = stepsOf(huge, name);
    expect(matched).toBe(false);
    expect(steps).toBeLessThanOrEqual(127 * 4 * name.length + name.length + 1);
  });

  it("100 crafted 8-run patterns against a 256-character name cost ≤ 100 × 7 × 4n steps", () => {
    const name = `${"a".repeat(250)}/x/000`;
    let total = 0;
    for (let i = 0; i < 100; i++) {
      const pattern = `**a*a*a*a*a*a*${"a".repeat(i % 40)}**000`;
      total += stepsOf(pattern, name).steps;
    }
    expect(total).toBeLessThanOrEqual(100 * 7 * 4 * name.length);
  });
});
