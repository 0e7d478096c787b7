import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fillersArb, globArb, instantiate, nameArb, referenceRegex } from "../test/globs.js";
import { literalName } from "./channel.js";
import { Limits } from "./limits.js";
import {
  anyPatternMatches,
  compilePattern,
  matchesPattern,
  patternSegmentPrefix,
  segmentPrefixes,
} from "./pattern.js";

describe("matchesPattern: protocol.md §8 examples", () => {
  it("room-* matches one segment only", () => {
    expect(matchesPattern("room-*", "room-42")).toBe(true);
    expect(matchesPattern("room-*", "room-")).toBe(true);
    expect(matchesPattern("room-*", "admin-1")).toBe(false);
    expect(matchesPattern("room-*", "room/42/main")).toBe(false);
    expect(matchesPattern("room-*", "room-4/2")).toBe(false);
    expect(matchesPattern("room-*", "Room-42")).toBe(false); // case-sensitive
  });

  it("app_x/** matches every path under app_x/", () => {
    expect(matchesPattern("app_x/**", "app_x/")).toBe(true);
    expect(matchesPattern("app_x/**", "app_x/a")).toBe(true);
    expect(matchesPattern("app_x/**", "app_x/a/b/c")).toBe(true);
    expect(matchesPattern("app_x/**", "app_x")).toBe(false);
    expect(matchesPattern("app_x/**", "app_y/a")).toBe(false);
    expect(matchesPattern("app_x/**", "xapp_x/a")).toBe(false);
  });

  it("** matches everything", () => {
    for (const name of ["", "a", "a/b", "/", "//x//", "_system/x", "*", "\\"]) {
      expect(matchesPattern("**", name)).toBe(true);
    }
  });
});

