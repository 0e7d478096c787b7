import type Database from "better-sqlite3";
import { type UsageRow, usageFromRow } from "./rows.js";
import type { Store } from "./types.js";
import { validateUsage } from "./validate.js";

/** The usage methods of the SQLite {@link Store}. */
export type SqliteUsageMethods = Pick<Store, "loadUsage" | "addUsage">;

/**
 * Usage counters on the `usage` table, one row per app and period. Writes do not mark a local
 * change (see the Store contract): they are bookkeeping nothing caches.
 */
export function sqliteUsageMethods(db: Database.Database): SqliteUsageMethods {
  const q = {
    latest: db.prepare<[string], UsageRow>(
      "SELECT * FROM usage WHERE app_id = ? ORDER BY period_start DESC LIMIT 1",
    ),
    // INSERT … SELECT … WHERE EXISTS: a row for an app deleted meanwhile is silently not written,
    // instead of failing the foreign key (a flush racing a delete is normal, not an error).
    upsert: db.prepare(
      `INSERT INTO usage (app_id, period_start, messages_used, peak_concurrent, updated_at)
       SELECT @appId, @periodStartUnix, @messagesUsed, @peakConcurrent, @updatedAt
       WHERE EXISTS (SELECT 1 FROM apps WHERE id = @appId)
       ON CONFLICT (app_id, period_start) DO UPDATE SET
         messages_used = messages_used + excluded.messages_used,
         peak_concurrent = max(peak_concurrent, excluded.peak_concurrent),
         updated_at = excluded.updated_at`,
    ),
  };

  return {
    async loadUsage(appId) {
      if (typeof appId !== "string") return undefined;
      const row = q.latest.get(appId);
      return row === undefined ? undefined : usageFromRow(row);
    },
    async addUsage(appId, usage) {
      if (typeof appId !== "string") return;
      const valid = validateUsage(usage);
      q.upsert.run({ appId, ...valid, updatedAt: Math.floor(Date.now() / 1000) });
    },
  };
}
