import { Limits } from "@switchboard/protocol";
import { beforeEach, describe, expect, it } from "vitest";
import { expectStoreError } from "./conformance-helpers.js";
import type { Store } from "./types.js";

/**
 * The update/delete part of the Store contract (run by `describeStore`): plan names, key updates,
 * key and app deletion. `get` returns the current test's store.
 */
export function describeDeletionContract(get: () => Store): void {
  let store: Store;
  beforeEach(() => {
    store = get();
  });

  describe("plan names", () => {
    it('default to "default", are trimmed, and are kept across updates of other fields', async () => {
      const a = await store.createApp({ name: "a", plan: { name: "  pro  ", maxConcurrentConnections: 5 } });
      expect(a.plan.name).toBe("pro");
      const b = await store.updateApp(a.id, { plan: { maxMessagesPerPeriod: 9 } });
      expect(b?.plan).toEqual({
        name: "pro",
        maxConcurrentConnections: 5,
        maxMessagesPerPeriod: 9,
        periodSec: 2_592_000,
      });
      const c = await store.updateApp(a.id, { plan: { name: "team" } });
      expect((await store.getApp(a.id))?.plan).toEqual({ ...b?.plan, name: "team" });
      expect(c?.plan.name).toBe("team");
      expect((await store.createApp({ name: "plain" })).plan.name).toBe("default");
    });
  });

  describe("key updates", () => {
    it("changes only the given scope fields; type, app and dates stay", async () => {
      const appId = (await store.defaultApp()).id;
      const { key } = await store.createKey({ type: "publishable", appId });
      const updated = await store.updateKey(key.id, {
        channelPatterns: ["room-*", "room-*"],
        actions: ["send", "subscribe"],
        allowedOrigins: ["https://app.example"],
      });
      expect(updated).toEqual({
        ...key,
        channelPatterns: ["room-*"],
        actions: ["subscribe", "send"],
        allowedOrigins: ["https://app.example"],
      });
      expect(await store.getKey(key.id)).toEqual(updated);
      const turnOn = await store.updateKey(key.id, { autoInjectTurn: true });
      expect(turnOn).toEqual({ ...updated, autoInjectTurn: true });
      expect(await store.updateKey(key.id, {})).toEqual(turnOn);
      expect(await store.updateKey("pk_live_doesnotexist", { autoInjectTurn: true })).toBeUndefined();
    });

    it("keeps a secret key's secret and refuses origins on it", async () => {
      const appId = (await store.defaultApp()).id;
      const sk = await store.createKey({ type: "secret", appId });
      await store.updateKey(sk.key.id, { actions: ["publish"] });
      expect(await store.getSigningSecret(sk.key.id)).toBe(sk.secret);
      await expectStoreError(
        store.updateKey(sk.key.id, { allowedOrigins: ["https://app.example"] }),
        "invalid_input",
      );
    });

    it("rejects invalid patches with invalid_input and revoked keys with key_revoked", async () => {
      const appId = (await store.defaultApp()).id;
      const { key } = await store.createKey({ type: "publishable", appId });
      const bad: unknown[] = [
        { channelPatterns: [] },
        { channelPatterns: ["a\u0001"] },
        { actions: [] },
        { actions: ["admin"] },
        { allowedOrigins: ["https://app.example/"] },
        { autoInjectTurn: "no" },
        null,
      ];
      for (const patch of bad)
        await expectStoreError(store.updateKey(key.id, patch as never), "invalid_input");
      expect(await store.getKey(key.id)).toEqual(key);
      await store.revokeKey(key.id);
      await expectStoreError(store.updateKey(key.id, { autoInjectTurn: false }), "key_revoked");
    });
  });

  describe("deletion", () => {
    it("deleteKey removes a key for good and frees its slot in the key limit", async () => {
      const appId = (await store.defaultApp()).id;
      const sk = await store.createKey({ type: "secret", appId });
      expect(await store.deleteKey(sk.key.id)).toBe(true);
      expect(await store.getKey(sk.key.id)).toBeUndefined();
      expect(await store.getSigningSecret(sk.key.id)).toBeUndefined();
      expect(await store.listKeys(appId)).toEqual([]);
      expect(await store.deleteKey(sk.key.id)).toBe(false);
      const revoked = await store.createKey({ type: "publishable", appId });
      await store.revokeKey(revoked.key.id);
      expect(await store.deleteKey(revoked.key.id)).toBe(true);

      const ids: string[] = [];
      for (let i = 0; i < Limits.maxKeysPerApp; i++)
        ids.push((await store.createKey({ type: "publishable", appId })).key.id);
      await expectStoreError(store.createKey({ type: "publishable", appId }), "key_limit_reached");
      await store.deleteKey(ids[0] as string);
      await expect(store.createKey({ type: "publishable", appId })).resolves.toBeDefined();
    });

    it("deleteApp removes the app with its keys and usage; other apps are untouched", async () => {
      const a = await store.createApp({ name: "a" });
      const b = await store.createApp({ name: "b" });
      const ka = await store.createKey({ type: "secret", appId: a.id });
      const kb = await store.createKey({ type: "publishable", appId: b.id });
      await store.addUsage(a.id, { periodStartUnix: a.createdAt, messagesUsed: 3, peakConcurrent: 1 });
      expect(await store.deleteApp(a.id)).toBe(true);
      expect(await store.getApp(a.id)).toBeUndefined();
      expect(await store.getKey(ka.key.id)).toBeUndefined();
      expect(await store.getSigningSecret(ka.key.id)).toBeUndefined();
      expect(await store.loadUsage(a.id)).toBeUndefined();
      expect(await store.getKey(kb.key.id)).toEqual(kb.key);
      expect((await store.listApps()).map((x) => x.name)).toEqual(["default", "b"]);
      expect(await store.deleteApp(a.id)).toBe(false);
      expect(await store.deleteApp("app_doesnotexist0000")).toBe(false);
      await expectStoreError(store.createKey({ type: "publishable", appId: a.id }), "not_found");
    });

    it("the default app cannot be deleted", async () => {
      const app = await store.defaultApp();
      await expectStoreError(store.deleteApp(app.id), "app_is_default");
      expect(await store.defaultApp()).toEqual(app);
    });
  });
}
