/**
 * How much pattern-coverage work (`patternCoverage` state transitions) one client action may make
 * the server do: a wildcard subscribe, a `POST /v1/tokens`, a JWT handshake (protocol.md §3,
 * hardening). One budget for all three, derived from the connection's token bucket, so that the
 * work is paid for in frames.
 */
import { Limits } from "@switchboard/protocol";

/**
 * Coverage-search work that costs one extra frame of the connection's rate budget. Ordinary
 * wildcard subscriptions take 0–90 transitions, so they cost nothing extra. A transition costs
 * 0.04–0.3 µs warm (measured on 2 shared cores), so sustained a client can make the server spend at
 * most ≈ 30 µs of coverage work per frame of its budget.
 */
export const COVERAGE_STEPS_PER_FRAME = 100;

/**
 * The coverage bound of one subscribe, token request or handshake, for a connection whose bucket
 * holds `burst` frames: one frame more than the whole burst, of {@link COVERAGE_STEPS_PER_FRAME}
 * each. A subscribe whose search is cut off here therefore costs more than a full bucket can ever
 * hold and always closes with 4011, however much the bucket refilled while the search ran and
 * whatever `rateBurst` is configured. With the default burst (200) that is 20,100 transitions,
 * ≈ 1–7 ms for the most expensive patterns found (the library's own bound, 500,000, took 14–57 ms).
 * A token request or handshake gets the same budget for all its channels together.
 */
export function coverageBudget(burst: number = Limits.rateBurst): number {
  return (Math.max(0, Math.floor(burst)) + 1) * COVERAGE_STEPS_PER_FRAME;
}
