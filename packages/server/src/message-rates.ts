/** Length of the sliding window, in one-second buckets. */
export const RATE_WINDOW_SEC = 60;

/** Messages per second over the last {@link RATE_WINDOW_SEC} seconds. */
export interface MessageRate {
  /** Accepted messages: `publish`, `send` and REST publishes. */
  messagesInPerSec: number;
  /** Deliveries: one per socket a `message` or `direct` was written to. */
  messagesOutPerSec: number;
}

/**
 * Per-app message counters kept as 60 one-second buckets in a ring: recording is O(1) (one clock
 * read, one bucket check) and needs no timer; a bucket is reset lazily when its second comes round
 * again, so an idle app costs nothing.
 */
export interface MessageRates {
  /** Counts `accepted` incoming messages and `delivered` outgoing ones in the current second. */
  record(accepted: number, delivered: number): void;
  /**
   * Average per second over the last 60 seconds, the current (partial) second included. An app
   * busy for only the last 6 s at 100/s reports 10/s: it is a minute's average, not a peak.
   */
  rate(): MessageRate;
}

/** Creates empty counters. `clockMs` (default `Date.now`) is injectable for tests. */
export function createMessageRates(clockMs: () => number = Date.now): MessageRates {
  // -1: no second stored yet. Float64 holds counts exactly up to 2^53.
  const seconds = new Float64Array(RATE_WINDOW_SEC).fill(-1);
  const incoming = new Float64Array(RATE_WINDOW_SEC);
  const outgoing = new Float64Array(RATE_WINDOW_SEC);

  return {
    record(accepted, delivered) {
      const second = Math.floor(clockMs() / 1000);
      const i = second % RATE_WINDOW_SEC;
      if (seconds[i] !== second) {
        seconds[i] = second;
        incoming[i] = 0;
        outgoing[i] = 0;
      }
      incoming[i] = (incoming[i] ?? 0) + accepted;
      outgoing[i] = (outgoing[i] ?? 0) + delivered;
    },
    rate() {
      const now = Math.floor(clockMs() / 1000);
      let totalIn = 0;
      let totalOut = 0;
      for (let i = 0; i < RATE_WINDOW_SEC; i++) {
        const second = seconds[i] ?? -1;
        if (second > now - RATE_WINDOW_SEC && second <= now) {
          totalIn += incoming[i] ?? 0;
          totalOut += outgoing[i] ?? 0;
        }
      }
      return { messagesInPerSec: totalIn / RATE_WINDOW_SEC, messagesOutPerSec: totalOut / RATE_WINDOW_SEC };
    },
  };
}

/** The sum of several rates (node-wide stats over every app). */
export function sumRates(rates: Iterable<MessageRate>): MessageRate {
  const sum = { messagesInPerSec: 0, messagesOutPerSec: 0 };
  for (const r of rates) {
    sum.messagesInPerSec += r.messagesInPerSec;
    sum.messagesOutPerSec += r.messagesOutPerSec;
  }
  return sum;
}
