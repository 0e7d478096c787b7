import pg from "pg";
import { newAppId } from "./ids.js";
import { postgresKeyMethods } from "./postgres-keys.js";
import { CHANGES_CHANNEL, lookupId, notifyChange, PG_TYPES, withTransaction } from "./postgres-rows.js";
import { migrate } from "./postgres-schema.js";
import { postgresUsageMethods } from "./postgres-usage.js";
import { type AppRow, appFromRow } from "./rows.js";
import type { AppPlan, AppRecord, Store } from "./types.js";
import { StoreError } from "./types.js";
import { resolveAppPatch, resolvePlan, validateAppName, validateSettingName } from "./validate.js";

/** Options of {@link openPostgresStore}. */
export interface PostgresStoreOptions {
  /** Connection URL, e.g. `postgres://switchboard:…@db.internal:5432/switchboard`. */
  url: string;
  /**
   * Shortest time between two calls of the `onChange` listeners: changes committed within it (by
   * any node) are reported together. Default 500 ms, as the SQLite store's poll interval.
   */
  pollMs?: number;
}

/** Most connections the store's query pool opens (plus one dedicated LISTEN connection). */
export const POSTGRES_POOL_MAX = 10;

const now = () => Math.floor(Date.now() / 1000);

function warn(err: unknown, type = "PostgresStoreWarning"): void {
  process.emitWarning(err instanceof Error ? err : new Error(String(err)), type);
}

/**
 * Opens the PostgreSQL store at `options.url`, creating its tables (and the default app) if the
 * database has none yet.
 *
 * - Queries run on a `pg.Pool` of at most {@link POSTGRES_POOL_MAX} connections. Several nodes and
 *   the CLI may share one database: check-then-write operations lock the rows they check, and
 *   migrations run under a transaction-level advisory lock.
 * - `created` is true when this open created the schema; the database then holds exactly the
 *   default app. Of several processes opening a new database at once, only one sees `true`.
 * - Change notification uses LISTEN/NOTIFY: every configuration write (apps, keys, settings; not
 *   usage) notifies in its transaction, and one dedicated connection listens. When that connection
 *   drops, it is re-established with backoff and the listeners are called once (changes may have
 *   been missed meanwhile). Connection errors become process warnings, never crashes.
 * - Rejects (with the pool closed again) when the database cannot be reached or migrated, and with
 *   a TypeError for a `pollMs` that is not a positive number.
 */
