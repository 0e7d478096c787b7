/**
 * The Redis presence registry: the shared conformance suite against the machine's Redis
 * (127.0.0.1:6379, a random key prefix per fixture so parallel runs never meet, an injected clock
 * so expiry is deterministic), then what only Redis has: its own clock, failures as
 * `backend_error`, and a real data loss (a private redis-server killed and started again).
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { MACHINE_REDIS, type RedisServer, redisProblem, startRedisServer } from "../../test/redis-server.js";
import { describeWithService, describeWithTools, REDIS_SERVER } from "../../test/tools.js";
import { describePresenceRegistry } from "./presence-conformance.js";
import { createRedisPresence } from "./presence-redis.js";
import { PresenceError, type PresenceRegistry } from "./presence-registry.js";

const MACHINE_URL = `redis://${MACHINE_REDIS.host}:${MACHINE_REDIS.port}`;
const APP = "app_redispresence01";

/** Deletes every key under `prefix`. */
async function deleteUnder(admin: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, found] = await admin.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    cursor = next;
    if (found.length > 0) await admin.del(...found);
  } while (cursor !== "0");
}

describeWithService("Redis", await redisProblem())("redis presence (machine Redis)", () => {
  let admin: Redis;
  beforeAll(() => {
    admin = new Redis(MACHINE_URL);
  });
  afterAll(async () => {
    await admin.quit();
  });

  describePresenceRegistry("redis", async () => {
    const prefix = `sbtest:${randomUUID().slice(0, 8)}:`;
    let now = 1_000_000;
    const ttlMs = 1_000;
    const made: PresenceRegistry[] = [];
    return {
      ttlMs,
      async instances(n) {
        const registries = Array.from({ length: n }, () =>
          createRedisPresence({ url: MACHINE_URL, prefix, ttlMs, clock: () => now, nodeId: randomUUID() }),
        );
        made.push(...registries);
        return registries;
      },
      advance(ms) {
        now += ms;
      },
      loseState: () => deleteUnder(admin, prefix),
      async cleanup() {
        await Promise.all(made.map((registry) => registry.dispose()));
        await deleteUnder(admin, prefix);
      },
    };
  });

  it("expires by Redis' own clock when no clock is injected", async () => {
    const prefix = `sbtest:${randomUUID().slice(0, 8)}:`;
    const [a, b] = [0, 1].map(() => createRedisPresence({ url: MACHINE_URL, prefix, ttlMs: 300 })) as [
      PresenceRegistry,
      PresenceRegistry,
    ];
    try {
      await Promise.all([a.heartbeat(), b.heartbeat()]);
      await a.join(APP, "room", "p", { node: a.nodeId, id: 1 }, { n: 1 });
      expect(await b.sweep()).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 400));
      await b.heartbeat();
      expect(await b.sweep()).toEqual([{ appId: APP, channel: "room", peerId: "p" }]);
      expect(await b.members(APP, "room")).toEqual([]);
    } finally {
      await Promise.all([a.dispose(), b.dispose()]);
      await deleteUnder(admin, prefix);
    }
  });
});

describeWithTools(REDIS_SERVER)("redis presence (private redis-server)", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it("rejects with backend_error while Redis is down, never crashes, and resyncs after it returns", async () => {
    const errors: Error[] = [];
    const registry = createRedisPresence({
      url: server.url,
      prefix: "t:",
      onError: (error) => errors.push(error),
      redis: { retryStrategy: () => 50 },
    });
    const socket = { node: registry.nodeId, id: 1 };
    try {
      await registry.heartbeat();
      await registry.open(APP, "p", socket);
      await registry.join(APP, "room", "p", socket, undefined);

      await server.stop();
      const failed = await registry.join(APP, "room", "q", { node: registry.nodeId, id: 2 }, undefined).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failed).toBeInstanceOf(PresenceError);
      expect((failed as PresenceError).code).toBe("backend_error");
      await expect(registry.members(APP, "room")).rejects.toMatchObject({ code: "backend_error" });

      await server.start(); // memory-only: the data is gone
      let beat: { resyncNeeded: boolean } | undefined;
      const deadline = Date.now() + 5_000;
      while (beat === undefined && Date.now() < deadline) {
        beat = await registry.heartbeat().catch(() => undefined);
        if (beat === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(beat).toEqual({ resyncNeeded: true });
      const result = await registry.resync({
        connections: [{ appId: APP, peerId: "p", socket }],
        joins: [{ appId: APP, channel: "room", peerId: "p", socket, metadata: undefined }],
      });
      expect(result.joined.map((j) => j.peerId)).toEqual(["p"]);
      expect(await registry.members(APP, "room")).toEqual([{ peerId: "p" }]);
      expect(await registry.nodesOf(APP, "p")).toEqual([registry.nodeId]);
      expect(await registry.heartbeat()).toEqual({ resyncNeeded: false });
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await registry.dispose();
    }
  });
});
