import { resolve } from "node:path";
import { openSqliteStore, type Store } from "@switchboard/server";
import { Option } from "commander";
import { CliError } from "./errors.js";

/** Default data dir, relative to the working directory. */
export const DEFAULT_DATA_DIR = "./.switchboard";

/** `--data-dir D` (env `SWITCHBOARD_DATA_DIR`, default `./.switchboard`), shared by every command. */
export function dataDirOption(): Option {
  return new Option("--data-dir <dir>", "directory of the embedded database")
    .env("SWITCHBOARD_DATA_DIR")
    .default(DEFAULT_DATA_DIR);
}

/** Opens the store in `dataDir`, or fails with one line naming the directory. */
export async function openStore(dataDir: string): Promise<{ store: Store; created: boolean }> {
  const dir = resolve(dataDir);
  try {
    return await openSqliteStore({ dataDir: dir });
  } catch (err) {
    throw new CliError(
      `cannot open the data dir ${dir}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/**
 * Runs `fn` with the store in `dataDir` and closes it afterwards. A missing data dir is created
 * (with its default app), so `keys`/`apps` work before the first `serve`. Safe while a server runs
 * on the same dir: SQLite WAL plus a 5 s busy timeout, and the server notices the change by itself.
 */
export async function withStore<T>(dataDir: string, fn: (store: Store) => Promise<T>): Promise<T> {
  const { store } = await openStore(dataDir);
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
