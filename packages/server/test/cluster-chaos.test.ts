/**
 * Cluster nodes as real processes (issue 11 "Done means"): a node killed with SIGKILL, Redis
 * restarted under running nodes. Production timings (heartbeat 1 s, presence TTL 10 s) unless a
 * test says otherwise, so the figures checked are the ones operators get.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "@switchboard/server";
import { afterEach, beforeEach, expect, it } from "vitest";
import { type NodeProcess, startNodeProcess } from "./cluster-processes.js";
import { Client, type Frame, peer, type SecretKey, type Store, signToken, sleep } from "./helpers.js";
import { MACHINE_REDIS, type RedisServer, redisProblem, startRedisServer } from "./redis-server.js";
import { describeWithService } from "./tools.js";

const redis = await redisProblem();

/** Applies presence frames to a view (peerId → present), as a client would. */
function applyPresence(view: Set<string>, frame: Frame): void {
  for (const { peerId } of frame.left as Array<{ peerId: string }>) view.delete(peerId);
  for (const { peerId } of frame.joined as Array<{ peerId: string }>) view.add(peerId);
}

/** Reads presence frames of `client` into `view` until `done(view)` or `timeoutMs`; returns the frames. */
async function presenceUntil(
  client: Client,
  view: Set<string>,
  done: (view: Set<string>) => boolean,
  timeoutMs: number,
): Promise<Frame[]> {
  const frames: Frame[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!done(view)) {
    const frame = await client.next(Math.max(1, deadline - Date.now()));
    if (frame.type !== "presence") continue;
    frames.push(frame);
    applyPresence(view, frame);
  }
  return frames;
}

describeWithService("Redis", redis)("cluster processes", () => {
  let dataDir: string;
  let store: Store;
  let sk: SecretKey;
  const nodes: NodeProcess[] = [];
  const clients: Client[] = [];
  let privateRedis: RedisServer | undefined;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "switchboard-chaos-"));
    ({ store } = await openSqliteStore({ dataDir }));
    const app = await store.defaultApp();
    const { key, secret } = await store.createKey({ appId: app.id, type: "secret" });
    sk = { id: key.id, secret: secret as string };
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    await Promise.all(nodes.splice(0).map((n) => n.kill()));
    await privateRedis?.stop();
    privateRedis = undefined;
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function startNodes(n: number, redisUrl: string): Promise<void> {
    const prefix = `sbchaos-${randomBytes(4).toString("hex")}:`;
    const started = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        startNodeProcess({ dataDir, redisUrl, prefix, nodeId: `node${i}` }),
      ),
    );
    nodes.push(...started);
  }

  async function connect(node: NodeProcess, sub: string): Promise<Client> {
    const client = new Client(`${node.url}?token=${encodeURIComponent(await signToken(sk, { sub }))}`);
    clients.push(client);
    expect((await client.next(5_000)).type).toBe("welcome");
    return client;
  }

  async function peersVia(node: NodeProcess, channel: string): Promise<string[]> {
    const res = await fetch(`${node.httpUrl}/v1/channels/${channel}/peers`, {
      headers: { authorization: `Bearer ${sk.id}:${sk.secret}` },
    });
    const body = (await res.json()) as { peers: Array<{ peerId: string }> };
    return body.peers.map((p) => p.peerId).sort();
  }

  it("kill -9 of a node: the others announce left for its peers exactly once, within 15 s", async () => {
    await startNodes(3, `redis://${MACHINE_REDIS.host}:${MACHINE_REDIS.port}`);
    const [a, b, c] = nodes as [NodeProcess, NodeProcess, NodeProcess];
    const watcherIds = [peer("wa"), peer("wb")];
    const watchers = [await connect(a, watcherIds[0] as string), await connect(b, watcherIds[1] as string)];
    const views = watchers.map(() => new Set<string>());
    for (const w of watchers) await w.subscribe("room");
    const doomed = [peer("p1"), peer("p2")];
    for (const id of doomed) await (await connect(c, id)).subscribe("room", { snapshot: false });
    for (const [i, w] of watchers.entries()) {
      await presenceUntil(w, views[i] as Set<string>, (v) => doomed.every((p) => v.has(p)), 5_000);
    }
    const killedAt = Date.now();
    await c.kill();
    for (const [i, w] of watchers.entries()) {
      const view = views[i] as Set<string>;
      const frames = await presenceUntil(w, view, (v) => doomed.every((p) => !v.has(p)), 15_000);
      expect(Date.now() - killedAt).toBeLessThan(15_000);
      const left = frames.flatMap((f) => (f.left as Array<{ peerId: string }>).map((x) => x.peerId));
      expect(left.sort()).toEqual([...doomed].sort());
    }
    // Every surviving node sweeps every 2 s; none announces the departure a second time.
    await sleep(4_500);
    for (const w of watchers) await w.quiet();
    expect(await peersVia(a, "room")).toEqual([...watcherIds].sort());
  }, 40_000);

  it("Redis restarted mid-run: local traffic goes on, remote lookups answer backend_error, presence is right within 5 s of its return", async () => {
    privateRedis = await startRedisServer();
    await startNodes(2, privateRedis.url);
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    const watcherId = peer("watcher");
    const watcher = await connect(a, watcherId);
    const view = new Set<string>();
    await watcher.subscribe("room");
    const ghostId = peer("ghost");
    const ghost = await connect(b, ghostId);
    await ghost.subscribe("room", { snapshot: false });
    await presenceUntil(watcher, view, (v) => v.has(ghostId), 5_000);
    const localSub = await connect(a, peer("local-sub"));
    await localSub.subscribe("local");
    const localPub = await connect(a, peer("local-pub"));

    await privateRedis.stop();
    // Local traffic keeps flowing.
    await localPub.publish("local", "still here");
    expect(await localSub.next()).toMatchObject({ type: "message", data: "still here" });
    // What needs Redis says so.
    localPub.send({ type: "send", to: ghostId, data: 1, requestId: "r-down" });
    expect(await localPub.next(5_000)).toMatchObject({
      type: "error",
      code: "backend_error",
      requestId: "r-down",
    });
    // Presence changes during the outage: one peer leaves, one arrives (both on node B).
    await ghost.close();
    const newcomerId = peer("newcomer");
    const newcomer = await connect(b, newcomerId);
    // Its snapshot cannot be read from the registry now: it comes (empty) after a bounded wait.
    const newcomerView = new Set<string>();
    applyPresence(newcomerView, (await newcomer.subscribe("room")) as Frame);

    await privateRedis.start();
    const backAt = Date.now();
    await presenceUntil(watcher, view, (v) => v.has(newcomerId) && !v.has(ghostId), 5_000);
    await presenceUntil(newcomer, newcomerView, (v) => v.has(watcherId), 5_000);
    expect(Date.now() - backAt).toBeLessThan(5_000);
    expect([...view]).toEqual([newcomerId]);
    expect([...newcomerView]).toEqual([watcherId]);
    const truth = [watcherId, newcomerId].sort();
    expect(await peersVia(a, "room")).toEqual(truth);
    expect(await peersVia(b, "room")).toEqual(truth);
    // And cross-node messages flow again.
    await newcomer.publish("room", "back");
    expect(await watcher.next(3_000)).toMatchObject({ type: "message", data: "back" });
  }, 40_000);
});
