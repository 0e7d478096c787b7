import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fillersArb, globArb, instantiate, referenceRegex } from "../test/globs.js";
import { patternCoverage, patternCovers } from "./coverage.js";
import { tokenize } from "./glob.js";
import { inclusion } from "./inclusion.js";

const covered = (a: string, bs: string[]) => patternCovers(a, bs);
/** The shortest counterexample the search reports, or undefined when covered. */
const witnessOf = (a: string, bs: string[]) => {
  const result = inclusion(tokenize(a), bs.map(tokenize));
  return result.kind === "uncovered" ? result.witness : result.kind;
};

describe("patternCovers: single patterns", () => {
  it.each([
    ["room-*", ["**"]],
    ["room-*", ["room-*"]],
    ["room-1*", ["room-*"]],
    ["room-*1", ["room-*"]],
    ["x/*", ["x/**"]],
    ["x/*/c", ["x/**"]],
    ["a*", ["*"]],
    ["a*a", ["a*"]],
    ["*/*", ["**"]],
    ["*/*", ["*/**"]],
    ["**/*", ["*/**"]], // both mean "contains a slash"
    ["*/**", ["**/*"]],
    ["*/x", ["**/x"]],
    ["a/**/b", ["a/**"]],
    ["a***", ["a**"]], // *** is **
    ["**", ["***"]],
    ["a\\**", ["a*"]], // literal `a*` then a segment
    ["\\\\*", ["\\\\**"]],
  ])("%s ⊆ %j", (a, bs) => {
    expect(covered(a, bs)).toBe(true);
  });

  it.each([
    ["room-*", ["room-1*"]],
    ["x/**", ["x/*"]],
    ["*", ["a*"]],
    ["a**", ["*"]],
    ["**/x", ["*/x"]],
    ["a/**", ["a/*/c"]],
    ["**", ["*"]],
    ["*", ["**/**"]],
    ["a*", ["a\\*"]], // the escaped star is a literal
    ["a\\b*", ["ab*"]], // the backslash before `b` is a literal
    ["_system/*", ["room-*"]],
    ["*", []],
  ])("%s ⊄ %j", (a, bs) => {
    expect(covered(a, bs)).toBe(false);
  });
});

describe("patternCovers: wildcard-free a", () => {
  it("is covered iff some b matches its literal name", () => {
    expect(covered("room-1", ["room-*"])).toBe(true);
    expect(covered("room/1", ["room-*"])).toBe(false);
    expect(covered("a\\*", ["a*"])).toBe(true); // literal name `a*`
    expect(covered("a\\*", ["a\\*"])).toBe(true);
    expect(covered("a*", ["a\\*"])).toBe(false);
    expect(covered("a\\\\", ["a\\\\"])).toBe(true);
    expect(covered("a\\b", ["a\\b"])).toBe(true);
    expect(covered("room-1", [])).toBe(false);
  });
});

describe("patternCovers: unions", () => {
  it.each([
    ["*", ["a*", "*"]],
    ["x/**", ["x/*", "x/*/**"]], // one segment, or more than one
    ["**", ["*", "**/**"]], // no slash, or some slash
    ["**", ["*", "*/**"]],
    ["x/**", ["x/*", "x/*/*", "x/*/*/**"]],
    ["*a*", ["a*", "*a*"]],
    ["a*", ["a", "a*a*", "a*b*", "a**"]],
  ])("%s ⊆ ∪%j", (a, bs) => {
    expect(covered(a, bs)).toBe(true);
  });

  it("needs the whole union when no member covers alone", () => {
    expect(covered("x/**", ["x/*"])).toBe(false);
    expect(covered("x/**", ["x/*/**"])).toBe(false);
    expect(covered("**", ["*"])).toBe(false);
    expect(covered("**", ["**/**"])).toBe(false);
  });

  it.each([
    ["x/**", ["x/*", "x/*/*"], "x///"],
    ["*a*", ["a*", "*a"], "bab"],
    ["a*", ["a", "a*a*", "a*b*"], "ac"],
    ["**", ["*", "a/**"], "/"],
    ["*", ["a*", "b*"], ""],
  ])("%s ⊄ ∪%j, shortest counterexample %j", (a, bs, witness) => {
    expect(covered(a, bs)).toBe(false);
    expect(witnessOf(a, bs)).toBe(witness);
  });
});

