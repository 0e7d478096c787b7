/**
 * Three node processes behind Debian's HAProxy in TCP mode (the configuration docs/operations.md
 * recommends, with roundrobin so the clients are spread for sure): every client connects only
 * through HAProxy, and the cluster behaves as one server.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ADMIN_TOKEN_SETTING, openSqliteStore } from "@switchboard/server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ADMIN_TOKEN } from "./admin-helpers.js";
import { type NodeProcess, startNodeProcess } from "./cluster-processes.js";
import { Client, eventually, type Frame, peer, type SecretKey, type Store, signToken } from "./helpers.js";
import { freePort, MACHINE_REDIS, redisProblem } from "./redis-server.js";
import { describeWithService, describeWithTools, HAPROXY } from "./tools.js";

const redis = await redisProblem();

function haproxyConfig(port: number, nodes: readonly NodeProcess[]): string {
  return `global
  log stderr format raw local0 err

defaults
  mode tcp
  timeout connect 5s
  timeout client 120s
  timeout server 120s
  timeout tunnel 1h
  retries 3
  option redispatch

frontend switchboard_in
  bind 127.0.0.1:${port}
  default_backend switchboard_nodes

backend switchboard_nodes
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 500ms fall 2 rise 1 check
${nodes.map((n) => `  server ${n.nodeId} 127.0.0.1:${n.port}`).join("\n")}
`;
}

describeWithTools(HAPROXY)("cluster behind HAProxy", () => {
  describeWithService("Redis", redis)("three nodes, TCP mode", () => {
    let dataDir: string;
    let store: Store;
    let sk: SecretKey;
    let haproxy: ChildProcess;
    let front: string;
    const nodes: NodeProcess[] = [];
    const clients: Client[] = [];

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), "switchboard-haproxy-"));
      ({ store } = await openSqliteStore({ dataDir }));
      await store.setSetting(ADMIN_TOKEN_SETTING, createHash("sha256").update(ADMIN_TOKEN).digest("hex"));
      const app = await store.defaultApp();
      const { key, secret } = await store.createKey({ appId: app.id, type: "secret" });
      sk = { id: key.id, secret: secret as string };
      const prefix = `sbha-${randomBytes(4).toString("hex")}:`;
      const redisUrl = `redis://${MACHINE_REDIS.host}:${MACHINE_REDIS.port}`;
      nodes.push(
        ...(await Promise.all(
          [0, 1, 2].map((i) => startNodeProcess({ dataDir, redisUrl, prefix, nodeId: `node${i}` })),
        )),
      );
      const port = await freePort();
      const config = join(dataDir, "haproxy.cfg");
      await writeFile(config, haproxyConfig(port, nodes));
      haproxy = spawn("haproxy", ["-db", "-f", config], { stdio: ["ignore", "ignore", "inherit"] });
      front = `127.0.0.1:${port}`;
      // Up once every node passed its health check.
      await eventually(
        async () => ((await fetch(`http://${front}/readyz`)).status === 200 ? true : undefined),
        10_000,
      );
    }, 30_000);

    afterAll(async () => {
      for (const c of clients) c.terminate();
      if (haproxy && haproxy.exitCode === null) {
        const exited = once(haproxy, "exit");
        haproxy.kill("SIGKILL");
        await exited;
      }
      await Promise.all(nodes.map((n) => n.kill()));
      await store?.close();
      await rm(dataDir, { recursive: true, force: true });
    });

    async function connectViaProxy(sub: string): Promise<Client> {
      const client = new Client(`ws://${front}/v1?token=${encodeURIComponent(await signToken(sk, { sub }))}`);
      clients.push(client);
      expect((await client.next(5_000)).type).toBe("welcome");
      return client;
    }

    it("clients spread over the nodes see one server: presence, messages, direct send, REST", async () => {
      const ids = Array.from({ length: 6 }, (_, i) => peer(`c${i}`));
      const all: Client[] = [];
      for (const id of ids) all.push(await connectViaProxy(id));
      // The load balancer spread them: every node holds some of them.
      for (const node of nodes) {
        const stats = await fetch(`${node.httpUrl}/v1/admin/stats`, {
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        });
        expect(((await stats.json()) as { connections: number }).connections).toBeGreaterThan(0);
      }
      // Presence: each client ends up seeing the five others, whichever node they are on.
      for (const c of all) await c.subscribe("room", { snapshot: false });
      for (const [i, c] of all.entries()) {
        const view = new Set<string>();
        while (view.size < 5) {
          const frame: Frame = await c.next(5_000);
          expect(frame.type).toBe("presence");
          for (const { peerId } of frame.left as Array<{ peerId: string }>) view.delete(peerId);
          for (const { peerId } of frame.joined as Array<{ peerId: string }>) view.add(peerId);
        }
        expect([...view].sort()).toEqual(ids.filter((_, j) => j !== i).sort());
      }
      // A publish reaches the five others.
      const [first, ...others] = all as [Client, ...Client[]];
      await first.publish("room", "hello");
      for (const c of others) expect(await c.next()).toMatchObject({ type: "message", data: "hello" });
      // Direct send from the first to each of the others.
      for (const [j, c] of others.entries()) {
        await first.ok({ type: "send", to: ids[j + 1], data: j });
        expect(await c.next()).toEqual({ type: "direct", from: ids[0], data: j });
      }
      // REST through the proxy: the peers of the channel, cluster-wide.
      const res = await fetch(`http://${front}/v1/channels/room/peers`, {
        headers: { authorization: `Bearer ${sk.id}:${sk.secret}` },
      });
      const body = (await res.json()) as { peers: Array<{ peerId: string }> };
      expect(body.peers.map((p) => p.peerId).sort()).toEqual([...ids].sort());
    }, 30_000);
  });
});
