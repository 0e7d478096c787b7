import { describe, expect, it } from "vitest";
import { coversChannel, createScope } from "./scope.js";
import {
  createScopeCache,
  MAX_SHARED_SCOPE_KEY_LENGTH,
  MAX_SHARED_SCOPES,
  sharedScopes,
} from "./scope-cache.js";

describe("createScope", () => {
  it("is frozen, with a frozen copy of the patterns", () => {
    const patterns = ["a/*"];
    const scope = createScope(patterns, ["subscribe"]);
    expect(Object.isFrozen(scope)).toBe(true);
    expect(Object.isFrozen(scope.patterns)).toBe(true);
    patterns.push("b/*");
    expect(scope.patterns).toEqual(["a/*"]);
    expect(() => (scope.patterns as string[]).push("c/*")).toThrow(TypeError);
    expect(() => {
      (scope as { patterns: readonly string[] }).patterns = ["**"];
    }).toThrow(TypeError);
  });
});

describe("createScopeCache", () => {
  it("identical inputs share one scope", () => {
    const cache = createScopeCache();
    const a = cache.scopeOf(["room/*", "lobby"], ["subscribe", "publish"]);
    const b = cache.scopeOf(["room/*", "lobby"], ["subscribe", "publish"]);
    expect(b).toBe(a);
    expect(cache.size).toBe(1);
    expect(a.patterns).toEqual(["room/*", "lobby"]);
    expect([...a.actions]).toEqual(["subscribe", "publish"]);
    expect(coversChannel(a, "room/1")).toBe(true);
  });

  it("different inputs do not: other order, other split, extra entries", () => {
    const cache = createScopeCache();
    const scopes = [
      cache.scopeOf(["a", "b"], ["subscribe"]),
      cache.scopeOf(["b", "a"], ["subscribe"]),
      cache.scopeOf(["a,b"], ["subscribe"]),
      cache.scopeOf(['a","b'], ["subscribe"]),
      cache.scopeOf(["a", "b"], ["subscribe", "publish"]),
      cache.scopeOf(["a", "b"], []),
      cache.scopeOf([], ["subscribe"]),
      cache.scopeOf(["a", "b", "a"], ["subscribe"]),
    ];
    expect(new Set(scopes).size).toBe(scopes.length);
    expect(cache.size).toBe(scopes.length);
    expect(scopes[3]?.patterns).toEqual(['a","b']);
  });

  it("returns immutable scopes", () => {
    const patterns = ["x/*"];
    const scope = createScopeCache().scopeOf(patterns, ["publish"]);
    patterns[0] = "**";
    expect(Object.isFrozen(scope)).toBe(true);
    expect(Object.isFrozen(scope.patterns)).toBe(true);
    expect(scope.patterns).toEqual(["x/*"]);
  });

  it("is bounded: the oldest entry goes first", () => {
    const cache = createScopeCache(3);
    const first = cache.scopeOf(["c0"], []);
    const second = cache.scopeOf(["c1"], []);
    cache.scopeOf(["c2"], []);
    cache.scopeOf(["c3"], []);
    expect(cache.size).toBe(3);
    expect(cache.scopeOf(["c1"], [])).toBe(second);
    const again = cache.scopeOf(["c0"], []);
    expect(again).not.toBe(first);
    expect(again.patterns).toEqual(["c0"]);
    expect(cache.size).toBe(3);
  });

  it("does not keep large grants", () => {
    const cache = createScopeCache();
    const big = ["x".repeat(MAX_SHARED_SCOPE_KEY_LENGTH)];
    const a = cache.scopeOf(big, ["subscribe"]);
    expect(cache.scopeOf(big, ["subscribe"])).not.toBe(a);
    expect(cache.size).toBe(0);
    expect(a.patterns).toEqual(big);
  });

  it("the shared cache holds at most MAX_SHARED_SCOPES", () => {
    for (let i = 0; i < MAX_SHARED_SCOPES + 10; i++) sharedScopes.scopeOf([`bound/${i}`], ["send"]);
    expect(sharedScopes.size).toBe(MAX_SHARED_SCOPES);
  });
});
