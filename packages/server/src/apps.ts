import type { Connection } from "./connection.js";
import { createHub, type Hub } from "./hub.js";
import type { AppRecord, Store } from "./store/types.js";

/** Message usage of an app in its current period. */
export interface Usage {
  /** Unix seconds. */
  periodStartUnix: number;
  messagesUsed: number;
  peakConcurrent: number;
}

/** The live side of an app on this node: its record, local hub, connections and usage. */
export interface AppRuntime {
  readonly id: string;
  record: AppRecord;
  readonly hub: Hub;
  readonly connections: Set<Connection>;
  readonly usage: Usage;
}

/** Loads app runtimes on first use and keeps their records fresh after store changes. */
export interface AppRegistry {
  /** The runtime of an existing app, or undefined when the store has no such app. */
  get(appId: string): Promise<AppRuntime | undefined>;
  /** Re-reads the records of every loaded app; returns the runtimes whose app vanished. */
  refresh(): Promise<AppRuntime[]>;
  all(): IterableIterator<AppRuntime>;
}

/** Start of the usage period containing `nowSec`; periods are counted from the app's creation. */
export function periodStart(record: AppRecord, nowSec: number): number {
  const length = record.plan.periodSec;
  const elapsed = Math.max(0, nowSec - record.createdAt);
  return record.createdAt + Math.floor(elapsed / length) * length;
}

/**
 * Counts one accepted `publish`/`send` against the app's allowance; false (and nothing counted)
 * when the period's allowance is spent.
 */
export function consumeMessage(app: AppRuntime, nowSec = Date.now() / 1000): boolean {
  const start = periodStart(app.record, nowSec);
  if (start !== app.usage.periodStartUnix) {
    app.usage.periodStartUnix = start;
    app.usage.messagesUsed = 0;
  }
  const max = app.record.plan.maxMessagesPerPeriod;
  if (max !== null && app.usage.messagesUsed >= max) return false;
  app.usage.messagesUsed += 1;
  return true;
}

export function createAppRegistry(store: Store): AppRegistry {
  const apps = new Map<string, AppRuntime>();
  const loading = new Map<string, Promise<AppRuntime | undefined>>();

  async function load(appId: string): Promise<AppRuntime | undefined> {
    const record = await store.getApp(appId);
    if (!record) return undefined;
    const existing = apps.get(appId);
    if (existing) return existing;
    const runtime: AppRuntime = {
      id: appId,
      record,
      hub: createHub(),
      connections: new Set(),
      usage: { periodStartUnix: periodStart(record, Date.now() / 1000), messagesUsed: 0, peakConcurrent: 0 },
    };
    apps.set(appId, runtime);
    return runtime;
  }

  return {
    async get(appId) {
      const hit = apps.get(appId);
      if (hit) return hit;
      let pending = loading.get(appId);
      if (!pending) {
        pending = load(appId).finally(() => loading.delete(appId));
        loading.set(appId, pending);
      }
      return pending;
    },
    async refresh() {
      const gone: AppRuntime[] = [];
      for (const runtime of apps.values()) {
        const record = await store.getApp(runtime.id);
        if (record) runtime.record = record;
        else {
          apps.delete(runtime.id);
          gone.push(runtime);
        }
      }
      return gone;
    },
    all() {
      return apps.values();
    },
  };
}
