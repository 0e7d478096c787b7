import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeDeletionContract } from "./conformance-deletion.js";
import { expectStoreError, type StoreFixture, waitFor } from "./conformance-helpers.js";
import { describeKeyContract } from "./conformance-keys.js";
import { describeUsageContract } from "./conformance-usage.js";
import { ID_PATTERNS } from "./ids.js";
import type { Store } from "./types.js";

export type { StoreFixture } from "./conformance-helpers.js";

/**
 * The contract every {@link Store} implementation must pass (SQLite now, Postgres later).
 * `factory` is called once per test and must return a store on empty data, which therefore holds
 * only the default app. Change notification is exercised across two handles, so the factory's
 * store should poll fast (≤ 100 ms) for the suite to stay quick.
 */
export function describeStore(name: string, factory: () => Promise<StoreFixture>): void {
  describe(`Store conformance: ${name}`, () => {
    let fx: StoreFixture;
    let store: Store;
    beforeEach(async () => {
      fx = await factory();
      store = fx.store;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    describe("apps", () => {
      it("a fresh store has exactly one app, the default one, unlimited and live", async () => {
        const apps = await store.listApps();
        expect(apps).toHaveLength(1);
        const app = await store.defaultApp();
        expect(apps[0]).toEqual(app);
        expect(app.id).toMatch(ID_PATTERNS.app);
        expect(app).toMatchObject({
          name: "default",
          suspended: false,
          plan: {
            name: "default",
            maxConcurrentConnections: null,
            maxMessagesPerPeriod: null,
            periodSec: 2_592_000,
          },
        });
        expect(Math.abs(app.createdAt - Date.now() / 1000)).toBeLessThan(60);
      });

      it("creates, gets and lists apps oldest first; the default app stays first", async () => {
        const a = await store.createApp({ name: "alpha", plan: { maxConcurrentConnections: 10 } });
        const b = await store.createApp({ name: "beta" });
        expect(a.id).toMatch(ID_PATTERNS.app);
        expect(a.id).not.toBe(b.id);
        expect(a.plan).toEqual({
          name: "default",
          maxConcurrentConnections: 10,
          maxMessagesPerPeriod: null,
          periodSec: 2_592_000,
        });
        expect(await store.getApp(a.id)).toEqual(a);
        const names = (await store.listApps()).map((x) => x.name);
        expect(names).toEqual(["default", "alpha", "beta"]);
        expect((await store.defaultApp()).name).toBe("default");
        expect(await store.getApp("app_doesnotexist0000")).toBeUndefined();
      });

      it("updates name, plan fields and suspension; absent fields keep their value", async () => {
        const a = await store.createApp({ name: "alpha", plan: { maxMessagesPerPeriod: 5, periodSec: 60 } });
        const renamed = await store.updateApp(a.id, {
          name: "alpha2",
          plan: { maxConcurrentConnections: 3 },
        });
        expect(renamed).toEqual({
          ...a,
          name: "alpha2",
          plan: { name: "default", maxConcurrentConnections: 3, maxMessagesPerPeriod: 5, periodSec: 60 },
        });
        const suspended = await store.updateApp(a.id, {
          suspended: true,
          plan: { maxMessagesPerPeriod: null },
        });
        expect(suspended?.suspended).toBe(true);
        expect(suspended?.plan.maxMessagesPerPeriod).toBeNull();
        expect(await store.getApp(a.id)).toEqual(suspended);
        expect((await store.updateApp(a.id, { suspended: false }))?.suspended).toBe(false);
        expect(await store.updateApp("app_doesnotexist0000", { name: "x" })).toBeUndefined();
      });

      it("rejects invalid app input with invalid_input", async () => {
        const bad: unknown[] = [
          { name: "" },
          { name: "   " },
          { name: "x".repeat(129) },
          { name: "a\nb" },
          { name: 42 },
          { name: "ok", plan: { maxConcurrentConnections: 0 } },
          { name: "ok", plan: { maxConcurrentConnections: 1.5 } },
          { name: "ok", plan: { maxMessagesPerPeriod: -1 } },
          { name: "ok", plan: { periodSec: 0 } },
          { name: "ok", plan: { periodSec: null } },
          { name: "ok", plan: { maxMessagesPerPeriod: "10" } },
          { name: "ok", plan: { name: "" } },
          { name: "ok", plan: { name: "x".repeat(65) } },
          { name: "ok", plan: { name: "a\tb" } },
          { name: "ok", plan: { name: 7 } },
        ];
        for (const input of bad) {
          await expectStoreError(store.createApp(input as { name: string }), "invalid_input");
        }
        const app = await store.defaultApp();
        await expectStoreError(store.updateApp(app.id, { name: "" }), "invalid_input");
        await expectStoreError(store.updateApp(app.id, { plan: { periodSec: 2.5 } }), "invalid_input");
        await expectStoreError(
          store.updateApp(app.id, { suspended: "yes" as unknown as boolean }),
          "invalid_input",
        );
        expect(await store.listApps()).toEqual([app]);
        expect(await store.createApp({ name: "x".repeat(128) })).toMatchObject({ name: "x".repeat(128) });
      });
    });

    describeKeyContract(() => store);
    describeDeletionContract(() => store);
    describeUsageContract(
      () => store,
      () => fx,
    );

    describe("settings", () => {
      it("stores, overwrites and reads settings", async () => {
        expect(await store.getSetting("admin_token_sha256")).toBeUndefined();
        await store.setSetting("admin_token_sha256", "abc");
        await store.setSetting("admin_token_sha256", "def");
        expect(await store.getSetting("admin_token_sha256")).toBe("def");
        await expectStoreError(store.setSetting("", "x"), "invalid_input");
      });
    });

    describe("sharing and change notification", () => {
      it("a second handle sees every committed change", async () => {
        const app = await store.createApp({ name: "shared" });
        const sk = await store.createKey({ type: "secret", appId: app.id });
        await store.setSetting("k", "v");
        const other = await fx.reopen();
        expect(await other.getApp(app.id)).toEqual(app);
        expect(await other.getSigningSecret(sk.key.id)).toBe(sk.secret);
        expect(await other.getSetting("k")).toBe("v");
        await other.revokeKey(sk.key.id);
        expect((await store.getKey(sk.key.id))?.revoked).toBe(true);
      });

      it("onChange fires after a change committed through another handle", async () => {
        const other = await fx.reopen();
        let calls = 0;
        const off = store.onChange(() => calls++);
        await other.createApp({ name: "from elsewhere" });
        await waitFor(() => calls > 0);
        const seen = calls;
        await other.revokeKey(
          (await other.createKey({ type: "publishable", appId: (await other.defaultApp()).id })).key.id,
        );
        await waitFor(() => calls > seen);
        off();
      });

      it("onChange fires after this handle's own writes, and not without changes", async () => {
        let calls = 0;
        const off = store.onChange(() => calls++);
        await new Promise((r) => setTimeout(r, 1_000));
        expect(calls).toBe(0);
        await store.setSetting("x", "1");
        await waitFor(() => calls > 0);
        off();
      });

      it("a disposed listener is not called again; others still are", async () => {
        const other = await fx.reopen();
        let first = 0;
        let second = 0;
        const offFirst = store.onChange(() => first++);
        const offSecond = store.onChange(() => second++);
        offFirst();
        await other.setSetting("y", "1");
        await waitFor(() => second > 0);
        expect(first).toBe(0);
        offSecond();
      });
    });
  });
}
