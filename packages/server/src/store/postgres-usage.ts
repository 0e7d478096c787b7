import type pg from "pg";
import { lookupId } from "./postgres-rows.js";
import { type UsageRow, usageFromRow } from "./rows.js";
import type { Store } from "./types.js";
import { validateUsage } from "./validate.js";

/** The usage methods of the PostgreSQL {@link Store}. */
export type PostgresUsageMethods = Pick<Store, "loadUsage" | "addUsage">;

/** SQLSTATE `foreign_key_violation`. */
const FOREIGN_KEY_VIOLATION = "23503";

/**
 * Usage counters on the `usage` table, one row per app and period. Writes are atomic increments
 * (several nodes add their deltas to the same row) and do not notify: they are bookkeeping nothing
 * caches (see the Store contract).
 */
export function postgresUsageMethods(pool: pg.Pool): PostgresUsageMethods {
  return {
    async loadUsage(appId) {
      if (!lookupId(appId)) return undefined;
      const { rows } = await pool.query<UsageRow>(
        "SELECT * FROM usage WHERE app_id = $1 ORDER BY period_start DESC LIMIT 1",
        [appId],
      );
      const row = rows[0];
      return row === undefined ? undefined : usageFromRow(row);
    },
    async addUsage(appId, delta) {
      if (typeof appId !== "string") return;
      const valid = validateUsage(delta);
      if (!lookupId(appId)) return;
      try {
        // INSERT … SELECT … WHERE EXISTS: a delta for an app deleted meanwhile is silently not
        // written instead of failing the foreign key (a flush racing a delete is normal).
        await pool.query(
          `INSERT INTO usage (app_id, period_start, messages_used, peak_concurrent, updated_at)
           SELECT $1::text, $2::bigint, $3::bigint, $4::bigint, $5::bigint
           WHERE EXISTS (SELECT 1 FROM apps WHERE id = $1::text)
           ON CONFLICT (app_id, period_start) DO UPDATE SET
             messages_used = usage.messages_used + excluded.messages_used,
             peak_concurrent = GREATEST(usage.peak_concurrent, excluded.peak_concurrent),
             updated_at = excluded.updated_at`,
          [
            appId,
            valid.periodStartUnix,
            valid.messagesUsed,
            valid.peakConcurrent,
            Math.floor(Date.now() / 1000),
          ],
        );
      } catch (err) {
        // The app was deleted between the EXISTS check and the insert (another transaction).
        if ((err as { code?: unknown }).code === FOREIGN_KEY_VIOLATION) return;
        throw err;
      }
    },
  };
}
