/**
 * Liveness of one connection: after `arm()`, a keepalive ping is due after half the inactivity
 * window (at most 25 s) and the connection counts as dead after the whole window without another
 * `arm()`. The client re-arms on every inbound frame, so any frame counts as life.
 */

type Timer = ReturnType<typeof setTimeout>;

/** Keepalive pings go out after half the inactivity window, but never later than this. */
const MAX_KEEPALIVE_MS = 25_000;
/** setTimeout's largest delay; longer ones would fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Keepalive + watchdog timers. A window ≤ 0 disables both. */
export class Liveness {
  #keepalive: Timer | undefined;
  #watchdog: Timer | undefined;

  /**
   * @param windowMs inactivity window (`inactivityTimeoutMs`); ≤ 0 turns liveness off.
   * @param ping called once per armed window, halfway through (at most 25 s in).
   * @param inactive called when the whole window passed without `arm()`.
   */
  constructor(
    private readonly windowMs: number,
    private readonly ping: () => void,
    private readonly inactive: () => void,
  ) {}

  /** (Re)starts both timers. */
  arm(): void {
    this.stop();
    const window = this.windowMs;
    if (window <= 0) return;
    this.#keepalive = setTimeout(
      () => {
        this.#keepalive = undefined;
        this.ping();
      },
      Math.min(window / 2, MAX_KEEPALIVE_MS),
    );
    this.#watchdog = setTimeout(
      () => {
        this.#watchdog = undefined;
        this.inactive();
      },
      Math.min(window, MAX_TIMER_MS),
    );
  }

  /** Clears both timers; `arm()` starts them again. */
  stop(): void {
    clearTimeout(this.#keepalive);
    clearTimeout(this.#watchdog);
    this.#keepalive = undefined;
    this.#watchdog = undefined;
  }
}
