import { ACTIONS, Limits } from "@switchboard/protocol";
import { beforeEach, describe, expect, it } from "vitest";
import { expectStoreError } from "./conformance-helpers.js";
import { ID_PATTERNS } from "./ids.js";
import type { Store } from "./types.js";

/** The key part of the Store contract (run by `describeStore`); `get` returns the current test's store. */
export function describeKeyContract(get: () => Store): void {
  describe("keys", () => {
    let store: Store;
    beforeEach(() => {
      store = get();
    });

    it("publishable keys take the protocol defaults and have no secret", async () => {
      const app = await store.defaultApp();
      const created = await store.createKey({ type: "publishable", appId: app.id });
      expect("secret" in created).toBe(false);
      expect(created.key.id).toMatch(ID_PATTERNS.publishableKey);
      expect(created.key).toMatchObject({
        type: "publishable",
        appId: app.id,
        channelPatterns: ["**"],
        actions: ["subscribe", "publish", "presence"],
        allowedOrigins: [],
        // Publishable keys opt in to TURN (hardening).
        autoInjectTurn: false,
        revoked: false,
        revokedAt: null,
      });
      expect(await store.getKey(created.key.id)).toEqual(created.key);
      expect(await store.getSigningSecret(created.key.id)).toBeUndefined();
    });

    it("secret keys get all four actions and a 256-bit secret returned exactly once", async () => {
      const app = await store.defaultApp();
      const created = await store.createKey({ type: "secret", appId: app.id });
      expect(created.key.id).toMatch(ID_PATTERNS.secretKeyId);
      expect(created.secret).toMatch(ID_PATTERNS.signingSecret);
      expect(created.key.actions).toEqual([...ACTIONS]);
      expect(created.key.channelPatterns).toEqual(["**"]);
      expect(created.key.autoInjectTurn).toBe(true);
      expect(await store.getSigningSecret(created.key.id)).toBe(created.secret);
      const listed = [
        await store.getKey(created.key.id),
        ...(await store.listKeys()),
        ...(await store.listKeys(app.id)),
      ];
      for (const k of listed) {
        expect(k).not.toHaveProperty("secret");
        expect(JSON.stringify(k)).not.toContain(created.secret);
      }
      const other = await store.createKey({ type: "secret", appId: app.id });
      expect(other.secret).not.toBe(created.secret);
    });

    it("keeps explicit scopes, normalizes actions to canonical order and drops duplicates", async () => {
      const app = await store.defaultApp();
      const { key } = await store.createKey({
        type: "publishable",
        appId: app.id,
        channelPatterns: ["room-*", "lobby", "room-*"],
        actions: ["send", "subscribe", "send"],
        allowedOrigins: ["https://app.example", "http://localhost:3000"],
        autoInjectTurn: true,
      });
      expect(key).toMatchObject({
        channelPatterns: ["room-*", "lobby"],
        actions: ["subscribe", "send"],
        allowedOrigins: ["https://app.example", "http://localhost:3000"],
        autoInjectTurn: true,
      });
      expect(await store.getKey(key.id)).toEqual(key);
    });

    it("revokes idempotently; revoked keys stay visible and stop signing", async () => {
      const app = await store.defaultApp();
      const sk = await store.createKey({ type: "secret", appId: app.id });
      const revoked = await store.revokeKey(sk.key.id);
      expect(revoked).toMatchObject({ id: sk.key.id, revoked: true });
      expect(revoked?.revokedAt).toEqual(expect.any(Number));
      expect(await store.getSigningSecret(sk.key.id)).toBeUndefined();
      expect(await store.getKey(sk.key.id)).toEqual(revoked);
      expect(await store.revokeKey(sk.key.id)).toEqual(revoked);
      expect(await store.revokeKey("pk_live_doesnotexist")).toBeUndefined();
      expect(await store.getKey("pk_live_doesnotexist")).toBeUndefined();
      expect(await store.getSigningSecret("sk_id_doesnotexist")).toBeUndefined();
    });

    it(`caps live keys at ${Limits.maxKeysPerApp} per app; revoked keys do not count`, async () => {
      const app = await store.defaultApp();
      const other = await store.createApp({ name: "other" });
      const ids: string[] = [];
      for (let i = 0; i < Limits.maxKeysPerApp; i++) {
        ids.push((await store.createKey({ type: i % 2 ? "secret" : "publishable", appId: app.id })).key.id);
      }
      await expectStoreError(store.createKey({ type: "publishable", appId: app.id }), "key_limit_reached");
      await expect(store.createKey({ type: "publishable", appId: other.id })).resolves.toBeDefined();
      await store.revokeKey(ids[0] as string);
      await expect(store.createKey({ type: "secret", appId: app.id })).resolves.toBeDefined();
      await expectStoreError(store.createKey({ type: "secret", appId: app.id }), "key_limit_reached");
    });

    it("rejects invalid key input with invalid_input and unknown apps with not_found", async () => {
      const appId = (await store.defaultApp()).id;
      const bad: unknown[] = [
        { type: "root", appId },
        { type: "publishable", appId, channelPatterns: [] },
        { type: "publishable", appId, channelPatterns: [""] },
        { type: "publishable", appId, channelPatterns: ["a\u0001b"] },
        { type: "publishable", appId, channelPatterns: ["x".repeat(257)] },
        { type: "publishable", appId, channelPatterns: Array.from({ length: 101 }, (_, i) => `c${i}`) },
        { type: "publishable", appId, channelPatterns: "**" },
        { type: "publishable", appId, actions: [] },
        { type: "publishable", appId, actions: ["subscribe", "admin"] },
        { type: "publishable", appId, allowedOrigins: ["https://app.example/"] },
        { type: "publishable", appId, allowedOrigins: ["app.example"] },
        { type: "publishable", appId, allowedOrigins: ["https://app.example/path"] },
        {
          type: "publishable",
          appId,
          allowedOrigins: Array.from({ length: 101 }, (_, i) => `https://a${i}.example`),
        },
        { type: "publishable", appId, autoInjectTurn: "yes" },
        { type: "secret", appId, allowedOrigins: ["https://app.example"] },
      ];
      for (const input of bad) {
        await expectStoreError(store.createKey(input as never), "invalid_input");
      }
      await expectStoreError(
        store.createKey({ type: "publishable", appId: "app_doesnotexist0000" }),
        "not_found",
      );
      expect(await store.listKeys()).toEqual([]);
      // Reserved prefixes are fine in a key's patterns (clients are refused those channels anyway).
      await expect(
        store.createKey({ type: "publishable", appId, channelPatterns: ["_internal/**"] }),
      ).resolves.toBeDefined();
    });

    it("lists keys oldest first and isolates apps", async () => {
      const a = await store.defaultApp();
      const b = await store.createApp({ name: "b" });
      const k1 = (await store.createKey({ type: "publishable", appId: a.id })).key;
      const k2 = (await store.createKey({ type: "secret", appId: b.id })).key;
      const k3 = (await store.createKey({ type: "secret", appId: a.id })).key;
      expect((await store.listKeys(a.id)).map((k) => k.id)).toEqual([k1.id, k3.id]);
      expect((await store.listKeys(b.id)).map((k) => k.id)).toEqual([k2.id]);
      expect((await store.listKeys()).map((k) => k.id)).toEqual([k1.id, k2.id, k3.id]);
      expect(await store.listKeys("app_doesnotexist0000")).toEqual([]);
    });
  });
}
