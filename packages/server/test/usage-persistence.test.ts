/**
 * Usage counters survive a restart (issue 3 item 3): flushed every `usageFlushMs` and on close,
 * loaded again by the next server on the same data dir.
 */
import { createServer } from "@switchboard/server";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { adminClient, startAdminServer } from "./admin-helpers.js";
import { Client, eventually, openStoreHandle, type Store, type TestServer } from "./helpers.js";

interface AppUsage {
  usage: { periodStartUnix: number; messagesUsed: number; peakConcurrent: number; concurrentNow: number };
}

describe("usage persistence", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(config = {}): Promise<TestServer> {
    const { ts } = await startAdminServer(config);
    cleanups.push(() => ts.stop());
    return ts;
  }

  /** A second server on the data dir of `ts` (its first server closed), as after a restart. */
  async function restart(ts: TestServer) {
    const store: Store = await openStoreHandle(ts.dataDir);
    const server = createServer(
      { host: "127.0.0.1", port: 0, connectRatePerIp: 0 },
      { store, logger: pino({ level: "silent" }) },
    );
    const { port } = await server.listen();
    cleanups.push(async () => {
      await server.close();
      await store.close();
    });
    return { store, url: `ws://127.0.0.1:${port}/v1`, admin: adminClient(`http://127.0.0.1:${port}`) };
  }

  it("flushes changed counters every usageFlushMs while running", async () => {
    const ts = await start({ usageFlushMs: 100 });
    const a = await ts.connectJwt();
    await ts.connectJwt();
    for (let i = 0; i < 3; i++) await a.publish("c", i);
    const other = await openStoreHandle(ts.dataDir);
    cleanups.push(() => other.close());
    const saved = await eventually(async () => {
      const usage = await other.loadUsage(ts.app.id);
      return usage?.messagesUsed === 3 ? usage : undefined;
    });
    expect(saved).toEqual({ periodStartUnix: expect.any(Number), messagesUsed: 3, peakConcurrent: 2 });
  });

  it("messagesUsed and peakConcurrent survive a restart; the quota keeps biting", async () => {
    // A flush interval longer than the test: only the flush in close() can have written.
    const ts = await start({ usageFlushMs: 600_000 });
    const { id: appId } = await ts.createApp({ maxMessagesPerPeriod: 5 });
    const pk = await ts.createPk({ appId });
    const clients = [await ts.connectPk(pk), await ts.connectPk(pk), await ts.connectPk(pk)];
    for (let i = 0; i < 5; i++) await clients[0]?.publish("c", i);
    const before = await adminClient(ts.httpUrl).ok<AppUsage>("GET", `/apps/${appId}`);
    expect(before.usage).toMatchObject({ messagesUsed: 5, peakConcurrent: 3, concurrentNow: 3 });
    expect(await ts.store.loadUsage(appId)).toBeUndefined();

    await ts.closeServer();
    expect(await ts.store.loadUsage(appId)).toEqual({
      periodStartUnix: before.usage.periodStartUnix,
      messagesUsed: 5,
      peakConcurrent: 3,
    });

    const next = await restart(ts);
    const after = await next.admin.ok<AppUsage>("GET", `/apps/${appId}`);
    expect(after.usage).toEqual({ ...before.usage, concurrentNow: 0 });
    const reconnected = new Client(`${next.url}?key=${pk}`);
    cleanups.push(async () => reconnected.terminate());
    expect(await reconnected.next()).toMatchObject({ type: "welcome" });
    await reconnected.fails({ type: "publish", channel: "c", data: "over" }, "over_message_quota");
  });

  it("counters of a deleted app are not written back", async () => {
    const ts = await start({ usageFlushMs: 50 });
    const app = await ts.createApp();
    const c = await ts.connectPk(await ts.createPk({ appId: app.id }));
    await c.publish("c", 1);
    await eventually(async () => ((await ts.store.loadUsage(app.id))?.messagesUsed === 1 ? true : undefined));
    await ts.store.deleteApp(app.id);
    await c.waitCloseFrame();
    await new Promise((r) => setTimeout(r, 200));
    expect(await ts.store.loadUsage(app.id)).toBeUndefined();
    expect(await ts.store.getApp(app.id)).toBeUndefined();
  });
});