describe("patternCovers: bounds", () => {
  // a's subset construction must remember, for the last n segments, which ones follow an `a`:
  // 2^n configurations. The inclusion holds, but the search gives up and answers false.
  const n = 20;
  const a = `**a*${"/*".repeat(n)}`;
  const b = `**a**${"/*".repeat(n)}`;

  it("gives up conservatively past the configuration bound", () => {
    const started = performance.now();
    expect(inclusion(tokenize(a), [tokenize(b)]).kind).toBe("unknown");
    expect(covered(a, [b])).toBe(false);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it("still answers the same pattern and ** at once", () => {
    expect(covered(a, [a])).toBe(true);
    expect(covered(a, ["x", "**"])).toBe(true);
  });
});

/** Replacing each `*` of the text by `**` can only widen what a pattern matches. */
const widen = (pattern: string) => pattern.replaceAll("*", "**");

const bsArb = fc.array(globArb, { minLength: 1, maxLength: 3 });

describe("patternCovers: properties", () => {
  it("is sound: every instantiation of a covered pattern is matched by some b", () => {
    let trues = 0;
    fc.assert(
      fc.property(
        globArb,
        bsArb,
        fc.boolean(),
        fc.array(fillersArb, { minLength: 8, maxLength: 8 }),
        (a, bs, widened, fills) => {
          const patterns = widened ? [...bs, widen(a)] : bs;
          if (!patternCovers(a, patterns)) return;
          trues++;
          const regexes = patterns.map(referenceRegex);
          for (const fillers of fills) {
            const name = instantiate(a, fillers);
            expect(referenceRegex(a).test(name)).toBe(true);
            expect(regexes.some((r) => r.test(name))).toBe(true);
          }
        },
      ),
      { numRuns: 3000 },
    );
    expect(trues).toBeGreaterThan(300); // the generator must exercise the `true` side
  });

  it("is exact: a negative answer comes with a real counterexample", () => {
    fc.assert(
      fc.property(globArb, bsArb, (a, bs) => {
        const result = inclusion(tokenize(a), bs.map(tokenize));
        expect(result.kind).not.toBe("unknown");
        expect(patternCovers(a, bs)).toBe(result.kind === "covered" || bs.includes("**"));
        if (result.kind !== "uncovered") return;
        expect(referenceRegex(a).test(result.witness)).toBe(true);
        for (const b of bs) expect(referenceRegex(b).test(result.witness)).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it("is reflexive, and ** covers everything", () => {
    fc.assert(
      fc.property(globArb, (p) => {
        expect(patternCovers(p, [p])).toBe(true);
        expect(patternCovers(p, ["**"])).toBe(true);
        // Without the shortcuts, the search must agree.
        expect(inclusion(tokenize(p), [tokenize(p)]).kind).toBe("covered");
        expect(inclusion(tokenize(p), [tokenize("**")]).kind).toBe("covered");
      }),
      { numRuns: 2000 },
    );
  });

  it("sees that widening a pattern covers it", () => {
    fc.assert(
      fc.property(globArb, (p) => {
        expect(patternCovers(p, [widen(p)])).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("is transitive on chains of widenings", () => {
    fc.assert(
      fc.property(globArb, globArb, (p, q) => {
        if (patternCovers(p, [q])) expect(patternCovers(p, [widen(q)])).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("patternCoverage: the answer and its cost", () => {
  it("costs nothing on the fast paths", () => {
    expect(patternCoverage("a/*", ["**"])).toEqual({ covered: true, steps: 0 });
    expect(patternCoverage("room-1", ["room-*"])).toEqual({ covered: true, steps: 0 });
    expect(patternCoverage("room-1", ["chat/*"])).toEqual({ covered: false, steps: 0 });
    expect(patternCoverage("a/**", ["b/*", "a/**"])).toEqual({ covered: true, steps: 0 });
  });

  it("reports the search's transitions, and agrees with patternCovers", () => {
    for (const [a, bs] of [
      ["a/b*", ["a/*"]],
      ["**/b*", ["a/*", "*/b", "**/c"]],
      ["x/*", ["x/a*", "x/b*"]],
    ] as [string, string[]][]) {
      const coverage = patternCoverage(a, bs);
      expect(coverage.steps).toBeGreaterThan(0);
      expect(coverage.covered).toBe(patternCovers(a, bs));
    }
  });

  it("maxSteps lowers the search bound, never raises it, and gives up as not covered", () => {
    const a = `**a*${"/*".repeat(12)}`;
    const b = [`**a**${"/*".repeat(12)}`];
    const full = patternCoverage(a, b);
    const low = patternCoverage(a, b, 1_000);
    expect(full.steps).toBeGreaterThan(1_000);
    expect(low.covered).toBe(false);
    expect(low.steps).toBeLessThan(full.steps);
    expect(patternCoverage(a, b, 10 ** 9).steps).toBe(full.steps);
    expect(patternCoverage("a/b*", ["a/*"], 1_000).covered).toBe(true);
  });

  it("a pathological pattern costs up to the search bound", () => {
    const n = 20;
    expect(patternCoverage(`**a*${"/*".repeat(n)}`, [`**a**${"/*".repeat(n)}`]).steps).toBeGreaterThan(
      100_000,
    );
  });
});
