/**
 * Reconnect policy as a pure function: given which retry this is and why the last connection ended,
 * return how long to wait, or `null` to stop. No timers here; the client schedules the delay.
 */

/** How a close code is handled (mirrors the protocol package's `classifyClose`). */
export type CloseClass = "terminal" | "fresh-token" | "slow-backoff" | "going-away" | "backoff";

/** Fully resolved backoff settings (see `SignallingClientOptions.reconnect`). */
export interface ReconnectPolicy {
  initialDelayMs: number;
  multiplier: number;
  maxDelayMs: number;
  jitterRatio: number;
  maxAttempts: number;
}

/** Defaults of `reconnect` (sdk.md "Common options"). */
export const DEFAULT_RECONNECT: Readonly<ReconnectPolicy> = {
  initialDelayMs: 500,
  multiplier: 2,
  maxDelayMs: 30_000,
  jitterRatio: 0.2,
  maxAttempts: 100,
};

/**
 * A `going_away` `retryAfterMs` above this is clamped [ours]: the value comes from the server, and a
 * buggy one must not park clients for days.
 */
export const MAX_GOING_AWAY_DELAY_MS = 300_000;

/**
 * Delay before reconnect attempt number `attempt` (1-based, counted since the last `welcome` or
 * since `connect()`), or `null` to give up.
 *
 * - `terminal` → `null`; `attempt > maxAttempts` → `null` (the initial `connect()` attempt is not a
 *   reconnect attempt and is not counted).
 * - `backoff`: `min(maxDelayMs, initialDelayMs · multiplier^(attempt−1))`, then jitter: the delay is
 *   multiplied by `1 + jitterRatio · (2·random − 1)`, i.e. uniform within ±jitterRatio.
 * - `slow-backoff` (4010, 4011): `maxDelayMs` with the same jitter.
 * - `going-away` (1001): `retryAfterMs` (clamped to 0…{@link MAX_GOING_AWAY_DELAY_MS}) plus
 *   `random · jitterRatio · retryAfterMs`, so a whole fleet does not return in the same instant;
 *   without a `going_away` frame it backs off normally.
 * - `fresh-token` (4002): `0`, reconnect at once with a new token. (The client passes `backoff`
 *   instead when the previous attempt also ended in 4002 [ours], so a provider that keeps returning
 *   expired tokens cannot cause a tight loop.)
 *
 * Results are rounded to whole milliseconds. `random` defaults to `Math.random` (read per call, so
 * tests can stub it).
 */
export function reconnectDelay(
  attempt: number,
  closeClass: CloseClass,
  policy: ReconnectPolicy,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number | null {
  if (closeClass === "terminal" || attempt > policy.maxAttempts) return null;
  switch (closeClass) {
    case "fresh-token":
      return 0;
    case "slow-backoff":
      return jittered(policy.maxDelayMs, policy.jitterRatio, random);
    case "going-away":
      if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs)) {
        const base = Math.min(Math.max(retryAfterMs, 0), MAX_GOING_AWAY_DELAY_MS);
        return Math.round(base + random() * policy.jitterRatio * base);
      }
      break;
    case "backoff":
      break;
  }
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** (attempt - 1));
  return jittered(base, policy.jitterRatio, random);
}

function jittered(delay: number, jitterRatio: number, random: () => number): number {
  return Math.max(0, Math.round(delay * (1 + jitterRatio * (2 * random() - 1))));
}
