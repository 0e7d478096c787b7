import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AdminClient, errorBody, startAdminServer } from "./admin-helpers.js";
import { peer, type TestServer } from "./helpers.js";

interface AppStats {
  appId: string;
  connections: number;
  peers: number;
  channelCount: number;
  channels: Array<{ channel: string; subscribers: number; peers: number }>;
  patterns: Array<{ pattern: string; subscribers: number }>;
  messagesInPerSec: number;
  messagesOutPerSec: number;
  usage: Record<string, number>;
}

describe("admin API: live stats, presence, kick", () => {
  let ts: TestServer;
  let admin: AdminClient;
  beforeEach(async () => {
    ({ ts, admin } = await startAdminServer());
  });
  afterEach(async () => {
    await ts.stop();
  });

  it("app stats: connections, busiest channels with subscriber counts, patterns, rates, usage", async () => {
    const alice = await ts.connectJwt({ sub: "alice" });
    const alice2 = await ts.connectJwt({ sub: "alice" });
    const bob = await ts.connectJwt({ sub: "bob" });
    await alice.subscribe("lobby");
    await alice2.subscribe("lobby");
    await bob.subscribe("lobby");
    await alice.next(); // bob joined
    await bob.subscribe("side");
    await bob.subscribe("room-*", { snapshot: false });
    // 6 messages in; lobby → 2 other sockets each, room-1 → bob by pattern.
    for (let i = 0; i < 5; i++) await bob.publish("lobby", i);
    await alice.take(5);
    await alice.publish("room-1", "x");
    const stats = await admin.ok<AppStats>("GET", `/apps/${ts.app.id}/stats`);
    expect(stats).toEqual({
      appId: ts.app.id,
      connections: 3,
      peers: 2,
      channelCount: 2,
      channels: [
        { channel: "lobby", subscribers: 3, peers: 2 },
        { channel: "side", subscribers: 1, peers: 1 },
      ],
      patterns: [{ pattern: "room-*", subscribers: 1 }],
      messagesInPerSec: 0.1,
      messagesOutPerSec: Math.round((11 / 60) * 1000) / 1000,
      usage: expect.objectContaining({ concurrentNow: 3, peakConcurrent: 3, messagesUsed: 6 }),
    });
    const limited = await admin.ok<AppStats>("GET", `/apps/${ts.app.id}/stats?limit=1`);
    expect(limited.channels).toEqual([{ channel: "lobby", subscribers: 3, peers: 2 }]);
    expect(limited.channelCount).toBe(2);
    for (const q of ["limit=0", "limit=1001", "limit=abc", "other=1"]) {
      expect((await admin.get(`/apps/${ts.app.id}/stats?${q}`)).status, q).toBe(400);
    }
  });

  it("node stats: connections and apps with connection counts and rates", async () => {
    const other = await ts.createApp();
    const otherPk = await ts.createPk({ appId: other.id });
    const a = await ts.connectJwt();
    await ts.connectJwt();
    const o = await ts.connectPk(otherPk);
    await o.subscribe("c");
    await a.publish("nobody-listens", 1);
    const stats = await admin.ok<Record<string, unknown>>("GET", "/stats");
    expect(stats).toEqual({
      connections: 3,
      apps: [
        { appId: ts.app.id, name: "default", connections: 2, messagesInPerSec: 0.017, messagesOutPerSec: 0 },
        { appId: other.id, name: other.name, connections: 1, messagesInPerSec: 0, messagesOutPerSec: 0 },
      ],
      messagesInPerSec: 0.017,
      messagesOutPerSec: 0,
    });
  });

  it("presence of a channel lists its peers with metadata; bad channel names are 400", async () => {
    const alice = await ts.connectJwt({ sub: "alice", peerMetadata: { name: "Alice" } });
    const watcher = await ts.connectJwt({ sub: "w", permissions: ["subscribe"] });
    await alice.subscribe("room/1");
    await watcher.subscribe("room/1", { snapshot: false });
    const channel = encodeURIComponent("room/1");
    expect(await admin.ok("GET", `/apps/${ts.app.id}/channels/${channel}/presence`)).toEqual({
      channel: "room/1",
      peers: [{ peerId: "alice", metadata: { name: "Alice" } }],
    });
    expect(await admin.ok("GET", `/apps/${ts.app.id}/channels/empty/presence`)).toEqual({
      channel: "empty",
      peers: [],
    });
    for (const bad of ["room-*", "a%01b", encodeURIComponent("x".repeat(257))]) {
      expect(await admin.get(`/apps/${ts.app.id}/channels/${bad}/presence`), bad).toEqual({
        status: 400,
        body: errorBody("invalid_request"),
      });
    }
  });

  it("kick closes every socket of the peer with 4020 and reports the count; others stay", async () => {
    const id = peer("kicked");
    const one = await ts.connectJwt({ sub: id });
    const two = await ts.connectJwt({ sub: id });
    const other = await ts.connectJwt();
    expect(await admin.ok("DELETE", `/apps/${ts.app.id}/peers/${encodeURIComponent(id)}`)).toEqual({
      peerId: id,
      closed: 2,
    });
    expect((await one.waitCloseFrame()).code).toBe(4020);
    expect((await two.waitCloseFrame()).code).toBe(4020);
    await other.quiet();
    expect(await admin.ok("DELETE", `/apps/${ts.app.id}/peers/nobody`)).toEqual({
      peerId: "nobody",
      closed: 0,
    });
    expect((await admin.del(`/apps/${ts.app.id}/peers/${encodeURIComponent("a\u0001")}`)).status).toBe(400);
  });

  it("deleting an app closes its live connections with 4001; other apps are untouched", async () => {
    const app = await admin.ok<{ id: string }>("POST", "/apps", { name: "doomed" });
    const key = await admin.ok<{ id: string }>("POST", `/apps/${app.id}/keys`, { type: "publishable" });
    const doomed = await ts.connectPk(key.id);
    const survivor = await ts.connectPk();
    await admin.ok("DELETE", `/apps/${app.id}`);
    expect((await doomed.waitCloseFrame(2_000)).code).toBe(4001);
    expect((await ts.refused({ key: key.id })).code).toBe(4001);
    await survivor.quiet();
    const stats = await admin.ok<{ apps: Array<{ appId: string }> }>("GET", "/stats");
    expect(stats.apps.map((a) => a.appId)).toEqual([ts.app.id]);
  });
});