describe("matchesPattern: rules", () => {
  it("is whole-string", () => {
    expect(matchesPattern("room", "room")).toBe(true);
    expect(matchesPattern("room", "room1")).toBe(false);
    expect(matchesPattern("room", "aroom")).toBe(false);
    expect(matchesPattern("a*b", "a-b-c")).toBe(false);
  });

  it("* matches an empty run but never a slash", () => {
    expect(matchesPattern("*", "")).toBe(true);
    expect(matchesPattern("*", "abc")).toBe(true);
    expect(matchesPattern("*", "a/b")).toBe(false);
    expect(matchesPattern("a/*/c", "a//c")).toBe(true);
    expect(matchesPattern("a/*/c", "a/b/b/c")).toBe(false);
    expect(matchesPattern("*/*", "x/y")).toBe(true);
    expect(matchesPattern("*/*", "x/y/z")).toBe(false);
  });

  it("** and longer runs cross slashes", () => {
    expect(matchesPattern("a/**/z", "a/b/c/z")).toBe(true);
    expect(matchesPattern("a/**/z", "a//z")).toBe(true);
    expect(matchesPattern("a/**/z", "a/z")).toBe(false);
    expect(matchesPattern("a***z", "a/b/z")).toBe(true);
    expect(matchesPattern("a****z", "az")).toBe(true);
  });

  it("\\* and \\\\ are literals", () => {
    expect(matchesPattern("a\\*", "a*")).toBe(true);
    expect(matchesPattern("a\\*", "ab")).toBe(false);
    expect(matchesPattern("a\\\\", "a\\")).toBe(true);
    expect(matchesPattern("a\\\\*", "a\\xyz")).toBe(true); // literal backslash, then a wildcard
    expect(matchesPattern("a\\\\*", "a\\x/y")).toBe(false);
    expect(matchesPattern("\\**", "*abc")).toBe(true); // literal star, then a wildcard
    expect(matchesPattern("\\**", "abc")).toBe(false);
    expect(matchesPattern("\\*\\*", "**")).toBe(true);
    expect(matchesPattern("\\*\\*", "ab")).toBe(false);
  });

  it("a backslash before anything else is a literal backslash", () => {
    expect(matchesPattern("a\\b", "a\\b")).toBe(true);
    expect(matchesPattern("a\\b", "ab")).toBe(false);
    expect(matchesPattern("a\\", "a\\")).toBe(true);
    expect(matchesPattern("\\a*", "\\abc")).toBe(true);
  });

  it("a wildcard-free pattern matches exactly its literal name", () => {
    for (const text of ["room", "a\\*b", "a\\\\b", "a\\b", "x\\"]) {
      expect(matchesPattern(text, literalName(text))).toBe(true);
      expect(matchesPattern(text, text)).toBe(text === literalName(text));
    }
  });

  it("handles several wildcards (the general matcher)", () => {
    expect(matchesPattern("a*b*c", "abc")).toBe(true);
    expect(matchesPattern("a*b*c", "aXbYc")).toBe(true);
    expect(matchesPattern("a*b*c", "aXb/c")).toBe(false);
    expect(matchesPattern("*/**/*", "a/b")).toBe(false); // needs two slashes
    expect(matchesPattern("*/**/*", "a//b")).toBe(true);
    expect(matchesPattern("*/**/*", "a/b/c/d")).toBe(true);
    expect(matchesPattern("*/**/*", "ab")).toBe(false);
    expect(matchesPattern("**/x/*", "a/b/x/c")).toBe(true);
    expect(matchesPattern("**/x/*", "a/b/x/c/d")).toBe(false);
    expect(matchesPattern("*a*", "bab")).toBe(true);
    expect(matchesPattern("*a*", "bbb")).toBe(false);
  });

  it("matches characters outside the BMP", () => {
    expect(matchesPattern("😀-*", "😀-1")).toBe(true);
    expect(matchesPattern("*😀*", "a😀b")).toBe(true);
    expect(matchesPattern("x*y*z", "x😀y😀z")).toBe(true);
  });

  it("stays linear on patterns that make backtracking regexes explode", () => {
    const pattern = `${"*a".repeat(40)}*b`;
    const name = "a".repeat(256);
    const started = performance.now();
    expect(matchesPattern(pattern, name)).toBe(false);
    expect(matchesPattern("**a**a**a**a**a**a**a**a**b", name)).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe("compilePattern", () => {
  it("memoises compiled matchers", () => {
    expect(compilePattern("memo/*")).toBe(compilePattern("memo/*"));
  });

  it("keeps working once the cache has been cleared", () => {
    const first = compilePattern("evict/*");
    for (let i = 0; i < 10_001; i++) compilePattern(`fill-${i}/*`);
    const again = compilePattern("evict/*");
    expect(again("evict/x")).toBe(true);
    expect(first("evict/x")).toBe(true); // old matchers stay valid
  });

  it("agrees with an independent reference regex on random names", () => {
    fc.assert(
      fc.property(globArb, nameArb, (pattern, name) => {
        expect(compilePattern(pattern)(name)).toBe(referenceRegex(pattern).test(name));
      }),
      { numRuns: 5000 },
    );
  });

  it("agrees with the reference on names built to match", () => {
    fc.assert(
      fc.property(globArb, fillersArb, (pattern, fillers) => {
        const name = instantiate(pattern, fillers);
        expect(referenceRegex(pattern).test(name)).toBe(true);
        expect(compilePattern(pattern)(name)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("agrees with the reference on arbitrary Unicode", () => {
    const unit = fc.oneof(
      fc.constantFrom("*", "\\", "/"),
      fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
    );
    fc.assert(
      fc.property(
        fc.string({ unit, maxLength: 8 }),
        fc.string({ unit: "binary", maxLength: 8 }),
        (pattern, name) => {
          expect(compilePattern(pattern)(name)).toBe(referenceRegex(pattern).test(name));
        },
      ),
    );
  });
});

describe("anyPatternMatches", () => {
  it("is true when one pattern matches", () => {
    expect(anyPatternMatches(["a/*", "b/**"], "b/c/d")).toBe(true);
    expect(anyPatternMatches(["a/*", "b/**"], "a/c/d")).toBe(false);
    expect(anyPatternMatches([], "a")).toBe(false);
  });
});

describe("patternSegmentPrefix / segmentPrefixes (the hub's pattern index)", () => {
  it("cuts the literal text before the first wildcard after its last slash", () => {
    expect(patternSegmentPrefix("user/42/**")).toBe("user/42/");
    expect(patternSegmentPrefix("user/4*/x")).toBe("user/");
    expect(patternSegmentPrefix("room-*")).toBe("");
    expect(patternSegmentPrefix("**")).toBe("");
    expect(patternSegmentPrefix("a/b\\*c/*")).toBe("a/b*c/"); // an escaped star is literal
    expect(patternSegmentPrefix("a\\\\/b/*")).toBe("a\\/b/");
  });

  it("lists '' and every slash-terminated prefix of a name", () => {
    expect(segmentPrefixes("a/b/c")).toEqual(["", "a/", "a/b/"]);
    expect(segmentPrefixes("room-1")).toEqual([""]);
    expect(segmentPrefixes("/x//")).toEqual(["", "/", "/x/", "/x//"]);
  });

  it("keys at most Limits.maxIndexedPatternSegments segments, on both sides", () => {
    expect(Limits.maxIndexedPatternSegments).toBe(4);
    expect(patternSegmentPrefix("a/b/c/d/e/f/*")).toBe("a/b/c/d/");
    expect(segmentPrefixes("a/b/c/d/e/f/g")).toEqual(["", "a/", "a/b/", "a/b/c/", "a/b/c/d/"]);
    expect(matchesPattern("a/b/c/d/e/f/*", "a/b/c/d/e/f/g")).toBe(true);
  });

  it("every name a pattern matches has the pattern's prefix among its segment prefixes", () => {
    fc.assert(
      fc.property(globArb, fillersArb, (pattern, fillers) => {
        const name = instantiate(pattern, fillers);
        expect(matchesPattern(pattern, name)).toBe(true);
        expect(segmentPrefixes(name)).toContain(patternSegmentPrefix(pattern));
      }),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(globArb, nameArb, (pattern, name) => {
        if (matchesPattern(pattern, name))
          expect(segmentPrefixes(name)).toContain(patternSegmentPrefix(pattern));
      }),
      { numRuns: 5_000 },
    );
  });
});
