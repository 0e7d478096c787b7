import type pg from "pg";
import { newAppId } from "./ids.js";
import { withTransaction } from "./postgres-rows.js";
import { DEFAULT_APP_NAME, DEFAULT_PLAN } from "./validate.js";

/**
 * Key of the transaction-level advisory lock migrations hold (`pg_advisory_xact_lock`), so several
 * nodes starting at once on a new database serialize and only the first creates the schema and the
 * default app. An arbitrary constant ("SWBD" in ASCII) that other users of the database are unlikely
 * to pick.
 */
export const MIGRATION_LOCK_KEY = 0x53574244;

/**
 * Schema migrations of the PostgreSQL store, applied in order. The schema version is the single
 * row of `switchboard_schema`: version N means migrations[0..N-1] have run. Never edit a released
 * migration; append a new one.
 *
 * Mirrors the SQLite schema (sqlite-schema.ts, at its version 2): lists are JSON text read and
 * written whole, `seq` gives a stable creation order, times are unix seconds in BIGINT, and a
 * revoked key's secret is erased.
 */
const migrations: ReadonlyArray<(client: pg.PoolClient) => Promise<void>> = [
  async (client) => {
    await client.query(`
      CREATE TABLE apps (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        suspended BOOLEAN NOT NULL DEFAULT FALSE,
        plan_name TEXT NOT NULL DEFAULT 'default',
        max_concurrent_connections BIGINT,
        max_messages_per_period BIGINT,
        period_sec BIGINT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE keys (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL CHECK (type IN ('publishable', 'secret')),
        app_id TEXT NOT NULL REFERENCES apps (id),
        secret TEXT,
        channel_patterns TEXT NOT NULL,
        actions TEXT NOT NULL,
        allowed_origins TEXT NOT NULL,
        auto_inject_turn BOOLEAN NOT NULL,
        created_at BIGINT NOT NULL,
        revoked_at BIGINT
      );
      CREATE INDEX keys_by_app ON keys (app_id, seq);
      CREATE TABLE settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      CREATE TABLE usage (
        app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
        period_start BIGINT NOT NULL,
        messages_used BIGINT NOT NULL CHECK (messages_used >= 0),
        peak_concurrent BIGINT NOT NULL CHECK (peak_concurrent >= 0),
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (app_id, period_start)
      );
    `);
    // A fresh install has one app (protocol.md §1); created in the same transaction as the schema,
    // under the migration lock, so concurrent openers of a new database create exactly one.
    await client.query(
      `INSERT INTO apps (id, name, plan_name, max_concurrent_connections, max_messages_per_period, period_sec, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        newAppId(),
        DEFAULT_APP_NAME,
        DEFAULT_PLAN.name,
        DEFAULT_PLAN.maxConcurrentConnections,
        DEFAULT_PLAN.maxMessagesPerPeriod,
        DEFAULT_PLAN.periodSec,
        Math.floor(Date.now() / 1000),
      ],
    );
  },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = migrations.length;

/**
 * Brings the database to {@link SCHEMA_VERSION} in one transaction holding the advisory lock
 * {@link MIGRATION_LOCK_KEY} (taken before the version is read), so concurrent openers serialize
 * and only one migrates. Returns the version found before migrating (0 = brand-new database). A
 * database newer than this code is refused rather than risk misreading it.
 */
export async function migrate(pool: pg.Pool): Promise<number> {
  return withTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
    await client.query("CREATE TABLE IF NOT EXISTS switchboard_schema (version INTEGER NOT NULL)");
    const { rows } = await client.query<{ version: number }>("SELECT version FROM switchboard_schema");
    const found = rows[0]?.version ?? 0;
    if (found > SCHEMA_VERSION) {
      throw new Error(
        `database schema version ${found} is newer than this Switchboard understands (${SCHEMA_VERSION})`,
      );
    }
    for (let v = found; v < SCHEMA_VERSION; v++) await migrations[v]?.(client);
    if (rows.length === 0) {
      await client.query("INSERT INTO switchboard_schema (version) VALUES ($1)", [SCHEMA_VERSION]);
    } else if (found < SCHEMA_VERSION) {
      await client.query("UPDATE switchboard_schema SET version = $1", [SCHEMA_VERSION]);
    }
    return found;
  });
}
