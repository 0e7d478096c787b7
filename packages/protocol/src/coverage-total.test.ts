import { describe, expect, it } from "vitest";
import { patternCoverage, patternsCoverage, patternsCoverageSearch } from "./coverage.js";
import { MAX_STEPS } from "./inclusion.js";

// Expensive patterns within the 8-run limit, found by a search: against SCOPE each needs about
// the library's whole bound (500,000 transitions) to answer; COVERED is covered, but only that far.
const SCOPE = ["a/*", "*/b", "**/c"];
const CRAFTED =
  "**cba*a/b*a/*aa/*aaaaaaa/aaaaaa**baaaaaaaaaaaaabba*aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa**aaaacaaaaabaaaaaaaaaabaaba/aa/c";
const COVERED =
  "**aaaacaab*/*/*/*baacaaaaaaaaaaaab**aaaaaaaaaaaaaaaaaaaaaaaa*acaa/*abbaaaaaaaaaaaaaaaaaaabacbcaaaaaaaaaacabaaaaaaaaaaa/c";

describe("patternsCoverage: one bound for a whole list", () => {
  it("answers like patternCovers for each pattern when the budget suffices", () => {
    expect(patternsCoverage(["a/x", "a/*", "q/b", "x/**/c"], SCOPE, 10_000)).toMatchObject({ covered: true });
    expect(patternsCoverage(["a/x", "a/**"], SCOPE, 10_000).covered).toBe(false);
    expect(patternsCoverage([], SCOPE, 0).covered).toBe(true);
    expect(patternsCoverage([CRAFTED, COVERED], ["**"], 0).covered).toBe(true); // ** is free
    expect(patternsCoverage([CRAFTED], [CRAFTED, "x"], 0).covered).toBe(true); // a pattern covers itself
  });

  it("refuses, never grants, when the searches together pass the bound", () => {
    expect(patternCoverage(COVERED, SCOPE).covered).toBe(true); // given the library's whole bound
    const budget = 20_100;
    const once = patternsCoverage([COVERED], SCOPE, budget);
    expect(once.covered).toBe(false);
    expect(once.steps).toBeGreaterThan(budget);
    expect(once.steps).toBeLessThan(budget + 1_000);
  });

  it("bounds the total, not each pattern: 100 crafted patterns cost one budget", () => {
    const channels = Array.from({ length: 100 }, (_, i) => `${CRAFTED}${"x".repeat(i % 10)}`);
    const budget = 20_100;
    const total = patternsCoverage(channels, SCOPE, budget);
    expect(total.covered).toBe(false);
    expect(total.steps).toBeLessThan(budget + 1_000);
    // Checked one by one with the library's bound, the first alone costs 25 times that.
    expect(patternCoverage(channels[0] as string, SCOPE).steps).toBeGreaterThan(MAX_STEPS - 1_000);
  });

  it("spends the budget across patterns: cheap ones first leave less for the next", () => {
    const cheap = patternCoverage("**/b*", SCOPE).steps;
    expect(cheap).toBeGreaterThan(0);
    const both = patternsCoverage(["a/b*", "q/*/c"], SCOPE, 100_000);
    const a = patternCoverage("a/b*", SCOPE).steps;
    const b = patternCoverage("q/*/c", SCOPE).steps;
    expect(both).toEqual({ covered: true, steps: a + b });
    expect(patternsCoverage(["a/b*", "q/*/c"], SCOPE, a).covered).toBe(false);
  });

  it("gives a list that is not frozen the same answers as a frozen one (prepared once)", () => {
    const frozen = Object.freeze([...SCOPE]);
    for (const a of ["a/*", "a/**", "**/c", "x/*/c"]) {
      expect(patternCoverage(a, frozen)).toEqual(patternCoverage(a, [...SCOPE]));
    }
  });
});

describe("patternsCoverageSearch: the same search in slices", () => {
  const sliced = (as: string[], bs: string[], maxSteps: number, sliceSteps: number) => {
    const search = patternsCoverageSearch(as, bs, maxSteps, sliceSteps);
    let pauses = 0;
    let next = search.next();
    while (!next.done) {
      pauses++;
      next = search.next();
    }
    return { ...next.value, pauses };
  };

  it("pauses about every sliceSteps transitions and answers exactly like patternsCoverage", () => {
    for (const [as, budget] of [
      [[CRAFTED], 5_000],
      [[COVERED], 500_000],
      [["a/x", "a/*", "q/b", "x/**/c"], 10_000],
      [["a/x", "a/**"], 10_000],
    ] as const) {
      const whole = patternsCoverage(as, SCOPE, budget);
      const inSlices = sliced([...as], SCOPE, budget, 500);
      expect({ covered: inSlices.covered, steps: inSlices.steps }).toEqual(whole);
      // A pause comes at the first configuration after each 500 transitions; one configuration
      // costs at most a few hundred transitions here.
      expect(inSlices.pauses).toBeGreaterThanOrEqual(Math.floor(whole.steps / 1_000));
      expect(inSlices.pauses).toBeLessThanOrEqual(Math.ceil(whole.steps / 500));
    }
    expect(sliced([COVERED], SCOPE, 500_000, 500).covered).toBe(true);
  });

  it("never pauses on the fast paths", () => {
    expect(sliced([CRAFTED, COVERED], ["**"], 5_000, 1)).toEqual({ covered: true, steps: 0, pauses: 0 });
  });
});
