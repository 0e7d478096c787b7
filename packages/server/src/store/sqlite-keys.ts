import type Database from "better-sqlite3";
import type { ChangeFeed } from "./changes.js";
import { mintKey } from "./new-key.js";
import { type KeyRow, keyFromRow } from "./rows.js";
import type { CreatedKey, KeyPatch, KeyRecord, NewKey, Store } from "./types.js";
import { StoreError } from "./types.js";
import { resolveKeyPatch, resolveNewKey } from "./validate.js";

/** The key methods of the SQLite {@link Store}. */
export type SqliteKeyMethods = Pick<
  Store,
  "createKey" | "getKey" | "getSigningSecret" | "listKeys" | "revokeKey" | "updateKey" | "deleteKey"
>;

const now = () => Math.floor(Date.now() / 1000);

/**
 * Run after a secret left the `keys` table (revoke, delete): `secure_delete` (set at open) has
 * zeroed the old bytes in the pages, and this copies the WAL into the database file and truncates
 * it, so the page versions that still held the secret leave the `-wal` file too. Best effort: a
 * checkpoint that another process's open read blocks leaves them until the next checkpoint.
 */
export function scrubWal(db: Database.Database): void {
  db.pragma("wal_checkpoint(TRUNCATE)");
}

/**
 * Key storage on the `keys` table. Writes run in IMMEDIATE transactions (the write lock is taken
 * before reading), so check-then-write is atomic across processes sharing the file.
 */
export function sqliteKeyMethods(
  db: Database.Database,
  changes: ChangeFeed,
  appExists: (id: string) => boolean,
): SqliteKeyMethods {
  const q = {
    insert: db.prepare(
      `INSERT INTO keys (id, type, app_id, secret, channel_patterns, actions, allowed_origins, auto_inject_turn, created_at)
       VALUES (@id, @type, @appId, @secret, @channelPatterns, @actions, @allowedOrigins, @autoInjectTurn, @createdAt)`,
    ),
    countLive: db.prepare<[string], { n: number }>(
      "SELECT count(*) AS n FROM keys WHERE app_id = ? AND revoked_at IS NULL",
    ),
    get: db.prepare<[string], KeyRow>("SELECT * FROM keys WHERE id = ?"),
    list: db.prepare<[], KeyRow>("SELECT * FROM keys ORDER BY seq"),
    listOfApp: db.prepare<[string], KeyRow>("SELECT * FROM keys WHERE app_id = ? ORDER BY seq"),
    signingSecret: db.prepare<[string], { secret: string | null }>(
      "SELECT secret FROM keys WHERE id = ? AND type = 'secret' AND revoked_at IS NULL",
    ),
    // Erasing the secret on revoke: a revoked key can never sign again, so there is nothing to keep.
    revoke: db.prepare("UPDATE keys SET revoked_at = ?, secret = NULL WHERE id = ? AND revoked_at IS NULL"),
    update: db.prepare(
      `UPDATE keys SET channel_patterns = @channelPatterns, actions = @actions,
       allowed_origins = @allowedOrigins, auto_inject_turn = @autoInjectTurn WHERE id = @id`,
    ),
    delete: db.prepare("DELETE FROM keys WHERE id = ?"),
  };
  const getRow = (id: unknown) => (typeof id === "string" ? q.get.get(id) : undefined);
  const scopeColumns = (k: Required<KeyPatch>) => ({
    channelPatterns: JSON.stringify(k.channelPatterns),
    actions: JSON.stringify(k.actions),
    allowedOrigins: JSON.stringify(k.allowedOrigins),
    autoInjectTurn: k.autoInjectTurn ? 1 : 0,
  });

  const createKey = db.transaction((input: NewKey): CreatedKey => {
    const k = resolveNewKey(input);
    if (!appExists(k.appId)) throw new StoreError("not_found", `app ${k.appId} not found`);
    const created = mintKey(k, q.countLive.get(k.appId)?.n ?? 0, now());
    const { key } = created;
    q.insert.run({ ...key, ...scopeColumns(key), secret: created.secret ?? null });
    changes.markLocalChange();
    return created;
  });

  const revokeKey = db.transaction((id: unknown): KeyRecord | undefined => {
    if (typeof id !== "string") return undefined;
    if (q.revoke.run(now(), id).changes > 0) changes.markLocalChange();
    const row = q.get.get(id);
    return row === undefined ? undefined : keyFromRow(row);
  });

  const updateKey = db.transaction((id: unknown, patch: unknown): KeyRecord | undefined => {
    const row = getRow(id);
    if (row === undefined) return undefined;
    const current = keyFromRow(row);
    if (current.revoked) throw new StoreError("key_revoked", `key ${current.id} is revoked`);
    const next = resolveKeyPatch(patch, current);
    const updated: KeyRecord = { ...current, ...next };
    if (JSON.stringify(updated) === JSON.stringify(current)) return current;
    q.update.run({ id: current.id, ...scopeColumns(next) });
    changes.markLocalChange();
    return updated;
  });

  return {
    async createKey(input) {
      return createKey.immediate(input);
    },
    async getKey(id) {
      const row = getRow(id);
      return row === undefined ? undefined : keyFromRow(row);
    },
    async getSigningSecret(keyId) {
      if (typeof keyId !== "string") return undefined;
      return q.signingSecret.get(keyId)?.secret ?? undefined;
    },
    async listKeys(appId) {
      const rows = appId === undefined ? q.list.all() : q.listOfApp.all(appId);
      return rows.map(keyFromRow);
    },
    async revokeKey(id) {
      const revoked = revokeKey.immediate(id);
      if (revoked?.type === "secret") scrubWal(db);
      return revoked;
    },
    async updateKey(id, patch) {
      return updateKey.immediate(id, patch);
    },
    async deleteKey(id) {
      if (typeof id !== "string") return false;
      const deleted = q.delete.run(id).changes > 0;
      if (deleted) {
        changes.markLocalChange();
        scrubWal(db);
      }
      return deleted;
    },
  };
}
