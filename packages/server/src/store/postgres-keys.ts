import type pg from "pg";
import { mintKey } from "./new-key.js";
import { lookupId, notifyChange, withTransaction } from "./postgres-rows.js";
import { type KeyRow, keyFromRow } from "./rows.js";
import type { CreatedKey, KeyPatch, KeyRecord, Store } from "./types.js";
import { StoreError } from "./types.js";
import { resolveKeyPatch, resolveNewKey } from "./validate.js";

/** The key methods of the PostgreSQL {@link Store}. */
export type PostgresKeyMethods = Pick<
  Store,
  "createKey" | "getKey" | "getSigningSecret" | "listKeys" | "revokeKey" | "updateKey" | "deleteKey"
>;

const now = () => Math.floor(Date.now() / 1000);

const scopeColumns = (k: Required<KeyPatch>) => [
  JSON.stringify(k.channelPatterns),
  JSON.stringify(k.actions),
  JSON.stringify(k.allowedOrigins),
  k.autoInjectTurn,
];

/**
 * Key storage on the `keys` table. Check-then-write operations lock the rows they check
 * (`SELECT … FOR UPDATE` on the app row for `createKey`, on the key row for `updateKey`), so two
 * nodes cannot together exceed `Limits.maxKeysPerApp` or overwrite each other's checks. Every
 * write that changes something notifies {@link CHANGES_CHANNEL} in its transaction.
 */
export function postgresKeyMethods(pool: pg.Pool): PostgresKeyMethods {
  const getRow = async (db: pg.Pool | pg.PoolClient, id: unknown, lock = false) => {
    if (!lookupId(id)) return undefined;
    const { rows } = await db.query<KeyRow>(`SELECT * FROM keys WHERE id = $1${lock ? " FOR UPDATE" : ""}`, [
      id,
    ]);
    return rows[0];
  };

  return {
    async createKey(input) {
      const k = resolveNewKey(input);
      return withTransaction(pool, async (client): Promise<CreatedKey> => {
        // Locking the app row serializes key creation per app across every node.
        const app = lookupId(k.appId)
          ? await client.query("SELECT 1 FROM apps WHERE id = $1 FOR UPDATE", [k.appId])
          : { rowCount: 0 };
        if (app.rowCount === 0) throw new StoreError("not_found", `app ${k.appId} not found`);
        const { rows } = await client.query<{ n: number }>(
          "SELECT count(*) AS n FROM keys WHERE app_id = $1 AND revoked_at IS NULL",
          [k.appId],
        );
        const created = mintKey(k, rows[0]?.n ?? 0, now());
        const { key } = created;
        await client.query(
          `INSERT INTO keys (id, type, app_id, secret, channel_patterns, actions, allowed_origins, auto_inject_turn, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [key.id, key.type, key.appId, created.secret ?? null, ...scopeColumns(key), key.createdAt],
        );
        await notifyChange(client);
        return created;
      });
    },
    async getKey(id) {
      const row = await getRow(pool, id);
      return row === undefined ? undefined : keyFromRow(row);
    },
    async getSigningSecret(keyId) {
      if (!lookupId(keyId)) return undefined;
      const { rows } = await pool.query<{ secret: string | null }>(
        "SELECT secret FROM keys WHERE id = $1 AND type = 'secret' AND revoked_at IS NULL",
        [keyId],
      );
      return rows[0]?.secret ?? undefined;
    },
    async listKeys(appId) {
      if (appId === undefined) {
        return (await pool.query<KeyRow>("SELECT * FROM keys ORDER BY seq")).rows.map(keyFromRow);
      }
      if (!lookupId(appId)) return [];
      const { rows } = await pool.query<KeyRow>("SELECT * FROM keys WHERE app_id = $1 ORDER BY seq", [appId]);
      return rows.map(keyFromRow);
    },
    async revokeKey(id) {
      if (!lookupId(id)) return undefined;
      return withTransaction(pool, async (client) => {
        // Erasing the secret on revoke: a revoked key can never sign again, so there is nothing to keep.
        const revoked = await client.query(
          "UPDATE keys SET revoked_at = $1, secret = NULL WHERE id = $2 AND revoked_at IS NULL",
          [now(), id],
        );
        if ((revoked.rowCount ?? 0) > 0) await notifyChange(client);
        const row = await getRow(client, id);
        return row === undefined ? undefined : keyFromRow(row);
      });
    },
    async updateKey(id, patch) {
      return withTransaction(pool, async (client) => {
        const row = await getRow(client, id, true);
        if (row === undefined) return undefined;
        const current = keyFromRow(row);
        if (current.revoked) throw new StoreError("key_revoked", `key ${current.id} is revoked`);
        const next = resolveKeyPatch(patch, current);
        const updated: KeyRecord = { ...current, ...next };
        if (JSON.stringify(updated) === JSON.stringify(current)) return current;
        await client.query(
          `UPDATE keys SET channel_patterns = $2, actions = $3, allowed_origins = $4, auto_inject_turn = $5
           WHERE id = $1`,
          [current.id, ...scopeColumns(next)],
        );
        await notifyChange(client);
        return updated;
      });
    },
    async deleteKey(id) {
      if (!lookupId(id)) return false;
      return withTransaction(pool, async (client) => {
        const deleted = ((await client.query("DELETE FROM keys WHERE id = $1", [id])).rowCount ?? 0) > 0;
        if (deleted) await notifyChange(client);
        return deleted;
      });
    },
  };
}