export async function openPostgresStore(
  options: PostgresStoreOptions,
): Promise<{ store: Store; created: boolean }> {
  const pollMs = options.pollMs ?? 500;
  if (!Number.isFinite(pollMs) || pollMs <= 0) throw new TypeError("pollMs must be a positive number");
  if (typeof options.url !== "string" || options.url === "")
    throw new TypeError("url must be a non-empty string");
  const pool = new pg.Pool({
    connectionString: options.url,
    max: POSTGRES_POOL_MAX,
    types: PG_TYPES,
    connectionTimeoutMillis: 10_000,
    application_name: "switchboard",
  });
  // An idle pooled connection that the server closes emits here; without a handler it would crash.
  pool.on("error", (err) => warn(err));
  try {
    const foundVersion = await migrate(pool);
    const changes = await listenForChanges({ url: options.url, pollMs });
    return { store: postgresStore(pool, changes), created: foundVersion === 0 };
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
}

/** The change feed of one store handle: its listeners, fed by a dedicated LISTEN connection. */
interface NotifyFeed {
  onChange(listener: () => void): () => void;
  /** Stops reconnecting, ends the LISTEN connection and drops every listener. Idempotent. */
  close(): Promise<void>;
}

/** Reconnect delays of the LISTEN connection: doubling from the first to the last. */
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

/**
 * Opens the dedicated LISTEN connection (resolves once it listens, so a write made right after the
 * store opened is never missed) and feeds the listeners from its notifications. Calls are throttled
 * to one per `pollMs` (the first of a burst after a quiet spell goes out on the next tick) and made
 * only while listeners exist. A lost connection is re-established with backoff; once it listens
 * again, the listeners are called once, since notifications sent meanwhile are gone.
 */
async function listenForChanges(options: { url: string; pollMs: number }): Promise<NotifyFeed> {
  const { url, pollMs } = options;
  const listeners = new Set<() => void>();
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let lastFire = 0;
  let closed = false;

  const fire = () => {
    timer = undefined;
    lastFire = Date.now();
    for (const listener of [...listeners]) {
      try {
        listener();
      } catch (err) {
        warn(err, "StoreChangeListenerError");
      }
    }
  };
  const schedule = () => {
    if (closed || listeners.size === 0 || timer !== undefined) return;
    timer = setTimeout(fire, Math.max(0, lastFire + pollMs - Date.now()));
    timer.unref();
  };

  const connect = async (): Promise<pg.Client> => {
    const c = new pg.Client({
      connectionString: url,
      types: PG_TYPES,
      application_name: "switchboard-listen",
    });
    let lost = false;
    const onLost = (err?: Error) => {
      if (err !== undefined && !closed) warn(err);
      if (lost) return;
      lost = true;
      if (client === c) client = undefined;
      c.end().catch(() => {});
      if (!closed) reconnect(RECONNECT_MIN_MS);
    };
    let ready = false;
    // Attached before connecting: an 'error' event without a handler would crash the process.
    c.on("error", (err) => {
      if (ready) onLost(err);
    });
    c.on("end", () => {
      if (ready) onLost();
    });
    c.on("notification", (msg) => {
      if (msg.channel === CHANGES_CHANNEL) schedule();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (err) {
      await c.end().catch(() => {});
      throw err;
    }
    ready = true;
    return c;
  };

  const reconnect = (delayMs: number) => {
    if (closed || reconnectTimer !== undefined) return;
    reconnectTimer = setTimeout(async () => {
      reconnectTimer = undefined;
      try {
        const c = await connect();
        if (closed) {
          await c.end().catch(() => {});
          return;
        }
        client = c;
        schedule();
      } catch (err) {
        if (closed) return;
        warn(err);
        reconnect(Math.min(delayMs * 2, RECONNECT_MAX_MS));
      }
    }, delayMs);
    reconnectTimer.unref();
  };

  client = await connect();
  return {
    onChange(listener) {
      if (closed) return () => {};
      // A function object can be added twice; wrap so each registration has its own disposer.
      const entry = () => listener();
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      if (timer !== undefined) clearTimeout(timer);
      if (reconnectTimer !== undefined) clearTimeout(reconnectTimer);
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}

function postgresStore(pool: pg.Pool, changes: NotifyFeed): Store {
  let closed = false;
  const planColumns = (p: AppPlan) => [
    p.name,
    p.maxConcurrentConnections,
    p.maxMessagesPerPeriod,
    p.periodSec,
  ];

  const getAppRow = async (db: pg.Pool | pg.PoolClient, id: unknown, lock = false) => {
    if (!lookupId(id)) return undefined;
    const { rows } = await db.query<AppRow>(`SELECT * FROM apps WHERE id = $1${lock ? " FOR UPDATE" : ""}`, [
      id,
    ]);
    return rows[0];
  };
  const firstApp = async (db: pg.Pool | pg.PoolClient) =>
    (await db.query<AppRow>("SELECT * FROM apps ORDER BY seq LIMIT 1")).rows[0];

  const store = {
    async createApp(input: { name: string; plan?: Partial<AppPlan> }) {
      const name = validateAppName(input?.name);
      const plan = resolvePlan(input.plan);
      const app: AppRecord = { id: newAppId(), name, suspended: false, plan, createdAt: now() };
      await withTransaction(pool, async (client) => {
        await client.query(
          `INSERT INTO apps (id, name, plan_name, max_concurrent_connections, max_messages_per_period, period_sec, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [app.id, name, ...planColumns(plan), app.createdAt],
        );
        await notifyChange(client);
      });
      return app;
    },
    async getApp(id: string) {
      const row = await getAppRow(pool, id);
      return row === undefined ? undefined : appFromRow(row);
    },
    async listApps() {
      return (await pool.query<AppRow>("SELECT * FROM apps ORDER BY seq")).rows.map(appFromRow);
    },
    async updateApp(id: string, patch: { name?: unknown; plan?: unknown; suspended?: unknown }) {
      if (typeof patch !== "object" || patch === null)
        throw new StoreError("invalid_input", "patch must be an object");
      return withTransaction(pool, async (client): Promise<AppRecord | undefined> => {
        const row = await getAppRow(client, id, true);
        if (row === undefined) return undefined;
        const next = resolveAppPatch(appFromRow(row), patch);
        await client.query(
          `UPDATE apps SET name = $2, suspended = $3, plan_name = $4, max_concurrent_connections = $5,
           max_messages_per_period = $6, period_sec = $7 WHERE id = $1`,
          [next.id, next.name, next.suspended, ...planColumns(next.plan)],
        );
        await notifyChange(client);
        return next;
      });
    },
    async defaultApp() {
      const row = await firstApp(pool);
      if (row === undefined) throw new StoreError("not_found", "the store has no app");
      return appFromRow(row);
    },
    async deleteApp(id: string) {
      return withTransaction(pool, async (client) => {
        // Locking the row first: a concurrent createKey (which locks it too) waits, then sees no app.
        const row = await getAppRow(client, id, true);
        if (row === undefined) return false;
        if ((await firstApp(client))?.id === row.id) {
          throw new StoreError("app_is_default", `app ${row.id} is the default app and cannot be deleted`);
        }
        await client.query("DELETE FROM usage WHERE app_id = $1", [row.id]);
        await client.query("DELETE FROM keys WHERE app_id = $1", [row.id]);
        await client.query("DELETE FROM apps WHERE id = $1", [row.id]);
        await notifyChange(client);
        return true;
      });
    },
    ...postgresKeyMethods(pool),
    ...postgresUsageMethods(pool),
    async getSetting(name: string) {
      const valid = validateSettingName(name);
      if (!lookupId(valid)) return undefined;
      const { rows } = await pool.query<{ value: string }>("SELECT value FROM settings WHERE name = $1", [
        valid,
      ]);
      return rows[0]?.value;
    },
    async setSetting(name: string, value: string) {
      if (typeof value !== "string") throw new StoreError("invalid_input", "setting value must be a string");
      const valid = validateSettingName(name);
      if (valid.includes("\u0000") || value.includes("\u0000")) {
        throw new StoreError("invalid_input", "settings must not contain NUL characters");
      }
      await withTransaction(pool, async (client) => {
        await client.query(
          "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
          [valid, value],
        );
        await notifyChange(client);
      });
    },
    onChange(listener: () => void) {
      return changes.onChange(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      await changes.close();
      await pool.end();
    },
  } satisfies Store;
  return store;
}
