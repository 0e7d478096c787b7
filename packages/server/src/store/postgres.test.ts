import { Limits } from "@switchboard/protocol";
import { afterEach, describe, expect, it } from "vitest";
import {
  createTestDatabase,
  postgresProblem,
  queryDatabase,
  type TestDatabase,
} from "../../test/postgres-database.js";
import { describeWithService } from "../../test/tools.js";
import { describeStore } from "./conformance.js";
import { waitFor } from "./conformance-helpers.js";
import { openPostgresStore } from "./postgres.js";
import { SCHEMA_VERSION } from "./postgres-schema.js";
import type { Store } from "./types.js";
import { StoreError } from "./types.js";

const describePostgres = describeWithService("PostgreSQL", await postgresProblem());

describePostgres("postgres store", () => {
  describeStore("postgres", async () => {
    const db = await createTestDatabase();
    const handles: Store[] = [];
    const open = async () => {
      const { store } = await openPostgresStore({ url: db.url, pollMs: 50 });
      handles.push(store);
      return store;
    };
    try {
      return {
        store: await open(),
        reopen: open,
        cleanup: async () => {
          for (const h of handles) await h.close();
          await db.drop();
        },
      };
    } catch (err) {
      await db.drop();
      throw err;
    }
  });

  describe("openPostgresStore", () => {
    const databases: TestDatabase[] = [];
    const handles: Store[] = [];
    const freshDatabase = async () => {
      const db = await createTestDatabase();
      databases.push(db);
      return db;
    };
    const open = async (url: string, pollMs = 50) => {
      const opened = await openPostgresStore({ url, pollMs });
      handles.push(opened.store);
      return opened;
    };
    afterEach(async () => {
      for (const h of handles.splice(0)) await h.close();
      for (const db of databases.splice(0)) await db.drop();
    });

    it("reports created only for a new database, and the data survives reopening", async () => {
      const db = await freshDatabase();
      const first = await open(db.url);
      expect(first.created).toBe(true);
      const app = await first.store.createApp({ name: "kept", plan: { maxMessagesPerPeriod: 1_000_000 } });
      const sk = await first.store.createKey({ type: "secret", appId: app.id });
      await first.store.setSetting("admin_token_sha256", "h");
      const defaultApp = await first.store.defaultApp();
      await first.store.close();

      const second = await open(db.url);
      expect(second.created).toBe(false);
      expect(await second.store.listApps()).toHaveLength(2);
      expect(await second.store.defaultApp()).toEqual(defaultApp);
      expect(await second.store.getApp(app.id)).toEqual(app);
      expect(await second.store.getKey(sk.key.id)).toEqual(sk.key);
      expect(await second.store.getSigningSecret(sk.key.id)).toBe(sk.secret);
      expect(await second.store.getSetting("admin_token_sha256")).toBe("h");
      const rows = await queryDatabase<{ version: number }>(db.url, "SELECT version FROM switchboard_schema");
      expect(rows).toEqual([{ version: SCHEMA_VERSION }]);
    });

    it("three opens racing on a new database create one schema and one default app", async () => {
      const db = await freshDatabase();
      const opened = await Promise.all([open(db.url), open(db.url), open(db.url)]);
      expect(opened.filter((o) => o.created)).toHaveLength(1);
      for (const { store } of opened) expect(await store.listApps()).toHaveLength(1);
      const rows = await queryDatabase<{ n: number }>(db.url, "SELECT count(*)::int AS n FROM apps");
      expect(rows).toEqual([{ n: 1 }]);
    });

    it("two handles racing createKey never exceed the key limit", async () => {
      const db = await freshDatabase();
      const a = (await open(db.url)).store;
      const b = (await open(db.url)).store;
      const appId = (await a.defaultApp()).id;
      const prefill = Limits.maxKeysPerApp - 5;
      for (let i = 0; i < prefill; i++) await a.createKey({ type: "publishable", appId });
      const attempts = Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).createKey({ type: i % 3 ? "publishable" : "secret", appId }),
      );
      const results = await Promise.allSettled(attempts);
      const ok = results.filter((r) => r.status === "fulfilled");
      const refused = results.filter(
        (r) =>
          r.status === "rejected" && r.reason instanceof StoreError && r.reason.code === "key_limit_reached",
      );
      expect(ok).toHaveLength(5);
      expect(refused).toHaveLength(15);
      expect(await a.listKeys(appId)).toHaveLength(Limits.maxKeysPerApp);
    });

    it("still delivers changes after its LISTEN connection is terminated", async () => {
      const db = await freshDatabase();
      const { store } = await open(db.url);
      const other = (await open(db.url)).store;
      let calls = 0;
      const off = store.onChange(() => calls++);
      const killed = await queryDatabase<{ ok: boolean }>(
        db.url,
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = 'switchboard-listen'`,
      );
      // Both handles' listeners were cut.
      expect(killed).toEqual([{ ok: true }, { ok: true }]);
      // Once listening again, the store reports a change (notifications may have been missed).
      await waitFor(() => calls > 0, 5_000);
      const afterReconnect = calls;
      await other.setSetting("after", "reconnect");
      await waitFor(() => calls > afterReconnect, 5_000);
      const afterRemote = calls;
      await store.createApp({ name: "local" });
      await waitFor(() => calls > afterRemote, 5_000);
      expect(await store.getSetting("after")).toBe("reconnect");
      off();
    });

    it("coalesces a burst of changes into few listener calls", async () => {
      const db = await freshDatabase();
      const { store } = await open(db.url, 300);
      let calls = 0;
      const off = store.onChange(() => calls++);
      await Promise.all(Array.from({ length: 10 }, (_, i) => store.setSetting(`s${i}`, "v")));
      await waitFor(() => calls > 0);
      await new Promise((r) => setTimeout(r, 700));
      expect(calls).toBeLessThanOrEqual(3);
      off();
    });

    it("rejects a bad pollMs and an unreachable database", async () => {
      const db = await freshDatabase();
      await expect(openPostgresStore({ url: db.url, pollMs: 0 })).rejects.toThrow(TypeError);
      const missing = new URL(db.url);
      missing.pathname = "/switchboard_t_does_not_exist";
      await expect(openPostgresStore({ url: missing.toString() })).rejects.toThrow();
    });

    it("close is idempotent and later calls reject", async () => {
      const db = await freshDatabase();
      const { store } = await open(db.url);
      store.onChange(() => {});
      await store.close();
      await store.close();
      await expect(store.listApps()).rejects.toThrow();
      const rows = await queryDatabase<{ n: number }>(
        db.url,
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
      );
      expect(rows).toEqual([{ n: 0 }]);
    });
  });
});
