import pg from "pg";

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
