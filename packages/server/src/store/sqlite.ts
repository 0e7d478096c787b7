import { chmodSync, closeSync, fchmodSync, mkdirSync, openSync } from "node:fs";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { pollChanges } from "./changes.js";
import { newAppId } from "./ids.js";
import { type AppRow, appFromRow } from "./rows.js";
import { scrubWal, sqliteKeyMethods } from "./sqlite-keys.js";
import { migrate } from "./sqlite-schema.js";
import { sqliteUsageMethods } from "./sqlite-usage.js";
import type { AppPlan, AppRecord, Store } from "./types.js";
import { StoreError } from "./types.js";
import { resolveAppPatch, resolvePlan, validateAppName, validateSettingName } from "./validate.js";

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** Directory holding `switchboard.db` (and its `-wal`/`-shm` files). Created with mode 0700 if missing. */
  dataDir: string;
  /** How often `onChange` polls for commits by other processes. Default 500 ms. */
  pollMs?: number;
}

/** File name of the database inside the data dir. */
export const SQLITE_FILE_NAME = "switchboard.db";

/** `PRAGMA busy_timeout`: how long a writer waits for another process's lock before failing. */
const BUSY_TIMEOUT_MS = 5_000;

const now = () => Math.floor(Date.now() / 1000);

/**
 * Creates `dir` with mode 0700 if it is missing. A directory that already exists is left as it is:
 * the operator chose it (it may be a mount point or shared on purpose), and the database file
 * inside is 0600 either way.
 */
function prepareDataDir(dir: string): void {
  const firstCreated = mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode is filtered by the umask; chmod makes the result independent of it.
  if (firstCreated !== undefined) chmodSync(dir, 0o700);
}

/**
 * Creates the database file empty with mode 0600 before SQLite opens it, so it is never readable by
 * others even for an instant; SQLite then creates `-wal` and `-shm` with the database file's mode.
 * An existing file keeps its mode.
 */
function createDbFileIfMissing(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, "wx", 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return;
    throw err;
  }
  try {
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens (creating if needed) the embedded SQLite store in `options.dataDir`.
 *
 * - Journal mode WAL, `busy_timeout` 5 s, foreign keys on: the CLI can change keys while a server
 *   runs on the same file. `secure_delete` on, and the WAL checkpointed and truncated after a key
 *   is revoked or deleted: a revoked secret does not stay in the files.
 * - `created` is true when the database had no schema yet (a first start); it then holds exactly
 *   the default app. Only one of several processes opening a new data dir at once sees `true`.
 * - Everything runs synchronously on one connection (better-sqlite3); the methods are async only
 *   to match {@link Store}, which a networked store also implements.
 */
export async function openSqliteStore(
  options: SqliteStoreOptions,
): Promise<{ store: Store; created: boolean }> {
  const pollMs = options.pollMs ?? 500;
  if (!Number.isFinite(pollMs) || pollMs <= 0) throw new TypeError("pollMs must be a positive number");
  const dataDir = resolve(options.dataDir);
  prepareDataDir(dataDir);
  const file = join(dataDir, SQLITE_FILE_NAME);
  createDbFileIfMissing(file);
  const db = new Database(file);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma("journal_mode = WAL");
    // With WAL, NORMAL loses at most the last commits on power loss, never consistency.
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    // Deleted content is overwritten with zeros: a revoked key's secret must not linger in free
    // space of the file (see scrubWal for the WAL side).
    db.pragma("secure_delete = ON");
    const foundVersion = migrate(db);
    return { store: sqliteStore(db, pollMs), created: foundVersion === 0 };
  } catch (err) {
    db.close();
    throw err;
  }
}

