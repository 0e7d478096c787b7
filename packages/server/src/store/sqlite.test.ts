import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { describeStore } from "./conformance.js";
import { openSqliteStore, SQLITE_FILE_NAME } from "./sqlite.js";
import { migrate, SCHEMA_VERSION } from "./sqlite-schema.js";
import type { Store } from "./types.js";

const tempRoots: string[] = [];
function tempRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-store-"));
  tempRoots.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of tempRoots.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describeStore("sqlite", async () => {
  const root = tempRoot();
  const dataDir = join(root, "data");
  const handles: Store[] = [];
  const open = async () => {
    const { store } = await openSqliteStore({ dataDir, pollMs: 50 });
    handles.push(store);
    return store;
  };
  return {
    store: await open(),
    reopen: open,
    cleanup: async () => {
      for (const h of handles) await h.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
});

const mode = (path: string) => statSync(path).mode & 0o777;

describe("openSqliteStore", () => {
  it("creates the data dir 0700 and the database, -wal and -shm files 0600", async () => {
    const dataDir = join(tempRoot(), "nested", "data");
    const { store } = await openSqliteStore({ dataDir });
    // A write makes sure the WAL file holds data; -shm exists while the connection is open.
    await store.createApp({ name: "x" });
    expect(mode(dataDir)).toBe(0o700);
    for (const suffix of ["", "-wal", "-shm"]) {
      const file = join(dataDir, SQLITE_FILE_NAME + suffix);
      expect(existsSync(file), file).toBe(true);
      expect(mode(file), file).toBe(0o600);
    }
    await store.close();
  });

  it("creates 0600 files even under a permissive umask", async () => {
    const dataDir = join(tempRoot(), "data");
    const previous = process.umask(0);
    try {
      const { store } = await openSqliteStore({ dataDir });
      await store.createApp({ name: "x" });
      expect(mode(dataDir)).toBe(0o700);
      for (const suffix of ["", "-wal", "-shm"])
        expect(mode(join(dataDir, SQLITE_FILE_NAME + suffix))).toBe(0o600);
      await store.close();
    } finally {
      process.umask(previous);
    }
  });

  it("leaves the mode of an existing data dir alone", async () => {
    const dataDir = join(tempRoot(), "data");
    mkdirSync(dataDir, { mode: 0o755 });
    const { store } = await openSqliteStore({ dataDir });
    expect(mode(dataDir)).toBe(0o755 & ~process.umask());
    expect(mode(join(dataDir, SQLITE_FILE_NAME))).toBe(0o600);
    await store.close();
  });

  it("reports created only for a new database, and the data survives reopening", async () => {
    const dataDir = join(tempRoot(), "data");
    const first = await openSqliteStore({ dataDir });
    expect(first.created).toBe(true);
    const app = await first.store.createApp({ name: "kept" });
    const sk = await first.store.createKey({ type: "secret", appId: app.id });
    await first.store.setSetting("admin_token_sha256", "h");
    const defaultApp = await first.store.defaultApp();
    await first.store.close();

    const second = await openSqliteStore({ dataDir });
    expect(second.created).toBe(false);
    expect(await second.store.listApps()).toHaveLength(2);
    expect(await second.store.defaultApp()).toEqual(defaultApp);
    expect(await second.store.getApp(app.id)).toEqual(app);
    expect(await second.store.getKey(sk.key.id)).toEqual(sk.key);
    expect(await second.store.getSigningSecret(sk.key.id)).toBe(sk.secret);
    expect(await second.store.getSetting("admin_token_sha256")).toBe("h");
    await second.store.close();
  });

  it("two handles opening a new data dir at once create one default app, and one reports created", async () => {
    const dataDir = join(tempRoot(), "data");
    const [a, b] = await Promise.all([openSqliteStore({ dataDir }), openSqliteStore({ dataDir })]);
    expect([a.created, b.created].filter(Boolean)).toHaveLength(1);
    expect(await a.store.listApps()).toHaveLength(1);
    await a.store.close();
    await b.store.close();
  });

  it("puts the database in WAL mode at schema version 2", async () => {
    const dataDir = join(tempRoot(), "data");
    const { store } = await openSqliteStore({ dataDir });
    const Database = (await import("better-sqlite3")).default;
    const db = new Database(join(dataDir, SQLITE_FILE_NAME), { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(2);
    db.close();
    await store.close();
  });

  it("migrates a version-1 data dir: apps and keys are kept, plans are named default, usage works", async () => {
    const dataDir = join(tempRoot(), "data");
    mkdirSync(dataDir, { mode: 0o700 });
    const Database = (await import("better-sqlite3")).default;
    const old = new Database(join(dataDir, SQLITE_FILE_NAME));
    migrate(old, 1);
    old
      .prepare(
        `INSERT INTO apps (id, name, max_concurrent_connections, max_messages_per_period, period_sec, created_at)
       VALUES ('app_0000000000000001', 'legacy', 5, NULL, 60, 1700000000)`,
      )
      .run();
    old
      .prepare(
        `INSERT INTO keys (id, type, app_id, secret, channel_patterns, actions, allowed_origins, auto_inject_turn, created_at)
       VALUES ('pk_live_000000000000000000000001', 'publishable', 'app_0000000000000001', NULL, '["**"]',
               '["subscribe"]', '[]', 1, 1700000000)`,
      )
      .run();
    expect(old.pragma("user_version", { simple: true })).toBe(1);
    old.close();

    const { store, created } = await openSqliteStore({ dataDir });
    expect(created).toBe(false);
    expect(await store.getApp("app_0000000000000001")).toEqual({
      id: "app_0000000000000001",
      name: "legacy",
      suspended: false,
      plan: { name: "default", maxConcurrentConnections: 5, maxMessagesPerPeriod: null, periodSec: 60 },
      createdAt: 1700000000,
    });
    expect((await store.getKey("pk_live_000000000000000000000001"))?.actions).toEqual(["subscribe"]);
    const usage = { periodStartUnix: 1700000000, messagesUsed: 2, peakConcurrent: 1 };
    await store.addUsage("app_0000000000000001", usage);
    expect(await store.loadUsage("app_0000000000000001")).toEqual(usage);
    await store.close();
  });

  it("rejects a bad pollMs and a data dir that is a file", async () => {
    const root = tempRoot();
    await expect(openSqliteStore({ dataDir: root, pollMs: 0 })).rejects.toThrow(TypeError);
    const file = join(root, "file");
    (await import("node:fs")).writeFileSync(file, "");
    await expect(openSqliteStore({ dataDir: file })).rejects.toThrow();
  });

  it("close is idempotent and stops change polling", async () => {
    const dataDir = join(tempRoot(), "data");
    const { store } = await openSqliteStore({ dataDir, pollMs: 10 });
    store.onChange(() => {});
    await store.close();
    await store.close();
    await expect(store.listApps()).rejects.toThrow();
  });
});
