import type { Action } from "@switchboard/protocol";
import pg from "pg";
import type { AppRecord, KeyRecord, KeyType, UsageRecord } from "./types.js";

/** The NOTIFY channel every configuration write signals on (postgres.ts listens on it). */
export const CHANGES_CHANNEL = "switchboard_changes";

/**
 * Type parsers of the store's connections: `BIGINT` (`int8`, also what `count(*)` returns) becomes a
 * JS number instead of a string. Every bigint this store writes is a validated safe integer (unix
 * seconds, limits, counters, sequence numbers), so nothing is lost. Set per connection, never via
 * the process-wide `pg.types`, so other users of `pg` in the process are not affected.
 */
export const PG_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8 && format !== "binary"
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
};

/** Either the pool or one checked-out client (inside a transaction). */
export type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

/**
 * Runs `fn` in a READ COMMITTED transaction on one pooled client: COMMIT when it resolves, ROLLBACK
 * (and rethrow) when it throws. A client whose ROLLBACK fails is discarded rather than reused.
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    try {
      await client.query("ROLLBACK");
    } catch (rollbackErr) {
      broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
    }
    throw err;
  } finally {
    client.release(broken);
  }
}

/**
 * Queues a change notification, delivered by PostgreSQL when (and only if) the surrounding
 * transaction commits. Identical notifications of one transaction are folded into one.
 */
export async function notifyChange(client: Queryable): Promise<void> {
  await client.query("SELECT pg_notify($1, '')", [CHANGES_CHANNEL]);
}

/**
 * An id usable in a lookup: a string PostgreSQL can hold (text cannot contain NUL). Anything else
 * matches no row, as in SQLite.
 */
export function lookupId(id: unknown): id is string {
  return typeof id === "string" && !id.includes("\u0000");
}

/** A row of the `apps` table (postgres-schema.ts). */
export interface AppRow {
  seq: number;
  id: string;
  name: string;
  suspended: boolean;
  plan_name: string;
  max_concurrent_connections: number | null;
  max_messages_per_period: number | null;
  period_sec: number;
  created_at: number;
}

/** A row of the `keys` table (postgres-schema.ts). `secret` is read only by `getSigningSecret`. */
export interface KeyRow {
  seq: number;
  id: string;
  type: KeyType;
  app_id: string;
  secret: string | null;
  channel_patterns: string;
  actions: string;
  allowed_origins: string;
  auto_inject_turn: boolean;
  created_at: number;
  revoked_at: number | null;
}

/** A row of the `usage` table (postgres-schema.ts). */
export interface UsageRow {
  app_id: string;
  period_start: number;
  messages_used: number;
  peak_concurrent: number;
  updated_at: number;
}

/** Maps an `apps` row to its record. */
export function appFromRow(row: AppRow): AppRecord {
  return {
    id: row.id,
    name: row.name,
    suspended: row.suspended,
    plan: {
      name: row.plan_name,
      maxConcurrentConnections: row.max_concurrent_connections,
      maxMessagesPerPeriod: row.max_messages_per_period,
      periodSec: row.period_sec,
    },
    createdAt: row.created_at,
  };
}

/**
 * Maps a `keys` row to its record. The secret column is deliberately not copied: a listed key never
 * carries its secret. The JSON columns were written by this store from validated input.
 */
export function keyFromRow(row: KeyRow): KeyRecord {
  return {
    id: row.id,
    type: row.type,
    appId: row.app_id,
    channelPatterns: JSON.parse(row.channel_patterns) as string[],
    actions: JSON.parse(row.actions) as Action[],
    allowedOrigins: JSON.parse(row.allowed_origins) as string[],
    autoInjectTurn: row.auto_inject_turn,
    revoked: row.revoked_at !== null,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

/** Maps a `usage` row to its record. */
export function usageFromRow(row: UsageRow): UsageRecord {
  return {
    periodStartUnix: row.period_start,
    messagesUsed: row.messages_used,
    peakConcurrent: row.peak_concurrent,
  };
}
