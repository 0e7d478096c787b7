/**
 * PostgreSQL for tests: whether the machine's server answers, and fresh throwaway databases on it
 * (one per test, so tests never see each other's rows).
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * The machine's PostgreSQL (trust auth for `postgres` on localhost, as `.ci/run` sets it up).
 * `SWITCHBOARD_TEST_POSTGRES_URL` overrides it; the URL must name a database to connect to for
 * `CREATE DATABASE`.
 */
export const MACHINE_POSTGRES_URL =
  process.env.SWITCHBOARD_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>, timeoutMs = 5_000): Promise<T> {
  const client = new pg.Client({
    connectionString: MACHINE_POSTGRES_URL,
    connectionTimeoutMillis: timeoutMs,
  });
  client.on("error", () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Undefined when a PostgreSQL answers at {@link MACHINE_POSTGRES_URL} and lets this user create
 * databases, else why not (for `describeWithService`).
 */
export async function postgresProblem(timeoutMs = 2_000): Promise<string | undefined> {
  const where = new URL(MACHINE_POSTGRES_URL);
  where.password = "";
  try {
    const canCreate = await withAdmin(async (client) => {
      const { rows } = await client.query<{ ok: boolean }>(
        "SELECT rolcreatedb OR rolsuper AS ok FROM pg_roles WHERE rolname = current_user",
      );
      return rows[0]?.ok === true;
    }, timeoutMs);
    if (!canCreate) return `the PostgreSQL user of ${where} may not create databases`;
    return undefined;
  } catch (err) {
    return `no PostgreSQL answers at ${where} (${(err as Error).message}): start one (\`apt-get install postgresql\`, trust auth for postgres on 127.0.0.1)`;
  }
}

/** A database created for one test. */
export interface TestDatabase {
  readonly name: string;
  /** Connection URL of the new database. */
  readonly url: string;
  /** Drops it, closing connections still open to it (`WITH (FORCE)`). Idempotent. */
  drop(): Promise<void>;
}

/** Runs `CREATE DATABASE switchboard_t_<random>` on the machine's PostgreSQL. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `switchboard_t_${randomBytes(8).toString("hex")}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(MACHINE_POSTGRES_URL);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** Runs `sql` on the database at `url` over a short-lived connection of its own. */
export async function queryDatabase<R extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}
