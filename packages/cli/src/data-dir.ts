import { resolve } from "node:path";
import { openPostgresStore, openSqliteStore, type Store } from "@switchboard/server";
import { Option } from "commander";
import { CliError, UsageError } from "./errors.js";

/** Default data dir, relative to the working directory. */
export const DEFAULT_DATA_DIR = "./.switchboard";

/**
 * Where a command's store lives: the PostgreSQL database `database` when given, else the SQLite
 * database in `dataDir`. The options of every command that takes {@link dataDirOption} and
 * {@link databaseOption} have this shape.
 */
export interface StoreLocation {
  dataDir: string;
  database?: string;
}

/** `--data-dir D` (env `SWITCHBOARD_DATA_DIR`, default `./.switchboard`), shared by every command. */
export function dataDirOption(): Option {
  return new Option("--data-dir <dir>", "directory of the embedded SQLite database (unused with --database)")
    .env("SWITCHBOARD_DATA_DIR")
    .default(DEFAULT_DATA_DIR);
}

/**
 * `--database postgres://…` (env `SWITCHBOARD_DATABASE`), next to every {@link dataDirOption}: the
 * store is that PostgreSQL database instead of the data dir (what the nodes of a cluster share).
 */
export function databaseOption(): Option {
  return new Option(
    "--database <url>",
    "PostgreSQL URL (postgres://USER:PASSWORD@HOST:PORT/DB): keep keys, apps and usage there instead of --data-dir",
  )
    .env("SWITCHBOARD_DATABASE")
    .argParser(parseDatabaseUrl);
}

/**
 * `url` fit for a message: the password replaced by `***` (also in text that is not a valid URL,
 * as far as it looks like `scheme://user:password@…`).
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") {
      parsed.password = "***";
      return parsed.toString();
    }
    return url;
  } catch {
    return url.replace(/(\/\/[^/?#@]*?:)[^/?#@]*@/, "$1***@");
  }
}

/**
 * A URL whose protocol is one of `protocols`, else {@link UsageError} naming `flag`. Thrown as a
 * UsageError rather than commander's InvalidArgumentError: commander's message would repeat the
 * value, password included.
 */
export function urlWithProtocol(flag: string, protocols: readonly string[], example: string) {
  return (value: string): string => {
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new UsageError(`${flag} ${redactUrl(value)} is not a URL; expected ${example}`);
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new UsageError(
        `${flag} ${redactUrl(value)}: expected a ${protocols.map((p) => `${p}//`).join(" or ")} URL, like ${example}`,
      );
    }
    return value;
  };
}

/** The value parser of {@link databaseOption}. */
export const parseDatabaseUrl = urlWithProtocol(
  "--database",
  ["postgres:", "postgresql:"],
  "postgres://USER:PASSWORD@HOST:5432/DB",
);

/** The message of `err`, with what pg leaves empty (an AggregateError of refused addresses) filled in. */
function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.message !== "") return err.message;
  if (err instanceof AggregateError && err.errors[0] instanceof Error) return describeError(err.errors[0]);
  const code = (err as NodeJS.ErrnoException).code;
  return code ?? err.name;
}

/**
 * Opens the store of `location`, or fails with one line naming the directory or the database URL
 * (password redacted).
 */
export async function openStore(location: StoreLocation): Promise<{ store: Store; created: boolean }> {
  if (location.database !== undefined) {
    try {
      return await openPostgresStore({ url: location.database });
    } catch (err) {
      throw new CliError(
        `cannot open the database ${redactUrl(location.database)}: ${describeError(err).split("\n")[0]}`,
      );
    }
  }
  const dir = resolve(location.dataDir);
  try {
    return await openSqliteStore({ dataDir: dir });
  } catch (err) {
    throw new CliError(`cannot open the data dir ${dir}: ${describeError(err)}`);
  }
}

/**
 * Runs `fn` with the store of `location` and closes it afterwards. A missing data dir (or an empty
 * database) is set up with its default app, so `keys`/`apps` work before the first `serve`. Safe
 * while servers run on the same store: SQLite WAL plus a 5 s busy timeout, or PostgreSQL row locks;
 * either way the servers notice the change by themselves.
 */
export async function withStore<T>(location: StoreLocation, fn: (store: Store) => Promise<T>): Promise<T> {
  const { store } = await openStore(location);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** The app `id` names, or the default app when `id` is undefined; unknown → {@link CliError}. */
export async function resolveApp(store: Store, id: string | undefined) {
  if (id === undefined) return store.defaultApp();
  const app = await store.getApp(id);
  if (app === undefined) throw new CliError(`app ${id} not found`);
  return app;
}
