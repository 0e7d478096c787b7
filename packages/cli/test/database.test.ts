/**
 * `--database postgres://…` (env `SWITCHBOARD_DATABASE`) on `serve`, `keys` and `apps`: the store is
 * that PostgreSQL database instead of the data dir. Each test gets a fresh database.
 */
import { existsSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  createTestDatabase,
  postgresProblem,
  type TestDatabase,
} from "../../server/test/postgres-database.js";
import { describeWithService } from "../../server/test/tools.js";
import { hasStackTrace, run, runJson, serveFixture, tempDir } from "./helpers.js";

const UNREACHABLE = "postgres://postgres@127.0.0.1:1/x";

/** Resolves with the type of the first frame, or the close code if the socket closes first. */
function firstFrame(url: string): Promise<string | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error("neither a frame nor a close within 5 s"));
    }, 5_000);
    ws.once("message", (data) => {
      clearTimeout(timer);
      resolve((JSON.parse(String(data)) as { type: string }).type);
      ws.close();
    });
    ws.once("close", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    ws.once("error", reject);
  });
}

describe("--database validation and failures", () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it.each([
    [["keys", "list"]],
    [["keys", "create", "--type", "publishable"]],
    [["apps", "list"]],
    [["apps", "create", "--name", "x"]],
    [["serve", "--port", "0"]],
  ])("%j with an unreachable database → exit 1, one line naming the URL, no data dir", async (args) => {
    const r = await run([...args, "--data-dir", tmp.dataDir, "--database", UNREACHABLE]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^switchboard: cannot open the database postgres:\/\/postgres@127\.0\.0\.1:1\/x: .*ECONNREFUSED/,
    );
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(existsSync(tmp.dataDir)).toBe(false);
  });

  it("the password of an unreachable database is not shown", async () => {
    const r = await run(["keys", "list", "--database", "postgres://postgres:hunter2@127.0.0.1:1/x"]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain("hunter2");
    expect(r.stderr).toContain("postgres://postgres:***@127.0.0.1:1/x");
  });

  it.each([
    [["keys", "list", "--database", "mysql://u:hunter2@127.0.0.1/x"], {}],
    [["apps", "list", "--database", "not a url"], {}],
    [["serve", "--database", "http://127.0.0.1:5432/x"], {}],
    [["keys", "list"], { SWITCHBOARD_DATABASE: "redis://127.0.0.1:6379" }],
  ])("%j %j → exit 2, one line naming --database, password hidden", async (args, env) => {
    const r = await run([...args, "--data-dir", tmp.dataDir], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^switchboard: --database /);
    expect(r.stderr).not.toContain("hunter2");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(existsSync(tmp.dataDir)).toBe(false);
  });

  it.each([
    "serve",
    ...["keys create", "keys list", "keys revoke", "keys update", "keys delete"],
    ...["apps create", "apps list", "apps update", "apps suspend", "apps resume", "apps delete"],
  ])("%s --help documents --database and its env var", async (command) => {
    const r = await run([...command.split(" "), "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\s+/g, " ")).toMatch(
      /--database <url> PostgreSQL URL .*env: SWITCHBOARD_DATABASE/,
    );
  });
});

describeWithService("PostgreSQL", await postgresProblem())("--database (machine PostgreSQL)", () => {
  let db: TestDatabase;
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(async () => {
    db = await createTestDatabase();
    tmp = tempDir();
  });
  afterEach(async () => {
    await db.drop();
    tmp.cleanup();
  });

  it("keys create --database, then keys list with SWITCHBOARD_DATABASE shows the key; no data dir", async () => {
    const key = await runJson<{ id: string }>([
      ...["keys", "create", "--type", "publishable", "--database", db.url, "--data-dir", tmp.dataDir],
    ]);
    const keys = await runJson<{ id: string }[]>(["keys", "list", "--data-dir", tmp.dataDir], {
      SWITCHBOARD_DATABASE: db.url,
    });
    expect(keys.map((k) => k.id)).toEqual([key.id]);
    // The data dir is not the store: it stays empty (not even created).
    expect(existsSync(tmp.dataDir)).toBe(false);
    expect(await runJson<unknown[]>(["keys", "list", "--data-dir", tmp.dataDir])).toEqual([]);
  });

  it("apps create / list / suspend on the database", async () => {
    const app = await runJson<{ id: string; name: string }>([
      "apps",
      "create",
      "--name",
      "tenant",
      "--database",
      db.url,
    ]);
    const apps = await runJson<{ id: string; name: string; suspended: boolean }[]>(["apps", "list"], {
      SWITCHBOARD_DATABASE: db.url,
    });
    expect(apps.map((a) => a.name)).toEqual(["default", "tenant"]);
    expect(apps[1]?.id).toBe(app.id);
    const suspended = await runJson<{ suspended: boolean }>([
      "apps",
      "suspend",
      app.id,
      "--database",
      db.url,
    ]);
    expect(suspended.suspended).toBe(true);
  });

  describe("serve --database", () => {
    const fx = serveFixture();

    it("serves a key created with keys create --database; a revoke by the CLI closes it (4001)", async () => {
      const key = await runJson<{ id: string }>([
        "keys",
        "create",
        "--type",
        "publishable",
        "--database",
        db.url,
      ]);
      const served = await fx.serve(["--port", "0", "--database", db.url, "--data-dir", fx.tmp.dataDir]);
      // keys create set the database up: this start is not a first start, so no dev keys.
      expect(served.stdout).not.toMatch(/Publishable key:/);
      expect(existsSync(fx.tmp.dataDir)).toBe(false);
      expect(await firstFrame(`ws://127.0.0.1:${served.port}/v1?key=${key.id}`)).toBe("welcome");
      expect((await run(["keys", "revoke", key.id, "--database", db.url])).code).toBe(0);
      const deadline = Date.now() + 5_000;
      let outcome: string | number = "welcome";
      while (outcome === "welcome" && Date.now() < deadline) {
        outcome = await firstFrame(`ws://127.0.0.1:${served.port}/v1?key=${key.id}`);
        if (outcome === "welcome") await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(outcome).toBe(4001);
      expect(await served.stop("SIGTERM")).toBe(0);
    });

    it("first start on an empty database prints dev keys, which then work (env SWITCHBOARD_DATABASE)", async () => {
      const served = await fx.serve(["--port", "0", "--data-dir", fx.tmp.dataDir], {
        SWITCHBOARD_DATABASE: db.url,
      });
      const pk = /Publishable key: (pk_live_\S+)/.exec(served.stdout)?.[1];
      expect(pk, served.stdout).toBeDefined();
      expect(await firstFrame(`ws://127.0.0.1:${served.port}/v1?key=${pk}`)).toBe("welcome");
      const keys = await runJson<{ id: string }[]>(["keys", "list", "--database", db.url]);
      expect(keys.map((k) => k.id)).toContain(pk);
    });
  });
});
