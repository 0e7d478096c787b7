import { type AppRegistry, type AppRuntime, rollUsagePeriod } from "./apps.js";
import type { Logger } from "./logger.js";
import type { Store, UsageRecord } from "./store/types.js";

/**
 * Writes the usage counters of this node's apps to the store, so they survive a restart.
 */
export interface UsageFlusher {
  /**
   * Starts writing every `intervalMs`; returns the disposer that stops the timer (it does not
   * flush: `close()` calls {@link flush} itself once every socket is gone).
   */
  start(): () => void;
  /**
   * Writes the counters of every app that changed since its last successful write. Flushes never
   * overlap (a call during one runs after it). Never rejects: a failed write is logged and retried
   * on the next flush.
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

const same = (a: UsageRecord | undefined, b: UsageRecord) =>
  a !== undefined &&
  a.periodStartUnix === b.periodStartUnix &&
  a.messagesUsed === b.messagesUsed &&
  a.peakConcurrent === b.peakConcurrent;

/**
 * Dirty tracking compares each app's counters with what was last written, instead of flagging
 * changes on the hot path: the gateway and the quota check stay untouched, and the cost is one
 * comparison per loaded app per interval.
 */
export function createUsageFlusher({ store, apps, intervalMs, log }: FlusherDeps): UsageFlusher {
  const written = new WeakMap<AppRuntime, UsageRecord>();
  let chain: Promise<void> = Promise.resolve();

  async function flushOnce(): Promise<void> {
    for (const app of [...apps.all()]) {
      // Roll first: an idle app whose period ended writes a fresh row rather than nothing.
      rollUsagePeriod(app);
      const snapshot: UsageRecord = { ...app.usage };
      if (same(written.get(app), snapshot)) continue;
      try {
        await store.saveUsage(app.id, snapshot);
        written.set(app, snapshot);
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
