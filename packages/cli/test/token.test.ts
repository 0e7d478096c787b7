import { decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { hasStackTrace, run } from "./helpers.js";

const keyId = "sk_id_0123456789abcdefghijKLMN";
const secret = "sk_secret_AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIIIjjjjKKK";
const base = ["token", "--key-id", keyId, "--secret", secret, "--sub", "alice"];

describe("switchboard token", () => {
  it("prints one HS256 JWT with kid and the claims, verifiable with the secret", async () => {
    const r = await run([
      ...base,
      "--channels",
      "room-*,lobby",
      "--permissions",
      "subscribe,publish",
      "--ttl",
      "120",
      "--metadata",
      '{"plan":"pro"}',
      "--peer-metadata",
      '{"name":"Alice"}',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe("");
    const token = lines[0] as string;
    expect(decodeProtectedHeader(token)).toEqual({ alg: "HS256", kid: keyId });
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ["HS256"] });
    const now = Math.floor(Date.now() / 1000);
    expect(payload).toMatchObject({
      sub: "alice",
      channels: ["room-*", "lobby"],
      permissions: ["subscribe", "publish"],
      metadata: { plan: "pro" },
      peerMetadata: { name: "Alice" },
    });
    expect(Math.abs((payload.iat as number) - now)).toBeLessThanOrEqual(5);
    expect(payload.exp).toBe((payload.iat as number) + 120);
  });

  it("defaults to a one-hour token without metadata, and reads key id and secret from the env", async () => {
    const r = await run(["token", "--sub", "bob", "--channels", "**", "--permissions", "send"], {
      env: { SWITCHBOARD_KEY_ID: keyId, SWITCHBOARD_KEY_SECRET: secret },
    });
    expect(r.code).toBe(0);
    const { payload } = await jwtVerify(r.stdout.trim(), new TextEncoder().encode(secret));
    expect(payload.exp).toBe((payload.iat as number) + 3600);
    expect(payload).not.toHaveProperty("metadata");
    expect(payload).not.toHaveProperty("peerMetadata");
  });

  it.each([
    [["--channels", "**", "--permissions", "subscribe,admin"], /Unknown action "admin"/],
    [["--channels", "**", "--permissions", "subscribe", "--metadata", "{nope"], /--metadata.*Expected JSON/],
    [["--channels", "**", "--permissions", "subscribe", "--metadata", "[1,2]"], /--metadata.*JSON object/],
    [
      ["--channels", "**", "--permissions", "subscribe", "--peer-metadata", "null"],
      /--peer-metadata.*JSON object/,
    ],
    [["--channels", "**", "--permissions", "subscribe", "--ttl", "1.5"], /--ttl.*integer/],
    [["--channels", "**", "--permissions", "subscribe", "--ttl", "0"], /--ttl.*integer/],
    [["--channels", "**"], /required option '--permissions <list>'/],
    [["--permissions", "subscribe"], /required option '--channels <list>'/],
    [["--channels", "", "--permissions", "subscribe"], /--channels/],
  ])("%j → exit 2 with a one-line message", async (args, message) => {
    const r = await run([...base, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stdout).toBe("");
  });

  it("validates sub, key id and secret", async () => {
    const rest = ["--channels", "**", "--permissions", "subscribe"];
    const cases: [string[], RegExp][] = [
      [["token", "--key-id", keyId, "--secret", secret, "--sub", "é", ...rest], /--sub.*printable ASCII/],
      [["token", "--key-id", keyId, "--secret", secret, "--sub", "x".repeat(129), ...rest], /--sub/],
      [
        ["token", "--key-id", "pk_live_abc", "--secret", secret, "--sub", "a", ...rest],
        /publishable keys cannot sign/,
      ],
      [["token", "--key-id", keyId, "--secret", "hunter2", "--sub", "a", ...rest], /--secret.*sk_secret_/],
      [["token", "--key-id", keyId, "--sub", "a", ...rest], /required option '--secret <secret>'/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
