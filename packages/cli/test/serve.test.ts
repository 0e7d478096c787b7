import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { openSqliteStore } from "@switchboard/server";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { hasStackTrace, run, runJson, type Served, serveFixture } from "./helpers.js";

/** Opens a socket and resolves with the first frame, or the close code if it closes first (within 5 s). */
function firstFrame(url: string): Promise<{ ws: WebSocket; frame?: { type: string }; closeCode?: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error("neither a frame nor a close within 5 s"));
    }, 5_000);
    ws.once("close", () => clearTimeout(timer));
    ws.once("message", () => clearTimeout(timer));
    ws.once("message", (data) => resolve({ ws, frame: JSON.parse(String(data)) }));
    ws.once("close", (code) => resolve({ ws, closeCode: code }));
    ws.once("error", reject);
  });
}

function closeCode(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once("close", (code) => resolve(code)));
}

async function readSetting(dataDir: string, name: string): Promise<string | undefined> {
  const { store } = await openSqliteStore({ dataDir });
  try {
    return await store.getSetting(name);
  } finally {
    await store.close();
  }
}

describe("switchboard serve", () => {
  const fx = serveFixture();
  let served: Served | undefined;

  it("first start prints dev keys and an admin token once; /healthz answers; SIGTERM exits 0", async () => {
    served = await fx.serve(["--port", "0", "--data-dir", fx.tmp.dataDir]);
    const out = served.stdout;
    const pk = /Publishable key: (pk_live_[0-9A-Za-z]{24})/.exec(out)?.[1];
    const skId = /Secret key id: +(sk_id_[0-9A-Za-z]{24})/.exec(out)?.[1];
    const secret = /Secret: +(sk_secret_[0-9A-Za-z_-]{43})/.exec(out)?.[1];
    const admin = /Admin token: +([0-9A-Za-z_-]{43})/.exec(out)?.[1];
    expect([pk, skId, secret, admin].every(Boolean), out).toBe(true);
    expect(out).toContain(`ws://127.0.0.1:${served.port}/v1?key=${pk}`);
    // The first-start publishable key is marked as a development key, right under it.
    expect(out).toMatch(
      /Publishable key: pk_live_\S+\n {4}\(development: all four actions incl\. send, any origin; .*`switchboard keys create`\)\n/,
    );
    // The secret is printed once, on its own line: no command line to paste carries it (hardening).
    expect(out.split(secret as string).length - 1, out).toBe(1);
    expect(out).toContain(`SWITCHBOARD_KEY_SECRET=… switchboard token --key-id ${skId} --sub alice`);
    expect(out).toContain(`Authorization: Bearer ${skId}:$SWITCHBOARD_KEY_SECRET`);
    expect(out).not.toMatch(/--secret/);
    expect(out).toContain(
      `Switchboard listening on http://127.0.0.1:${served.port} (WebSocket ws://127.0.0.1:${served.port}/v1)`,
    );

    const health = await fetch(`http://127.0.0.1:${served.port}/healthz`);
    expect(health.status).toBe(200);
    // pino JSON on stderr, nothing human there.
    for (const line of served.stderr().trim().split("\n")) expect(() => JSON.parse(line)).not.toThrow();
    expect(await served.stop("SIGTERM")).toBe(0);

    expect(await readSetting(fx.tmp.dataDir, "admin_token_sha256")).toBe(
      createHash("sha256")
        .update(admin as string)
        .digest("hex"),
    );
    const keys = await runJson<
      { id: string; type: string; channelPatterns: string[]; actions: string[]; allowedOrigins: string[] }[]
    >(["keys", "list", "--data-dir", fx.tmp.dataDir]);
    expect(keys.map((k) => k.id)).toEqual([pk, skId]);
    // The dev publishable key carries `send` too (the SDK's WebRTC Peer signals with it); channels
    // and origins keep the store defaults. `keys create` still defaults to no `send` (keys.test.ts).
    expect(keys[0]).toMatchObject({
      type: "publishable",
      channelPatterns: ["**"],
      actions: ["subscribe", "publish", "presence", "send"],
      allowedOrigins: [],
    });

    served = await fx.serve(["--port", "0", "--data-dir", fx.tmp.dataDir]);
    expect(served.stdout).not.toMatch(/pk_live_|sk_id_|sk_secret_|Admin token/);
    expect(await served.stop("SIGINT")).toBe(0);
  });

  it("the dev keys work: pk connects, and a CLI-minted token from the dev secret key connects", async () => {
    served = await fx.serve(["--port", "0", "--data-dir", fx.tmp.dataDir]);
    const pk = /Publishable key: (\S+)/.exec(served.stdout)?.[1];
    const skId = /Secret key id: +(\S+)/.exec(served.stdout)?.[1] as string;
    const secret = /Secret: +(\S+)/.exec(served.stdout)?.[1] as string;
    const byKey = await firstFrame(`ws://127.0.0.1:${served.port}/v1?key=${pk}`);
    expect(byKey.frame?.type).toBe("welcome");
    byKey.ws.close();
    // The banner's form: the secret from the environment, not the command line.
    const minted = await run(
      [
        "token",
        ...["--key-id", skId, "--sub", "alice", "--channels", "**"],
        ...["--permissions", "subscribe,publish,presence,send"],
      ],
      { env: { SWITCHBOARD_KEY_SECRET: secret } },
    );
    expect(minted.code).toBe(0);
    const byToken = await firstFrame(`ws://127.0.0.1:${served.port}/v1?token=${minted.stdout.trim()}`);
    expect(byToken.frame).toMatchObject({ type: "welcome", peerId: "alice" });
    byToken.ws.close();
  });

  it("sees keys created and revoked by the CLI while it runs (revoked → 4001 within 2 s)", async () => {
    served = await fx.serve(["--port", "0", "--data-dir", fx.tmp.dataDir, "--log-level", "warn"]);
    const key = await runJson<{ id: string }>([
      "keys",
      "create",
      "--type",
      "publishable",
      "--data-dir",
      fx.tmp.dataDir,
    ]);
    const { ws, frame } = await firstFrame(`ws://127.0.0.1:${served.port}/v1?key=${key.id}`);
    expect(frame?.type).toBe("welcome");
    const closed = closeCode(ws);
    const revoked = await run(["keys", "revoke", key.id, "--data-dir", fx.tmp.dataDir]);
    expect(revoked.code).toBe(0);
    const started = Date.now();
    expect(await closed).toBe(4001);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("refuses a key revoked by the CLI at connect with 4001", async () => {
    served = await fx.serve(["--port", "0", "--data-dir", fx.tmp.dataDir, "--log-level", "warn"]);
    const key = await runJson<{ id: string }>([
      "keys",
      "create",
      "--type",
      "publishable",
      "--data-dir",
      fx.tmp.dataDir,
    ]);
    expect((await run(["keys", "revoke", key.id, "--data-dir", fx.tmp.dataDir])).code).toBe(0);
    const again = await firstFrame(`ws://127.0.0.1:${served.port}/v1?key=${key.id}`);
    expect(again.closeCode).toBe(4001);
  });

  it("sees an app suspended by the CLI while it runs (4012)", async () => {
    served = await fx.serve(["--port", "0", "--data-dir", fx.tmp.dataDir, "--log-level", "warn"]);
    const app = await runJson<{ id: string }>([
      "apps",
      "create",
      "--name",
      "tenant",
      "--data-dir",
      fx.tmp.dataDir,
    ]);
    const key = await runJson<{ id: string }>([
      "keys",
      "create",
      "--type",
      "publishable",
      "--app",
      app.id,
      "--data-dir",
      fx.tmp.dataDir,
    ]);
    const { ws, frame } = await firstFrame(`ws://127.0.0.1:${served.port}/v1?key=${key.id}`);
    expect(frame?.type).toBe("welcome");
    const closed = closeCode(ws);
    expect((await run(["apps", "suspend", app.id, "--data-dir", fx.tmp.dataDir])).code).toBe(0);
    const started = Date.now();
    expect(await closed).toBe(4012);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("stores only the hash of a given --admin-token and does not print it", async () => {
    const token = "given-token-0123456789abcdefghijk"; // 32 characters, the least accepted
    served = await fx.serve(["--port", "0", "--data-dir", fx.tmp.dataDir, "--admin-token", token]);
    expect(served.stdout).not.toMatch(/Admin token|given-token-/);
    expect(served.stdout).toMatch(/Publishable key: pk_live_/);
    await served.stop();
    expect(await readSetting(fx.tmp.dataDir, "admin_token_sha256")).toBe(
      createHash("sha256").update(token).digest("hex"),
    );
  });

  it("an admin token under 32 characters (flag or env) → exit 2, one line that does not show it, no data dir", async () => {
    const short = "short-admin-token-0123456789abc"; // 31 characters
    for (const [args, env] of [
      [["--admin-token", short], {}],
      [[], { SWITCHBOARD_ADMIN_TOKEN: short }],
    ] as const) {
      const r = await run(["serve", "--port", "0", "--data-dir", fx.tmp.dataDir, ...args], {
        env: { ...env },
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^switchboard: --admin-token .*at least 32 characters/);
      expect(r.stderr).not.toContain(short);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(existsSync(fx.tmp.dataDir)).toBe(false);
    }
  });

  it("reads SWITCHBOARD_* env vars, and a flag wins over the env", async () => {
    served = await fx.serve([], {
      SWITCHBOARD_PORT: "0",
      SWITCHBOARD_DATA_DIR: fx.tmp.dataDir,
      SWITCHBOARD_LOG_LEVEL: "warn",
    });
    expect(existsSync(join(fx.tmp.dataDir, "switchboard.db"))).toBe(true);
    expect(served.stderr()).toBe("");
    await served.stop();
    served = await fx.serve(["--port", "0", "--data-dir", fx.tmp.dataDir], {
      SWITCHBOARD_PORT: "not-a-port",
      SWITCHBOARD_CONNECT_RATE_PER_IP: "0",
    });
    expect(served.port).toBeGreaterThan(0);
  });

  it("--connect-rate-per-ip limits upgrades per IP (HTTP 429), 0 disables the limit", async () => {
    /** Outcome of one upgrade attempt: "welcome", or the HTTP status of a refused upgrade. */
    const attempt = (url: string) =>
      new Promise<number | string>((resolve) => {
        const ws = new WebSocket(url);
        ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        ws.once("message", (data) => {
          resolve(JSON.parse(String(data)).type);
          ws.terminate();
        });
        ws.once("error", (err) => resolve(err.message));
      });
    served = await fx.serve(["--port", "0", "--data-dir", fx.tmp.dataDir, "--connect-rate-per-ip", "2"]);
    const pk = /Publishable key: (\S+)/.exec(served.stdout)?.[1];
    const url = `ws://127.0.0.1:${served.port}/v1?key=${pk}`;
    const limited = [await attempt(url), await attempt(url), await attempt(url)];
    expect(limited).toEqual(["welcome", "welcome", 429]);
    // Plain HTTP does not count against the limit.
    expect((await fetch(`http://127.0.0.1:${served.port}/healthz`)).status).toBe(200);
    await served.stop();
    served = await fx.serve([
      "--port",
      "0",
      "--data-dir",
      fx.tmp.dataDir,
      "--connect-rate-per-ip",
      "0",
      "--log-level",
      "warn",
    ]);
    for (let i = 0; i < 70; i++)
      expect(await attempt(url.replace(/:\d+\//, `:${served.port}/`))).toBe("welcome");
  });

  it.each([
    [["--port", "abc"], /--port.*abc.*integer/],
    [["--port", "70000"], /--port/],
    [["--connect-rate-per-ip", "-1"], /--connect-rate-per-ip/],
    [["--max-connections", "0"], /--max-connections/],
    [["--log-level", "loud"], /--log-level.*Allowed choices/],
    [["--admin-token", "has space"], /--admin-token/],
    [["--max-token-ttl", "0"], /--max-token-ttl/],
    [["--turn-ttl-publishable", "0"], /--turn-ttl-publishable/],
    [["--nope"], /unknown option '--nope'/],
  ])("bad config %j → exit 2, one line, no stack trace", async (args, message) => {
    const r = await run(["serve", "--data-dir", fx.tmp.dataDir, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it("a port in use → exit 1 with one line", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await run([
        "serve",
        "--port",
        String(port),
        "--data-dir",
        fx.tmp.dataDir,
        "--log-level",
        "silent",
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toMatch(/^switchboard: cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      // The keys generated for this first start are not lost: they are printed even though listen failed.
      expect(r.stdout).toMatch(/Publishable key: pk_live_/);
    } finally {
      blocker.close();
    }
  });
});
