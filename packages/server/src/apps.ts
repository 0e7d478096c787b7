import type { ClusterLink } from "./cluster/app-link.js";
import type { Member } from "./delivery/member.js";
import { createHub, type Hub } from "./hub.js";
import { createMeter, type Meter } from "./meter.js";
import type { AppRecord, Store, UsageRecord } from "./store/types.js";

/** Usage of an app in its current period (the persisted part; `concurrentNow` is live). */
export type Usage = UsageRecord;

/** Usage as `GET /v1/usage` and the admin API report it (protocol.md §11). */
export interface UsageReport extends UsageRecord {
  /** Unix seconds: end of the current period (exclusive). */
  periodEndUnix: number;
  concurrentNow: number;
}

/** The live side of an app on this node: its record, local hub, connections and usage. */
export interface AppRuntime {
  readonly id: string;
  record: AppRecord;
  readonly hub: Hub;
  readonly connections: Set<Member>;
  /** The node's hot-path counters (shared by every app of the node; metrics.ts reads them). */
  readonly meter: Meter;
  readonly usage: Usage;
  /**
   * The counters as the store last confirmed them (loaded, or read back after a flush). The
   * flusher writes `usage − persisted` as a delta, so nothing is counted twice.
   */
  persisted: Usage;
}

/** Loads app runtimes on first use and keeps their records fresh after store changes. */
export interface AppRegistry {
  /** The runtime of an existing app, or undefined when the store has no such app. */
  get(appId: string): Promise<AppRuntime | undefined>;
  /** The runtime of an app already loaded on this node (none: it has no sockets or hub state here). */
  peek(appId: string): AppRuntime | undefined;
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
 * Moves the app's counters to the period containing `nowSec` when that one has begun: messages
 * restart at 0 and the peak at the connections open now. A plan change of `periodSec` moves the
 * period bounds, so it starts a new period too. Called by everything that reads or counts usage.
 */
export function rollUsagePeriod(app: AppRuntime, nowSec = Date.now() / 1000): void {
  const start = periodStart(app.record, nowSec);
  if (start === app.usage.periodStartUnix) return;
  app.usage.periodStartUnix = start;
  app.usage.messagesUsed = 0;
  app.usage.peakConcurrent = concurrentConnections(app);
}

/**
 * The app's usage in the period containing `nowSec`, with the period's end and the live connection
 * count. Reading changes nothing: when that period began after the one the counters were kept for
 * (no message or flush since it rolled over), it reports the new period with nothing used yet.
 */
export function currentUsage(app: AppRuntime, nowSec = Date.now() / 1000): UsageReport {
  const start = periodStart(app.record, nowSec);
  const current = start === app.usage.periodStartUnix;
  const concurrentNow = concurrentConnections(app);
  return {
    periodStartUnix: start,
    periodEndUnix: start + app.record.plan.periodSec,
    concurrentNow,
    peakConcurrent: Math.max(current ? app.usage.peakConcurrent : 0, concurrentNow),
    messagesUsed: current ? app.usage.messagesUsed : 0,
  };
}

/** The app's open sockets: this node's, plus the other nodes' as their last heartbeats said. */
export function concurrentConnections(app: AppRuntime): number {
  return app.connections.size + (app.hub.cluster?.remoteConnections() ?? 0);
}

/**
 * Counts one accepted `publish`/`send` against the app's allowance; false (and nothing counted)
 * when the period's allowance is spent.
 */
export function consumeMessage(app: AppRuntime, nowSec = Date.now() / 1000): boolean {
  rollUsagePeriod(app, nowSec);
  const max = app.record.plan.maxMessagesPerPeriod;
  if (max !== null && app.usage.messagesUsed >= max) return false;
  app.usage.messagesUsed += 1;
  return true;
}

/**
 * The counters a new runtime starts from: the persisted ones when they belong to the current
 * period (a restart keeps counting where the last process stopped), else a fresh period.
 */
async function initialUsage(store: Store, record: AppRecord): Promise<Usage> {
  const start = periodStart(record, Date.now() / 1000);
  const saved = await store.loadUsage(record.id);
  if (saved?.periodStartUnix === start) return { ...saved };
  return { periodStartUnix: start, messagesUsed: 0, peakConcurrent: 0 };
}

/**
 * Loads app runtimes (with their persisted usage) from `store`; their hubs and sessions count into
 * `meter` (default: a detached one). `linkFor` (cluster mode) links each app's hub to the cluster.
 */
export function createAppRegistry(
  store: Store,
  meter: Meter = createMeter(),
  linkFor?: (appId: string) => ClusterLink,
): AppRegistry {
  const apps = new Map<string, AppRuntime>();
  const loading = new Map<string, Promise<AppRuntime | undefined>>();

  async function load(appId: string): Promise<AppRuntime | undefined> {
    const record = await store.getApp(appId);
    if (!record) return undefined;
    const usage = await initialUsage(store, record);
    const existing = apps.get(appId);
    if (existing) return existing;
    const runtime: AppRuntime = {
      id: appId,
      record,
      hub: createHub(undefined, meter, {}, linkFor?.(appId)),
      connections: new Set(),
      usage,
      persisted: { ...usage },
      meter,
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
    peek(appId) {
      return apps.get(appId);
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
