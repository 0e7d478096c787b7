/**
 * Plan limits and suspension driven through the admin API (protocol.md §2 close codes, §3 quota).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AdminClient, startAdminServer } from "./admin-helpers.js";
import { type Client, eventually, type TestServer } from "./helpers.js";

describe("quotas and suspension through the admin API", () => {
  let ts: TestServer;
  let admin: AdminClient;
  let appId: string;
  let pk: string;
  beforeEach(async () => {
    ({ ts, admin } = await startAdminServer());
    appId = (await admin.ok<{ id: string }>("POST", "/apps", { name: "metered" })).id;
    pk = (await admin.ok<{ id: string }>("POST", `/apps/${appId}/keys`, { type: "publishable" })).id;
  });
  afterEach(async () => {
    await ts.stop();
  });

  /** Connects with `pk` until a welcome arrives (plan changes reach a loaded app within a poll). */
  const connectEventually = () =>
    eventually(async () => {
      const c = ts.client({ key: pk });
      const frame = await c.next().catch(() => undefined);
      if (frame?.type === "welcome") return c;
      c.terminate();
      return undefined;
    });

  it("over the plan's concurrent connections → 4010; raising the limit admits again", async () => {
    await admin.ok("PATCH", `/apps/${appId}`, { plan: { maxConcurrentConnections: 2 } });
    const first = await ts.connectPk(pk);
    await ts.connectPk(pk);
    expect((await ts.refused({ key: pk })).code).toBe(4010);
    await first.quiet();
    // Another app's connections do not count against this one.
    await ts.connectPk();
    await admin.ok("PATCH", `/apps/${appId}`, { plan: { maxConcurrentConnections: 3 } });
    await connectEventually();
    expect((await ts.refused({ key: pk })).code).toBe(4010);
    const app = await admin.ok<{ usage: { concurrentNow: number; peakConcurrent: number } }>(
      "GET",
      `/apps/${appId}`,
    );
    expect(app.usage).toMatchObject({ concurrentNow: 3, peakConcurrent: 3 });
  });

  it("over the message allowance → over_message_quota, the socket stays open, others keep receiving", async () => {
    await admin.ok("PATCH", `/apps/${appId}`, { plan: { maxMessagesPerPeriod: 3 } });
    const publisher = await ts.connectPk(pk);
    const listener = await ts.connectPk(pk);
    await listener.subscribe("news");
    await publisher.subscribe("news");
    await listener.next(); // publisher joined
    for (let i = 0; i < 3; i++) {
      await publisher.publish("news", i);
      expect(await listener.next()).toMatchObject({ type: "message", data: i });
    }
    await publisher.fails({ type: "publish", channel: "news", data: "again" }, "over_message_quota");
    await listener.fails({ type: "publish", channel: "news", data: "me too" }, "over_message_quota");
    await publisher.quiet();
    await listener.quiet();
    expect(publisher.isOpen && listener.isOpen).toBe(true);
    // Deliveries continue: presence still reaches the listener, and so do messages once allowed.
    const late: Client = await ts.connectPk(pk);
    await late.subscribe("news");
    expect(await listener.next()).toMatchObject({
      type: "presence",
      joined: [{ peerId: late.welcome?.peerId }],
    });
    await admin.ok("PATCH", `/apps/${appId}`, { plan: { maxMessagesPerPeriod: null } });
    await eventually(async () => {
      const reply = await late.request({ type: "publish", channel: "news", data: "free" });
      return reply.type === "ack" ? true : undefined;
    });
    expect(await listener.next()).toMatchObject({ type: "message", data: "free" });
    const got = await admin.ok<{ usage: { messagesUsed: number } }>("GET", `/apps/${appId}`);
    expect(got.usage.messagesUsed).toBe(4);
  });

  it("suspension closes live connections with 4012 and refuses new ones; resume admits again", async () => {
    const live = [await ts.connectPk(pk), await ts.connectPk(pk)];
    const otherApp = await ts.connectPk();
    await admin.ok("POST", `/apps/${appId}/suspend`);
    for (const c of live) expect((await c.waitCloseFrame(2_000)).code).toBe(4012);
    expect((await ts.refused({ key: pk })).code).toBe(4012);
    await otherApp.quiet();
    await admin.ok("POST", `/apps/${appId}/resume`);
    await (await connectEventually()).quiet();
  });
});
