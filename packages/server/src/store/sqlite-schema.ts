import type Database from "better-sqlite3";
import { newAppId } from "./ids.js";
import { DEFAULT_APP_NAME, DEFAULT_PLAN } from "./validate.js";

/**
 * Schema migrations of the SQLite store, applied in order. The schema version lives in
 * `PRAGMA user_version`: version N means migrations[0..N-1] have run. Never edit a released
 * migration; append a new one.
 *
 * Lists (patterns, actions, origins) are JSON text: they are only ever read and written whole.
 * `seq` columns give a stable creation order (`createdAt` has one-second resolution).
 * Secret-key secrets are stored in clear because HMAC verification needs them; the file is 0600 and
 * a revoked key's secret is erased.
 */
const migrations: ReadonlyArray<(db: Database.Database) => void> = [
  (db) => {
    db.exec(`
      CREATE TABLE apps (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        suspended INTEGER NOT NULL DEFAULT 0 CHECK (suspended IN (0, 1)),
        max_concurrent_connections INTEGER,
        max_messages_per_period INTEGER,
        period_sec INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE keys (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL CHECK (type IN ('publishable', 'secret')),
        app_id TEXT NOT NULL REFERENCES apps (id),
        secret TEXT,
        channel_patterns TEXT NOT NULL,
        actions TEXT NOT NULL,
        allowed_origins TEXT NOT NULL,
        auto_inject_turn INTEGER NOT NULL CHECK (auto_inject_turn IN (0, 1)),
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
      );
      CREATE INDEX keys_by_app ON keys (app_id, seq);
      CREATE TABLE settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `);
    // A fresh install has one app (protocol.md §1); creating it in the first migration makes it
    // part of the same transaction, so two processes opening a new data dir cannot both create one.
    db.prepare(
      `INSERT INTO apps (id, name, max_concurrent_connections, max_messages_per_period, period_sec, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(
      newAppId(),
      DEFAULT_APP_NAME,
      DEFAULT_PLAN.maxConcurrentConnections,
      DEFAULT_PLAN.maxMessagesPerPeriod,
      DEFAULT_PLAN.periodSec,
      Math.floor(Date.now() / 1000),
    );
  },
  // 2: plan names (existing apps get "default") and persisted usage, one row per app and period
  // (earlier periods are kept: a handful of rows per app per year, and a record for billing).
  (db) => {
    db.exec(`
      ALTER TABLE apps ADD COLUMN plan_name TEXT NOT NULL DEFAULT 'default';
      CREATE TABLE usage (
        app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
        period_start INTEGER NOT NULL,
        messages_used INTEGER NOT NULL CHECK (messages_used >= 0),
        peak_concurrent INTEGER NOT NULL CHECK (peak_concurrent >= 0),
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (app_id, period_start)
      ) WITHOUT ROWID;
    `);
  },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = migrations.length;

/**
 * Brings the database to {@link SCHEMA_VERSION} (or to `target`, which only tests use to build an
 * old database). Runs in one IMMEDIATE transaction (the write lock
 * is taken before the version is read), so concurrent openers serialize and only one migrates.
 * Returns the version found before migrating (0 = brand-new database). A database newer than this
 * code is refused rather than risk misreading it.
 */
export function migrate(db: Database.Database, target = SCHEMA_VERSION): number {
  const run = db.transaction((): number => {
    const found = db.pragma("user_version", { simple: true }) as number;
    if (found > SCHEMA_VERSION) {
      throw new Error(
        `database schema version ${found} is newer than this Switchboard understands (${SCHEMA_VERSION})`,
      );
    }
    for (let v = found; v < target; v++) migrations[v]?.(db);
    if (found < target) db.pragma(`user_version = ${target}`);
    return found;
  });
  return run.immediate();
}
