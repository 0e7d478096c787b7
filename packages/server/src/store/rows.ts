import type { Action } from "@switchboard/protocol";
import type { AppRecord, KeyRecord, KeyType, UsageRecord } from "./types.js";

/** A boolean column: SQLite stores 0/1, PostgreSQL a real boolean. */
export type Flag = 0 | 1 | boolean;

const isSet = (flag: Flag): boolean => flag === true || flag === 1;

/** A row of the `apps` table (sqlite-schema.ts, postgres-schema.ts: the same columns). */
export interface AppRow {
  seq: number;
  id: string;
  name: string;
  suspended: Flag;
  max_concurrent_connections: number | null;
  max_messages_per_period: number | null;
  period_sec: number;
  created_at: number;
  plan_name: string;
}

/** A row of the `keys` table (both schemas). `secret` is read only by `getSigningSecret`. */
export interface KeyRow {
  seq: number;
  id: string;
  type: KeyType;
  app_id: string;
  secret: string | null;
  channel_patterns: string;
  actions: string;
  allowed_origins: string;
  auto_inject_turn: Flag;
  created_at: number;
  revoked_at: number | null;
}

/** Maps an `apps` row to its record. */
export function appFromRow(row: AppRow): AppRecord {
  return {
    id: row.id,
    name: row.name,
    suspended: isSet(row.suspended),
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
    autoInjectTurn: isSet(row.auto_inject_turn),
    revoked: row.revoked_at !== null,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

/** A row of the `usage` table (both schemas). */
export interface UsageRow {
  app_id: string;
  period_start: number;
  messages_used: number;
  peak_concurrent: number;
  updated_at: number;
}

/** Maps a `usage` row to its record. */
export function usageFromRow(row: UsageRow): UsageRecord {
  return {
    periodStartUnix: row.period_start,
    messagesUsed: row.messages_used,
    peakConcurrent: row.peak_concurrent,
  };
}
