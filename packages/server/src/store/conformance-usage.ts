import { beforeEach, describe, expect, it } from "vitest";
import { expectStoreError, type StoreFixture } from "./conformance-helpers.js";
import type { Store } from "./types.js";

/** The usage part of the Store contract (run by `describeStore`). */
export function describeUsageContract(get: () => Store, fixture: () => StoreFixture): void {
  describe("usage", () => {
    let store: Store;
    beforeEach(() => {
      store = get();
    });

    it("has nothing for an app that never saved usage", async () => {
      expect(await store.loadUsage((await store.defaultApp()).id)).toBeUndefined();
      expect(await store.loadUsage("app_doesnotexist0000")).toBeUndefined();
    });

    it("adds messages and keeps the highest peak per app and period; loadUsage returns the latest period", async () => {
      const a = await store.defaultApp();
      const b = await store.createApp({ name: "b" });
      const t = a.createdAt;
      await store.addUsage(a.id, { periodStartUnix: t, messagesUsed: 1, peakConcurrent: 3 });
      await store.addUsage(a.id, { periodStartUnix: t, messagesUsed: 5, peakConcurrent: 2 });
      expect(await store.loadUsage(a.id)).toEqual({ periodStartUnix: t, messagesUsed: 6, peakConcurrent: 3 });
      await store.addUsage(a.id, { periodStartUnix: t + 60, messagesUsed: 0, peakConcurrent: 0 });
      expect(await store.loadUsage(a.id)).toEqual({
        periodStartUnix: t + 60,
        messagesUsed: 0,
        peakConcurrent: 0,
      });
      expect(await store.loadUsage(b.id)).toBeUndefined();
      await store.addUsage(b.id, { periodStartUnix: t, messagesUsed: 7, peakConcurrent: 3 });
      expect(await store.loadUsage(b.id)).toEqual({ periodStartUnix: t, messagesUsed: 7, peakConcurrent: 3 });
      expect((await store.loadUsage(a.id))?.periodStartUnix).toBe(t + 60);
    });

    it("two handles adding at once lose no count (two nodes flushing one app)", async () => {
      const app = await store.defaultApp();
      const other = await fixture().reopen();
      const t = app.createdAt;
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 20; i++) {
        writes.push(store.addUsage(app.id, { periodStartUnix: t, messagesUsed: 1, peakConcurrent: i }));
        writes.push(other.addUsage(app.id, { periodStartUnix: t, messagesUsed: 2, peakConcurrent: 40 - i }));
      }
      await Promise.all(writes);
      const expected = { periodStartUnix: t, messagesUsed: 60, peakConcurrent: 40 };
      expect(await store.loadUsage(app.id)).toEqual(expected);
      expect(await other.loadUsage(app.id)).toEqual(expected);
    });

    it("ignores usage of an app that does not exist, and rejects invalid counters", async () => {
      await expect(
        store.addUsage("app_doesnotexist0000", { periodStartUnix: 0, messagesUsed: 1, peakConcurrent: 1 }),
      ).resolves.toBeUndefined();
      expect(await store.loadUsage("app_doesnotexist0000")).toBeUndefined();
      const appId = (await store.defaultApp()).id;
      const bad: unknown[] = [
        { periodStartUnix: 1.5, messagesUsed: 0, peakConcurrent: 0 },
        { periodStartUnix: 0, messagesUsed: -1, peakConcurrent: 0 },
        { periodStartUnix: 0, messagesUsed: 0, peakConcurrent: "1" },
        { periodStartUnix: 0, messagesUsed: 0 },
        null,
      ];
      for (const usage of bad) await expectStoreError(store.addUsage(appId, usage as never), "invalid_input");
      expect(await store.loadUsage(appId)).toBeUndefined();
    });

    it("is visible to another handle, and adding does not fire this handle's onChange", async () => {
      const app = await store.defaultApp();
      let calls = 0;
      const off = store.onChange(() => calls++);
      await store.addUsage(app.id, { periodStartUnix: app.createdAt, messagesUsed: 4, peakConcurrent: 2 });
      const other = await fixture().reopen();
      expect(await other.loadUsage(app.id)).toEqual({
        periodStartUnix: app.createdAt,
        messagesUsed: 4,
        peakConcurrent: 2,
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(calls).toBe(0);
      off();
    });
  });
}
