/**
 * `switchboard serve` TURN flags and env vars: credentials reach `welcome.metadata.iceServers`,
 * bad values are usage errors (exit 2), and the TURN secret is never printed or logged.
 */
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { SignJWT } from "jose";
import { describe, expect, it, onTestFinished } from "vitest";
import WebSocket from "ws";
import { BIN, cleanEnv, type RunResult, type Served, serveFixture, tempDir } from "./helpers.js";

const SECRET = "cli-turn-secret-0123456789abcdef";
const TURN = "turn:127.0.0.1:3478?transport=udp";
const STUN = "stun:127.0.0.1:3478";

const nowSec = () => Math.floor(Date.now() / 1000);

/** Runs the CLI; a command that unexpectedly starts serving is killed after 10 s. */
function runBriefly(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(env), timeout: 10_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The first frame of a WebSocket at `url` (within 5 s). */
function firstFrame(url: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error("no frame within 5 s"));
    }, 5_000);
    ws.once("message", (data) => {
      clearTimeout(timer);
      ws.close();
      resolve(JSON.parse(String(data)) as Record<string, unknown>);
    });
    ws.once("error", reject);
  });
}

/** Signs a connect token with the dev secret key printed by the first start. */
async function devToken(stdout: string, sub: string, exp: number): Promise<string> {
  const id = /Secret key id: +(sk_id_\S+)/.exec(stdout)?.[1];
  const secret = /Secret: +(sk_secret_\S+)/.exec(stdout)?.[1];
  if (!id || !secret) throw new Error(`no dev secret key in the banner:\n${stdout}`);
  return new SignJWT({ channels: ["**"], permissions: ["subscribe"] })
    .setProtectedHeader({ alg: "HS256", kid: id })
    .setSubject(sub)
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(secret));
}

/** Checks the injected iceServers against the coturn convention; returns the username's expiry. */
function injectedExpiry(
  welcome: Record<string, unknown>,
  user: string,
  urls: { stun: string[]; turn: string[] },
) {
  const iceServers = (welcome.metadata as { iceServers: { username: string; credential: string }[] })
    .iceServers;
  const relay = iceServers[iceServers.length - 1];
  expect(iceServers).toEqual([
    ...(urls.stun.length > 0 ? [{ urls: urls.stun }] : []),
    {
      urls: urls.turn,
      username: expect.stringMatching(new RegExp(`^\\d+:${user}$`)),
      credential: expect.any(String),
    },
  ]);
  if (!relay) throw new Error("no relay entry");
  expect(relay.credential).toBe(createHmac("sha1", SECRET).update(relay.username).digest("base64"));
  return Number(relay.username.split(":")[0]);
}

describe("serve --turn-*", () => {
  const fx = serveFixture();
  let served: Served | undefined;

  it("flags: welcome carries credentials capped at --turn-ttl; the secret appears in no output", async () => {
    served = await fx.serve([
      "--port",
      "0",
      "--data-dir",
      fx.tmp.dataDir,
      "--log-level",
      "trace",
      "--turn-secret",
      SECRET,
      "--turn-urls",
      `${TURN},${STUN}`,
      "--turn-ttl",
      "600",
    ]);
    const before = nowSec();
    const token = await devToken(served.stdout, "alice", before + 3_600);
    const welcome = await firstFrame(`ws://127.0.0.1:${served.port}/v1?token=${token}`);
    const expiry = injectedExpiry(welcome, "alice", { stun: [STUN], turn: [TURN] });
    expect(expiry).toBeGreaterThanOrEqual(before + 600);
    expect(expiry).toBeLessThanOrEqual(nowSec() + 600);

    expect(await served.stop("SIGTERM")).toBe(0);
    expect(served.stdout + served.stderr()).not.toContain(SECRET);
  });

  it("env vars: SWITCHBOARD_TURN_SECRET, _URLS and _TTL; a token's shorter life wins", async () => {
    served = await fx.serve(["--port", "0", "--data-dir", fx.tmp.dataDir, "--log-level", "debug"], {
      SWITCHBOARD_TURN_SECRET: SECRET,
      SWITCHBOARD_TURN_URLS: TURN,
      SWITCHBOARD_TURN_TTL: "7200",
    });
    const exp = nowSec() + 300;
    const token = await devToken(served.stdout, "bob", exp);
    const welcome = await firstFrame(`ws://127.0.0.1:${served.port}/v1?token=${token}`);
    expect(injectedExpiry(welcome, "bob", { stun: [], turn: [TURN] })).toBe(exp);
    expect(await served.stop("SIGTERM")).toBe(0);
    expect(served.stdout + served.stderr()).not.toContain(SECRET);
  });

  it("--help lists the TURN flags and their env vars", async () => {
    const r = await runBriefly(["serve", "--help"]);
    expect(r.code).toBe(0);
    for (const text of ["--turn-secret", "SWITCHBOARD_TURN_SECRET", "--turn-urls", "SWITCHBOARD_TURN_URLS"]) {
      expect(r.stdout).toContain(text);
    }
    // Commander wraps the help text, possibly between "default:" and the value.
    expect(r.stdout).toMatch(/--turn-ttl <seconds>[\s\S]*default:\s+86400[\s\S]*SWITCHBOARD_TURN_TTL/);
    expect(r.stdout).toMatch(
      /--turn-ttl-publishable <seconds>[\s\S]*default:\s+3600[\s\S]*SWITCHBOARD_TURN_TTL_PUBLISHABLE/,
    );
  });
});

describe("serve --turn-* usage errors", () => {
  const bad: [string, string[], Record<string, string>?][] = [
    ["ttl 0", ["--turn-secret", SECRET, "--turn-urls", TURN, "--turn-ttl", "0"]],
    ["ttl not a number", ["--turn-secret", SECRET, "--turn-urls", TURN, "--turn-ttl", "1e3"]],
    ["ttl over 7 days", ["--turn-secret", SECRET, "--turn-urls", TURN, "--turn-ttl", "604801"]],
    ["env ttl", ["--turn-secret", SECRET, "--turn-urls", TURN], { SWITCHBOARD_TURN_TTL: "-5" }],
    ["URL scheme", ["--turn-secret", SECRET, "--turn-urls", "http://127.0.0.1:3478"]],
    ["empty list entry", ["--turn-secret", SECRET, "--turn-urls", `${TURN},`]],
    ["URL too long", ["--turn-secret", SECRET, "--turn-urls", `turn:${"a".repeat(600)}`]],
    ["secret without URLs", ["--turn-secret", SECRET]],
    ["secret with STUN only", ["--turn-secret", SECRET, "--turn-urls", STUN]],
    ["URLs without secret", ["--turn-urls", TURN]],
    ["empty secret", ["--turn-secret", "", "--turn-urls", TURN]],
    ["secret with a space", ["--turn-secret", `${SECRET} x`, "--turn-urls", TURN]],
    ["env secret without URLs", [], { SWITCHBOARD_TURN_SECRET: SECRET }],
  ];
  // Concurrent (each case its own temp dir): every case is a CLI start, ~1.5 s of module loading.
  it.concurrent.for(bad)(
    "%s → usage error, exit 2, secret not echoed, no data dir",
    async ([, args, env], { expect }) => {
      const tmp = tempDir();
      onTestFinished(() => tmp.cleanup());
      const r = await runBriefly(["serve", "--port", "0", "--data-dir", tmp.dataDir, ...args], env);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^switchboard: .*turn/i);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).not.toContain(SECRET);
      expect(existsSync(tmp.dataDir)).toBe(false);
    },
  );
});