function sqliteStore(db: Database.Database, pollMs: number): Store {
  const q = {
    insertApp: db.prepare(
      `INSERT INTO apps (id, name, plan_name, max_concurrent_connections, max_messages_per_period, period_sec, created_at)
       VALUES (@id, @name, @planName, @maxConcurrentConnections, @maxMessagesPerPeriod, @periodSec, @createdAt)`,
    ),
    getApp: db.prepare<[string], AppRow>("SELECT * FROM apps WHERE id = ?"),
    listApps: db.prepare<[], AppRow>("SELECT * FROM apps ORDER BY seq"),
    firstApp: db.prepare<[], AppRow>("SELECT * FROM apps ORDER BY seq LIMIT 1"),
    updateApp: db.prepare(
      `UPDATE apps SET name = @name, suspended = @suspended, plan_name = @planName,
       max_concurrent_connections = @maxConcurrentConnections, max_messages_per_period = @maxMessagesPerPeriod,
       period_sec = @periodSec WHERE id = @id`,
    ),
    deleteAppKeys: db.prepare("DELETE FROM keys WHERE app_id = ?"),
    deleteAppUsage: db.prepare("DELETE FROM usage WHERE app_id = ?"),
    deleteApp: db.prepare("DELETE FROM apps WHERE id = ?"),
    getSetting: db.prepare<[string], { value: string }>("SELECT value FROM settings WHERE name = ?"),
    setSetting: db.prepare(
      "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    ),
  };
  const changes = pollChanges({ pollMs, version: () => db.pragma("data_version", { simple: true }) });
  let closed = false;

  const getAppRow = (id: unknown) => (typeof id === "string" ? q.getApp.get(id) : undefined);
  const planColumns = ({ name, ...limits }: AppPlan) => ({ planName: name, ...limits });

  // IMMEDIATE: take the write lock before reading, so check-then-write is atomic across processes.
  const updateApp = db.transaction(
    (id: unknown, patch: { name?: unknown; plan?: unknown; suspended?: unknown }): AppRecord | undefined => {
      if (typeof patch !== "object" || patch === null)
        throw new StoreError("invalid_input", "patch must be an object");
      const row = getAppRow(id);
      if (row === undefined) return undefined;
      const next = resolveAppPatch(appFromRow(row), patch);
      q.updateApp.run({
        id: next.id,
        name: next.name,
        suspended: next.suspended ? 1 : 0,
        ...planColumns(next.plan),
      });
      changes.markLocalChange();
      return next;
    },
  );

  const deleteApp = db.transaction((id: unknown): boolean => {
    const row = getAppRow(id);
    if (row === undefined) return false;
    if (q.firstApp.get()?.id === row.id) {
      throw new StoreError("app_is_default", `app ${row.id} is the default app and cannot be deleted`);
    }
    q.deleteAppUsage.run(row.id);
    q.deleteAppKeys.run(row.id);
    q.deleteApp.run(row.id);
    changes.markLocalChange();
    return true;
  });

  const store = {
    async createApp(input: { name: string; plan?: Partial<AppPlan> }) {
      const name = validateAppName(input?.name);
      const plan = resolvePlan(input.plan);
      const app: AppRecord = { id: newAppId(), name, suspended: false, plan, createdAt: now() };
      q.insertApp.run({ id: app.id, name, ...planColumns(plan), createdAt: app.createdAt });
      changes.markLocalChange();
      return app;
    },
    async getApp(id: string) {
      const row = getAppRow(id);
      return row === undefined ? undefined : appFromRow(row);
    },
    async listApps() {
      return q.listApps.all().map(appFromRow);
    },
    async updateApp(id: string, patch: { name?: string; plan?: Partial<AppPlan>; suspended?: boolean }) {
      return updateApp.immediate(id, patch);
    },
    async defaultApp() {
      const row = q.firstApp.get();
      if (row === undefined) throw new StoreError("not_found", "the store has no app");
      return appFromRow(row);
    },
    async deleteApp(id: string) {
      const deleted = deleteApp.immediate(id);
      if (deleted) scrubWal(db);
      return deleted;
    },
    ...sqliteKeyMethods(db, changes, (id) => q.getApp.get(id) !== undefined),
    ...sqliteUsageMethods(db),
    async getSetting(name: string) {
      return q.getSetting.get(validateSettingName(name))?.value;
    },
    async setSetting(name: string, value: string) {
      if (typeof value !== "string") throw new StoreError("invalid_input", "setting value must be a string");
      q.setSetting.run(validateSettingName(name), value);
      changes.markLocalChange();
    },
    onChange(listener: () => void) {
      return changes.onChange(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      changes.close();
      db.close();
    },
  } satisfies Store;
  return store;
}
