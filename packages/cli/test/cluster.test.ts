/**
 * `serve --redis`: cluster mode. Only what the CLI itself does is asserted here (flag, validation,
 * banner and log line, rate-limited warnings); cross-node behaviour is the server's to test.
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MACHINE_REDIS, redisProblem } from "../../server/test/redis-server.js";
import { describeWithService } from "../../server/test/tools.js";
import { parseRedisUrl, rateLimitedWarn } from "../src/cluster-options.js";
import { banner } from "../src/commands/serve.js";
import { redactUrl } from "../src/data-dir.js";
import { hasStackTrace, run, serveFixture } from "./helpers.js";

const REDIS_URL = `redis://${MACHINE_REDIS.host}:${MACHINE_REDIS.port}`;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

describe("--redis validation", () => {
  const fx = serveFixture();

  it.each([
    [["--redis", "http://127.0.0.1:6379"], {}],
    [["--redis", "127.0.0.1:6379"], {}],
    [["--redis", "not a url"], {}],
    [[], { SWITCHBOARD_REDIS: "postgres://127.0.0.1:5432/x" }],
  ])("serve %j %j → exit 2, one line naming --redis, no data dir", async (args, env) => {
    const r = await run(["serve", "--port", "0", "--data-dir", fx.tmp.dataDir, ...args], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^switchboard: --redis .*redis:\/\//);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(existsSync(fx.tmp.dataDir)).toBe(false);
  });

  it("a bad --redis URL does not show its password", async () => {
    const r = await run(["serve", "--data-dir", fx.tmp.dataDir, "--redis", "http://user:hunter2@h:1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain("hunter2");
    expect(r.stderr).toContain("user:***@");
  });

  it("accepts redis:// and rediss://", () => {
    expect(parseRedisUrl("redis://127.0.0.1:6379")).toBe("redis://127.0.0.1:6379");
    expect(parseRedisUrl("rediss://:pw@redis.internal:6380/0")).toBe("rediss://:pw@redis.internal:6380/0");
  });

  it("--help documents --redis and its env var", async () => {
    const r = await run(["serve", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\s+/g, " ")).toMatch(/--redis <url> cluster mode: .*env: SWITCHBOARD_REDIS/);
  });
});

describe("cluster mode output", () => {
  it("redactUrl hides the password only", () => {
    expect(redactUrl("redis://:s3cret@10.0.0.1:6379")).toBe("redis://:***@10.0.0.1:6379");
    expect(redactUrl("redis://app:s3cret@10.0.0.1:6379/2")).toBe("redis://app:***@10.0.0.1:6379/2");
    expect(redactUrl("redis://10.0.0.1:6379")).toBe("redis://10.0.0.1:6379");
    expect(redactUrl("postgres://u:p@w@[x")).not.toContain("p@w");
  });

  it("the banner names cluster mode, the node id and the redacted Redis URL", () => {
    const text = banner({}, { host: "127.0.0.1", port: 7001 }, false, {
      nodeId: "node-1",
      redis: redactUrl("redis://:s3cret@10.0.0.1:6379"),
    });
    expect(text).toContain("Cluster mode: node node-1, Redis redis://:***@10.0.0.1:6379");
    expect(text).not.toContain("s3cret");
    expect(banner({}, { host: "127.0.0.1", port: 7001 })).not.toContain("Cluster");
  });

  it("Redis failures are logged at most once per kind per 10 s, with the count of the rest", () => {
    const lines: { obj: Record<string, unknown>; msg: string }[] = [];
    let now = 0;
    const warn = rateLimitedWarn(
      { warn: ((obj: Record<string, unknown>, msg: string) => lines.push({ obj, msg })) as never },
      10_000,
      () => now,
    );
    for (let i = 0; i < 50; i++) warn(new Error("ECONNREFUSED"), "connection");
    warn(new Error("boom"), "publish");
    expect(lines.map((l) => l.obj.kind)).toEqual(["connection", "publish"]);
    now = 9_999;
    warn(new Error("ECONNREFUSED"), "connection");
    expect(lines).toHaveLength(2);
    now = 10_000;
    warn(new Error("ECONNREFUSED"), "connection");
    expect(lines).toHaveLength(3);
    expect(lines[2]?.obj).toMatchObject({ kind: "connection", err: "ECONNREFUSED", suppressed: 50 });
  });
});

describeWithService("Redis", await redisProblem())("serve --redis (machine Redis)", () => {
  const fx = serveFixture();

  it("starts in cluster mode: banner and log name the node id; /healthz answers; SIGTERM exits 0", async () => {
    const served = await fx.serve(["--port", "0", "--data-dir", fx.tmp.dataDir, "--redis", REDIS_URL]);
    const line = /Cluster mode: node (\S+), Redis (\S+)/.exec(served.stdout);
    expect(line, served.stdout).not.toBeNull();
    expect(line?.[1]).toMatch(UUID);
    expect(line?.[2]).toBe(REDIS_URL);
    const log = served
      .stderr()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { msg: string; nodeId?: string; redis?: string })
      .find((l) => l.msg === "cluster mode");
    expect(log).toMatchObject({ nodeId: line?.[1], redis: REDIS_URL });
    expect((await fetch(`http://127.0.0.1:${served.port}/healthz`)).status).toBe(200);
    expect(await served.stop("SIGTERM")).toBe(0);
  });

  it("reads SWITCHBOARD_REDIS; every start is a new node", async () => {
    const env = { SWITCHBOARD_REDIS: REDIS_URL };
    const a = await fx.serve(["--port", "0", "--data-dir", fx.tmp.dataDir, "--log-level", "warn"], env);
    const b = await fx.serve(["--port", "0", "--data-dir", fx.tmp.dataDir, "--log-level", "warn"], env);
    const idA = /Cluster mode: node (\S+)/.exec(a.stdout)?.[1];
    const idB = /Cluster mode: node (\S+)/.exec(b.stdout)?.[1];
    expect(idA).toMatch(UUID);
    expect(idB).toMatch(UUID);
    expect(idA).not.toBe(idB);
    expect((await fetch(`http://127.0.0.1:${b.port}/healthz`)).status).toBe(200);
  });
});
