/**
 * Three nodes act as one server (issue 11): the same suite on a memory bus and on the machine's
 * Redis. Clients are spread over the nodes; each test says which node a client is on.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, setAdminToken } from "./admin-helpers.js";
import { type Backend, type SharedStore, startCluster, type TestCluster } from "./cluster-helpers.js";
import { type Client, eventually, type Frame, peer, rid, signToken, sleep } from "./helpers.js";
import { postgresProblem } from "./postgres-database.js";
import { redisProblem } from "./redis-server.js";
import { rest } from "./rest-client.js";
import { describeWithService } from "./tools.js";

const redis = await redisProblem();

function clusterSuite(backend: Backend, shared: SharedStore = "sqlite"): void {
  let cluster: TestCluster;
  beforeEach(async () => {
    // The ordering test publishes far above the default per-socket frame rate.
    cluster = await startCluster(3, backend, { rateFramesPerSec: 100_000, rateBurst: 100_000 }, shared);
  });
  afterEach(async () => {
    await cluster.stop();
  });
  const node = (i: number) => cluster.nodes[i] as (typeof cluster.nodes)[number];
  /** A client on node `i` with a token of node 0's key (the store is shared). */
  const on = (i: number, claims: Record<string, unknown> = {}) => node(i).connectJwt(claims, node(0).sk);

  /** Next `presence` frame (other frames before it fail the test). */
  async function nextPresence(c: Client): Promise<Frame> {
    const frame = await c.next(5_000);
    expect(frame.type).toBe("presence");
    return frame;
  }

  it("a publish on one node reaches subscribers on every node, byte-identical, stamped when asked", async () => {
    const meta = { name: "Ann" };
    const publisher = await on(0, { sub: peer("pub"), peerMetadata: meta });
    const subs = [await on(0), await on(1), await on(2)];
    const stamped = await on(2);
    for (const s of subs) await s.subscribe("room");
    await stamped.subscribe("room", { includeSenderMetadata: true });
    // Interest on the other nodes is effective once their subscribe was acked and the snapshot sent.
    await publisher.publish("room", { n: 1 });
    for (const s of subs) {
      expect(await s.next()).toEqual({
        type: "message",
        channel: "room",
        from: publisher.welcome?.peerId,
        data: { n: 1 },
      });
    }
    expect(await stamped.next()).toEqual({
      type: "message",
      channel: "room",
      from: publisher.welcome?.peerId,
      data: { n: 1 },
      fromMetadata: meta,
    });
  });

  it("1,000 publishes from one publisher arrive in order on every node", async () => {
    const publisher = await on(0);
    // Without the presence action: nothing but the messages arrives.
    const quiet = { permissions: ["subscribe"] };
    const subs = [await on(0, quiet), await on(1, quiet), await on(2, quiet)];
    for (const s of subs) await s.subscribe("ordered", { snapshot: false });
    for (let i = 0; i < 1_000; i++) publisher.send({ type: "publish", channel: "ordered", data: i });
    await publisher.publish("ordered", "end");
    for (const s of subs) {
      const got = (await s.take(1_001, 10_000)).map((f) => f.data);
      expect(got).toEqual([...Array.from({ length: 1_000 }, (_, i) => i), "end"]);
    }
  });

  it("presence is cluster-wide: one joined per peer however many sockets and nodes, left after the last", async () => {
    const watcher = await on(1, { sub: peer("watcher") });
    await watcher.subscribe("lobby");
    const ann = peer("ann");
    const first = await on(0, { sub: ann, peerMetadata: { n: 1 } });
    await first.subscribe("lobby");
    expect(await nextPresence(watcher)).toEqual({
      type: "presence",
      channel: "lobby",
      joined: [{ peerId: ann, metadata: { n: 1 } }],
      left: [],
    });
    // Ann's second socket, on a third node, sees the watcher but not herself, and nobody hears of it.
    const second = await on(2, { sub: ann, peerMetadata: { n: 2 } });
    const snapshot = await second.subscribe("lobby");
    expect(snapshot?.joined).toEqual([{ peerId: watcher.welcome?.peerId }]);
    // A late subscriber on node 2 gets both, with Ann's first metadata.
    const late = await on(2, { sub: peer("late") });
    const lateSnapshot = await late.subscribe("lobby");
    expect(lateSnapshot?.joined).toEqual(
      expect.arrayContaining([{ peerId: ann, metadata: { n: 1 } }, { peerId: watcher.welcome?.peerId }]),
    );
    expect(lateSnapshot?.joined).toHaveLength(2);
    const lateJoined = {
      type: "presence",
      channel: "lobby",
      joined: [{ peerId: late.welcome?.peerId }],
      left: [],
    };
    expect(await nextPresence(watcher)).toEqual(lateJoined);
    expect(await nextPresence(second)).toEqual(lateJoined);
    await first.close();
    await watcher.quiet(500);
    await second.close();
    expect(await nextPresence(watcher)).toEqual({
      type: "presence",
      channel: "lobby",
      joined: [],
      left: [{ peerId: ann }],
    });
    expect(await nextPresence(late)).toEqual({
      type: "presence",
      channel: "lobby",
      joined: [],
      left: [{ peerId: ann }],
    });
    // REST on any node lists who is there cluster-wide.
    const listed = await rest(node(0), "GET", "/v1/channels/lobby/peers");
    expect(listed.status).toBe(200);
    expect(listed.body.peers.map((p: { peerId: string }) => p.peerId).sort()).toEqual(
      [watcher.welcome?.peerId, late.welcome?.peerId].sort(),
    );
  });

  it("a graceful drain hands presence over: a peer back on another node soon enough never flaps", async () => {
    const watcher = await on(2);
    await watcher.subscribe("hand");
    const dan = peer("dan");
    const before = await on(0, { sub: dan });
    await before.subscribe("hand");
    expect(await nextPresence(watcher)).toMatchObject({ joined: [{ peerId: dan }], left: [] });
    const drained = node(0).closeServer();
    expect((await before.waitCloseFrame()).code).toBe(1001);
    // Longer than the 50 ms coalescing window, shorter than the handover (300 ms in the tests).
    await sleep(120);
    const after = await on(1, { sub: dan });
    await after.subscribe("hand");
    await drained;
    await sleep(150);
    await watcher.quiet();
    const listed = await rest(node(2), "GET", "/v1/channels/hand/peers");
    expect(listed.body.peers.map((p: { peerId: string }) => p.peerId).sort()).toEqual(
      [dan, watcher.welcome?.peerId].sort(),
    );
  });

  it("direct send reaches a peer on another node (every socket of it); peer_not_found only when on no node", async () => {
    const from = await on(0);
    const bob = peer("bob");
    const b1 = await on(1, { sub: bob });
    const b2 = await on(2, { sub: bob });
    const requestId = rid();
    from.send({ type: "send", to: bob, data: { hi: 1 }, requestId });
    expect(await from.next()).toEqual({ type: "ack", requestId });
    for (const b of [b1, b2])
      expect(await b.next()).toEqual({ type: "direct", from: from.welcome?.peerId, data: { hi: 1 } });
    await from.fails({ type: "send", to: "nobody-anywhere", data: 1 }, "peer_not_found");
    // A peer on this node and another: both sockets.
    const local = await on(0, { sub: bob });
    from.send({ type: "send", to: bob, data: 2 });
    for (const b of [b1, b2, local]) expect((await b.next()).data).toBe(2);
  });

  it("REST kick on one node closes the peer's sockets on every node with 4020", async () => {
    const carl = peer("carl");
    const c1 = await on(1, { sub: carl });
    const c2 = await on(2, { sub: carl });
    const kicked = await rest(node(0), "DELETE", `/v1/peers/${carl}`);
    expect(kicked.status).toBe(200);
    for (const c of [c1, c2]) expect((await c.waitCloseFrame(3_000)).code).toBe(4020);
  });

  it("REST publish on one node reaches subscribers on the others", async () => {
    const sub = await on(2);
    await sub.subscribe("news");
    const published = await rest(node(0), "POST", "/v1/channels/news/publish", { body: { data: "x" } });
    expect(published.status).toBe(200);
    expect(await sub.next()).toMatchObject({ type: "message", channel: "news", data: "x" });
  });

  it("a key revoked and an app suspended through one node close their sockets on every node within 2 s", async () => {
    const key = await node(0).createSk();
    const victims = [await node(1).connectJwt({}, key), await node(2).connectJwt({}, key)];
    await node(0).store.revokeKey(key.id);
    for (const v of victims) expect((await v.waitCloseFrame(2_000)).code).toBe(4001);
    const app = await node(0).createApp();
    const { key: appKey, secret } = await node(0).store.createKey({ appId: app.id, type: "secret" });
    const tenant = await node(2).connectJwt({}, { id: appKey.id, secret: secret as string });
    await node(0).store.updateApp(app.id, { suspended: true });
    expect((await tenant.waitCloseFrame(2_000)).code).toBe(4012);
  });

  it("the concurrent-connection cap (4010) counts every node", async () => {
    const app = await node(0).createApp({ maxConcurrentConnections: 2 });
    const { key, secret } = await node(0).store.createKey({ appId: app.id, type: "secret" });
    const sk = { id: key.id, secret: secret as string };
    await node(0).connectJwt({}, sk);
    await node(1).connectJwt({}, sk);
    // Node 2 learns the others' counts from their next heartbeat.
    await eventually(async () => {
      const usage = await rest(node(2), "GET", "/v1/usage", { auth: sk });
      return usage.body.concurrentNow === 2 ? true : undefined;
    }, 3_000);
    expect((await node(2).refused({ token: await signToken(sk) })).code).toBe(4010);
    expect((await node(0).refused({ token: await signToken(sk) })).code).toBe(4010);
  });

  it("the message quota is the app's across nodes", async () => {
    const app = await node(0).createApp({ maxMessagesPerPeriod: 5 });
    const { key, secret } = await node(0).store.createKey({ appId: app.id, type: "secret" });
    const sk = { id: key.id, secret: secret as string };
    const a = await node(0).connectJwt({}, sk);
    const b = await node(1).connectJwt({}, sk);
    for (let i = 0; i < 3; i++) await a.publish("q", i);
    // Usage is summed through the store at every flush (100 ms in the tests).
    await eventually(async () => {
      const usage = await rest(node(1), "GET", "/v1/usage", { auth: sk });
      return usage.body.messagesUsed === 3 ? true : undefined;
    }, 3_000);
    await b.publish("q", 3);
    await b.publish("q", 4);
    await b.fails({ type: "publish", channel: "q", data: 5 }, "over_message_quota");
  });

  it("admin stats list every node and sum their connections", async () => {
    const token = ADMIN_TOKEN;
    await setAdminToken(node(0));
    await on(1);
    await on(2);
    await on(2);
    await eventually(async () => {
      const res = await fetch(`${node(0).httpUrl}/v1/admin/stats`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await res.json()) as { cluster?: { connections: number; nodes: unknown[] } };
      return body.cluster?.connections === 3 && body.cluster.nodes.length === 3 ? true : undefined;
    }, 3_000);
  });
}

describe("cluster of 3 nodes on a memory bus", () => clusterSuite("memory"));
describeWithService("Redis", redis)("cluster of 3 nodes on Redis", () => clusterSuite("redis"));
describeWithService("Redis and PostgreSQL", redis ?? (await postgresProblem()))(
  "cluster of 3 nodes on Redis with a shared PostgreSQL store",
  () => clusterSuite("redis", "postgres"),
);
