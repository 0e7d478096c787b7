// Crafted channel patterns for the pattern-attack scenario (issue 10 item 1), all within the
// protocol's 8 wildcard runs. Shared by bench/scenarios/pattern-attack.mjs, its attacker process
// and its server, so they agree on what is attacked.

/** The narrow key scope that coverage checks run against. */
export const NARROW_PATTERNS = ["a/*", "*/b", "**/c"];

/**
 * Two patterns found by a search for expensive coverage checks against NARROW_PATTERNS: each
 * needs about the library's whole bound (500,000 transitions, tens of ms unbounded); COVERED is
 * covered, but only that far, so a bounded server must refuse it.
 */
export const CRAFTED_COVERAGE = [
  "**cba*a/b*a/*aa/*aaaaaaa/aaaaaa**baaaaaaaaaaaaabba*aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa**aaaacaaaaabaaaaaaaaaabaaba/aa/c",
  "**aaaacaab*/*/*/*baacaaaaaaaaaaaab**aaaaaaaaaaaaaaaaaaaaaaaa*acaa/*abbaaaaaaaaaaaaaaaaaaabacbcaaaaaaaaaacabaaaaaaaaaaa/c",
];

/** 100 distinct crafted channels for a token (its maximum). */
export const CRAFTED_CHANNELS = Array.from(
  { length: 100 },
  (_, i) => `${CRAFTED_COVERAGE[i % 2]}${"x".repeat(i >> 1)}`,
);

/** The honest channel of the scenario: 256 characters, long so that matching it costs the most. */
export const HONEST_CHANNEL = `${"a".repeat(236)}/bench-honest-room`.slice(0, 256);

/**
 * 100 subscription patterns of 8 runs that an attacker with a `**` scope may use, built so that no
 * cheap check rules them out against HONEST_CHANNEL: same last character, pieces of `a` found all
 * along it; half match it, half fail only at their last piece. (Before issue 10, 100 patterns of
 * 127 runs made every publish in the app cost ≈ 67 ms.)
 */
export const MATCH_ATTACK_PATTERNS = Array.from({ length: 100 }, (_, i) =>
  i % 2
    ? `**a*a*a*a*a*a*${"a".repeat(i)}**${HONEST_CHANNEL.slice(-1)}`
    : `**a*a*a*a*a*a*${"a".repeat(i)}b**${HONEST_CHANNEL.slice(-1)}`,
);

/** The issue's pattern: 127 runs in 256 bytes, now refused with invalid_channel. */
export const ISSUE_PATTERN = `${"*a".repeat(126)}*000`;
