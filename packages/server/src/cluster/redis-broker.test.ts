/**
 * The Redis broker: the shared conformance suite against the machine's Redis (127.0.0.1:6379, a
 * random channel prefix per run so parallel runs never meet), then the properties only Redis has
 * (commands per publish, outage and return) against a private redis-server this file may kill.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { MACHINE_REDIS, type RedisServer, redisProblem, startRedisServer } from "../../test/redis-server.js";
import { describeWithService, describeWithTools, REDIS_SERVER } from "../../test/tools.js";
import type { Broker, BrokerFailure } from "./broker.js";
import { describeBroker } from "./broker-conformance.js";
import { message, startRecording } from "./broker-conformance-helpers.js";
import { createRedisBroker } from "./redis-broker.js";

const MACHINE_URL = `redis://${MACHINE_REDIS.host}:${MACHINE_REDIS.port}`;
const APP = "app_redistest000001";

/** Client names of `broker`'s connections on `admin`'s server. */
async function connectionCount(admin: Redis, prefix: string, broker: Broker): Promise<number> {
  const list = await admin.client("LIST");
  const name = `${prefix}${broker.nodeId}:`;
  return String(list)
    .split("\n")
    .filter((line) => line.includes(` name=${name}`)).length;
}

describeWithService("Redis", await redisProblem())("redis broker (machine Redis)", () => {
  let admin: Redis;
  beforeAll(() => {
    admin = new Redis(MACHINE_URL);
  });
  afterAll(async () => {
    await admin.quit();
  });

  describeBroker("redis", async () => {
    const prefix = `sbtest:${randomUUID().slice(0, 8)}:`;
    const made: Broker[] = [];
    return {
      async instances(n) {
        const brokers = Array.from({ length: n }, () =>
          createRedisBroker({ url: MACHINE_URL, prefix, nodeId: `node-${randomUUID().slice(0, 8)}` }),
        );
        made.push(...brokers);
        return brokers;
      },
      connectionsOf: (broker) => connectionCount(admin, prefix, broker),
      async cleanup() {
        await Promise.all(made.map((broker) => broker.close()));
      },
    };
  });

  it("holds one Redis subscription per key and node, however many setInterest(on) calls", async () => {
    const prefix = `sbtest:${randomUUID().slice(0, 8)}:`;
    const brokers = [0, 1].map(() => createRedisBroker({ url: MACHINE_URL, prefix }));
    try {
      for (const broker of brokers) {
        await broker.start(() => {});
        for (let i = 0; i < 5; i++) await broker.setInterest(APP, { channel: "room" }, true);
      }
      const channel = `${prefix}c:${APP}:room`;
      expect(await admin.pubsub("NUMSUB", channel)).toEqual([channel, 2]);
      expect(await connectionCount(admin, prefix, brokers[0] as Broker)).toBe(2);
    } finally {
      await Promise.all(brokers.map((broker) => broker.close()));
    }
  });
});

describeWithTools(REDIS_SERVER)("redis broker (private redis-server)", () => {
  let server: RedisServer;
  let brokers: Broker[] = [];
  const failures: BrokerFailure[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterEach(async () => {
    await Promise.all(brokers.map((broker) => broker.close()));
    brokers = [];
  });
  afterAll(async () => {
    await server.stop();
  });
  const node = (): Broker => {
    const broker = createRedisBroker({
      url: server.url,
      prefix: "t:",
      onError: (_error, where) => failures.push(where),
      redis: { retryStrategy: () => 50 },
    });
    brokers.push(broker);
    return broker;
  };

  it("sends one PUBLISH per publish, whatever the number of receiving nodes", async () => {
    const a = node();
    const receivers = [node(), node(), node()];
    await startRecording(a);
    const recs = await Promise.all(receivers.map(startRecording));
    for (const broker of receivers) await broker.setInterest(APP, { channel: "room" }, true);
    await receivers[0]?.setInterest(APP, { app: true }, true);
    const admin = new Redis(server.url);
    const publishes = async (): Promise<number> => {
      const stats = await admin.info("commandstats");
      return Number(/cmdstat_publish:calls=(\d+)/.exec(stats)?.[1] ?? 0);
    };
    const before = await publishes();
    for (let i = 0; i < 100; i++) a.publish(message(APP, "room", String(i)));
    for (const rec of recs) await rec.until(() => rec.got.length === 100);
    expect((await publishes()) - before).toBe(100);
    await admin.quit();
  });

  it("survives a Redis outage: publish counts failures, never throws; interest returns with Redis", async () => {
    const a = node();
    const b = node();
    await startRecording(a);
    const rec = await startRecording(b);
    await b.setInterest(APP, { channel: "before" }, true);
    await b.setInterest(APP, { pattern: "wide.*" }, true);
    a.publish(message(APP, "before", "up"));
    await rec.untilText("up");

    await server.stop();
    failures.length = 0;
    const deadline = Date.now() + 3_000;
    while (!failures.includes("publish") && Date.now() < deadline) {
      expect(() => a.publish(message(APP, "before", "lost"))).not.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(failures).toContain("publish");
    // Changed while Redis is away: applied when it returns.
    const during = b.setInterest(APP, { channel: "during" }, true);

    await server.start();
    await during;
    // Probe until the publisher is back too, then everything flows again, without a new setInterest.
    let probe = 0;
    const back = Date.now() + 10_000;
    while (!rec.texts().some((t) => t.startsWith("probe")) && Date.now() < back) {
      a.publish(message(APP, "before", `probe${probe++}`));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (const [channel, text] of [
      ["before", "again"],
      ["during", "new"],
      ["wide.x", "wide"],
    ] as const) {
      a.publish(message(APP, channel, text));
    }
    await rec.untilText("wide");
    const after = rec.texts().filter((t) => !t.startsWith("probe") && t !== "lost");
    expect(after).toEqual(["up", "again", "new", "wide"]);
  });

  it("start rejects when Redis is unreachable, and close still ends cleanly", async () => {
    const broker = createRedisBroker({
      url: "redis://127.0.0.1:1",
      redis: { retryStrategy: () => null },
      onError: () => {},
    });
    await expect(broker.start(() => {})).rejects.toThrow();
    expect(() => broker.publish(message(APP, "x", "y"))).not.toThrow();
    await broker.close();
  });
});
