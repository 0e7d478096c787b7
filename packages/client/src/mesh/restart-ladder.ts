/**
 * The recovery schedule of one pair (sdk.md, "Recovery"): how long a stuck or failed connection
 * waits before each ICE restart, and when to give up. Pure, so a fake-timer test can walk it.
 */

/** Delays before ICE restart 1…9: about two minutes in all (121.5 s), then the pair is given up. */
export const RESTART_DELAYS_MS: readonly number[] = [
  500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
];

/** Most ICE restarts per failure episode (reset by reaching `connected`). */
export const MAX_RESTARTS = RESTART_DELAYS_MS.length;

/** A pair not connected this long after its last negotiation gets an ICE restart (one rung). */
export const STUCK_PAIR_MS = 10_000;

/** ICE `disconnected` for this long counts as a failure (browsers often recover on their own before). */
export const DISCONNECTED_GRACE_MS = 5_000;

/** Delay before restart number `rung` (1-based), or `null` when the ladder is exhausted. */
export function restartDelay(rung: number): number | null {
  return rung >= 1 && rung <= MAX_RESTARTS ? (RESTART_DELAYS_MS[rung - 1] ?? null) : null;
}
