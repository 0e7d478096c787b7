import { type AppRegistry, type AppRuntime, rollUsagePeriod } from "./apps.js";
import type { Logger } from "./logger.js";
import type { Store, UsageRecord } from "./store/types.js";

/**
 * Writes the usage counters of this node's apps to the store as deltas, and reads back the app's
 * total there: with several nodes on one store, each node's quota check then counts every node's
 * messages, up to one flush interval late (overshoot ≤ nodes × interval × message rate).
 */
export interface UsageFlusher {
  /**
   * Starts flushing every `intervalMs`; returns the disposer that stops the timer (it does not
   * flush: `close()` calls {@link flush} itself once every socket is gone).
   */
  start(): () => void;
  /**
   * Adds what every app counted since its last successful write, then adopts the store's total.
   * Flushes never overlap (a call during one runs after it). Never rejects: a failed write is
   * logged, and its delta is written with the next flush.
   */
  flush(): Promise<void>;
}

interface FlusherDeps {
  store: Store;
  apps: AppRegistry;
  /** Period of the timer (config `usageFlushMs`, default 5,000). */
  intervalMs: number;
  log: Logger;
}

/** What `app` counted beyond the store's last confirmed counters; undefined when nothing. */
function pendingDelta(usage: UsageRecord, persisted: UsageRecord): UsageRecord | undefined {
  if (usage.periodStartUnix !== persisted.periodStartUnix) return { ...usage };
  const messagesUsed = usage.messagesUsed - persisted.messagesUsed;
  if (messagesUsed <= 0 && usage.peakConcurrent <= persisted.peakConcurrent) return undefined;
  return {
    periodStartUnix: usage.periodStartUnix,
    messagesUsed: Math.max(0, messagesUsed),
    peakConcurrent: usage.peakConcurrent,
  };
}

/**
 * Dirty tracking compares each app's counters with what the store last confirmed, instead of
 * flagging changes on the hot path: the gateway and the quota check stay untouched, and the cost
 * is one comparison and one read per loaded app per interval.
 */
export function createUsageFlusher({ store, apps, intervalMs, log }: FlusherDeps): UsageFlusher {
  let chain: Promise<void> = Promise.resolve();

  async function flushApp(app: AppRuntime): Promise<void> {
    // Roll first: an idle app whose period ended writes a fresh row rather than nothing.
    rollUsagePeriod(app);
    const snapshot: UsageRecord = { ...app.usage };
    const delta = pendingDelta(snapshot, app.persisted);
    if (delta !== undefined) {
      await store.addUsage(app.id, delta);
      // Confirmed before the read-back, so a failing read never makes the next flush add it again.
      app.persisted = snapshot;
    }
    const stored = await store.loadUsage(app.id);
    // Messages counted while this flush awaited are not in `stored` yet: keep them on top of it.
    if (stored === undefined || stored.periodStartUnix !== app.usage.periodStartUnix) return;
    app.usage.messagesUsed = stored.messagesUsed + (app.usage.messagesUsed - snapshot.messagesUsed);
    app.usage.peakConcurrent = Math.max(app.usage.peakConcurrent, stored.peakConcurrent);
    app.persisted = { ...stored };
  }

  async function flushOnce(): Promise<void> {
    for (const app of [...apps.all()]) {
      try {
        await flushApp(app);
      } catch (err) {
        log.error({ err, app: app.id }, "writing usage failed; retrying at the next flush");
      }
    }
  }
  const flush = (): Promise<void> => {
    chain = chain.then(flushOnce, flushOnce);
    return chain;
  };

  return {
    start() {
      const timer = setInterval(() => {
        flush().catch((err: unknown) => log.error({ err }, "usage flush failed"));
      }, intervalMs);
      // The flush on close is what matters at exit; the timer must not keep a process alive.
      timer.unref();
      return () => clearInterval(timer);
    },
    flush,
  };
}
