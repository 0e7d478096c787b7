import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { consumeMessage, createAppRegistry, currentUsage, rollUsagePeriod } from "./apps.js";
import { silentLogger } from "./logger.js";
import { openSqliteStore } from "./store/sqlite.js";
import type { Store } from "./store/types.js";
import { testApp } from "./test-support.js";
import { createUsageFlusher } from "./usage-flusher.js";

describe("usage periods", () => {
  it("rolls messages to 0 and the peak to the open connections when a new period begins", () => {
    const app = testApp();
    app.record.plan.periodSec = 100;
    app.usage.periodStartUnix = 0;
    expect(consumeMessage(app, 50)).toBe(true);
    app.usage.peakConcurrent = 7;
    expect(currentUsage(app, 150)).toEqual({
      periodStartUnix: 100,
      periodEndUnix: 200,
      concurrentNow: 0,
      peakConcurrent: 0,
      messagesUsed: 0,
    });
    // Reading did not change anything; rolling does.
    expect(app.usage).toEqual({ periodStartUnix: 0, messagesUsed: 1, peakConcurrent: 7 });
    rollUsagePeriod(app, 150);
    expect(app.usage).toEqual({ periodStartUnix: 100, messagesUsed: 0, peakConcurrent: 0 });
  });
});

describe("usage flusher and registry", () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "switchboard-usage-"));
    ({ store } = await openSqliteStore({ dataDir: dir }));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes only apps whose counters changed since the last write, as deltas", async () => {
    const apps = createAppRegistry(store);
    const app = await apps.get((await store.defaultApp()).id);
    if (!app) throw new Error("no default app");
    const writes: unknown[] = [];
    const counting: Store = {
      ...store,
      addUsage: async (id, usage) => {
        writes.push(usage);
        return store.addUsage(id, usage);
      },
    };
    const flusher = createUsageFlusher({ store: counting, apps, intervalMs: 1_000, log: silentLogger() });
    await flusher.flush();
    expect(writes).toHaveLength(0);
    consumeMessage(app);
    await Promise.all([flusher.flush(), flusher.flush()]);
    expect(writes).toHaveLength(1);
    consumeMessage(app);
    consumeMessage(app);
    await flusher.flush();
    expect(writes).toHaveLength(2);
    expect(writes[1]).toMatchObject({ messagesUsed: 2 });
    expect(await store.loadUsage(app.id)).toMatchObject({ messagesUsed: 3 });
    expect(app.usage.messagesUsed).toBe(3);
  });

  it("two nodes on one store count each other's messages after a flush, and never twice", async () => {
    const id = (await store.defaultApp()).id;
    const other = await openSqliteStore({ dataDir: dir });
    try {
      const [a, b] = [createAppRegistry(store), createAppRegistry(other.store)];
      const [appA, appB] = [await a.get(id), await b.get(id)];
      if (!appA || !appB) throw new Error("no default app");
      const flushA = createUsageFlusher({ store, apps: a, intervalMs: 1_000, log: silentLogger() });
      const flushB = createUsageFlusher({
        store: other.store,
        apps: b,
        intervalMs: 1_000,
        log: silentLogger(),
      });
      for (let i = 0; i < 3; i++) consumeMessage(appA);
      for (let i = 0; i < 4; i++) consumeMessage(appB);
      await flushA.flush();
      await flushB.flush();
      expect(appB.usage.messagesUsed).toBe(7);
      await flushA.flush();
      expect(appA.usage.messagesUsed).toBe(7);
      await Promise.all([flushA.flush(), flushB.flush()]);
      expect(await store.loadUsage(id)).toMatchObject({ messagesUsed: 7 });
      // The quota is the app's, not a node's: node A is refused once the store's total reaches it.
      appA.record.plan.maxMessagesPerPeriod = 8;
      expect(consumeMessage(appA)).toBe(true);
      expect(consumeMessage(appA)).toBe(false);
    } finally {
      await other.store.close();
    }
  });

  it("keeps going (and retries later) when a write fails", async () => {
    const apps = createAppRegistry(store);
    const app = await apps.get((await store.defaultApp()).id);
    if (!app) throw new Error("no default app");
    let fail = true;
    const flaky: Store = {
      ...store,
      addUsage: async (id, usage) => {
        if (fail) throw new Error("disk full");
        return store.addUsage(id, usage);
      },
    };
    const flusher = createUsageFlusher({ store: flaky, apps, intervalMs: 1_000, log: silentLogger() });
    consumeMessage(app);
    await expect(flusher.flush()).resolves.toBeUndefined();
    fail = false;
    await flusher.flush();
    expect(await store.loadUsage(app.id)).toMatchObject({ messagesUsed: 1 });
  });

  it("a new runtime starts from the saved counters of the current period only", async () => {
    const record = await store.defaultApp();
    await store.addUsage(record.id, {
      periodStartUnix: record.createdAt,
      messagesUsed: 9,
      peakConcurrent: 4,
    });
    const fresh = await createAppRegistry(store).get(record.id);
    expect(fresh?.usage).toEqual({ periodStartUnix: record.createdAt, messagesUsed: 9, peakConcurrent: 4 });
    // Counters of another period (e.g. before a change of the period length) do not carry over.
    const other = await store.createApp({ name: "other" });
    await store.addUsage(other.id, {
      periodStartUnix: other.createdAt - 100,
      messagesUsed: 9,
      peakConcurrent: 4,
    });
    const moved = await createAppRegistry(store).get(other.id);
    expect(moved?.usage).toEqual({ periodStartUnix: other.createdAt, messagesUsed: 0, peakConcurrent: 0 });
  });
});
