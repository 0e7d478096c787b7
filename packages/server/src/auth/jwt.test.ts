import { createHmac } from "node:crypto";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import type { KeyRecord } from "../store/types.js";
import { verifyConnectToken } from "./jwt.js";
import type { KeyDirectory, ResolvedKey } from "./keys.js";
import { createScope } from "./scope.js";

const NOW_MS = 1_900_000_000_000;
const NOW = NOW_MS / 1000;
const KID = "sk_id_test";
const SECRET = "sk_secret_test";
const encoder = new TextEncoder();

function resolved(overrides: Partial<KeyRecord> = {}): ResolvedKey {
  const record: KeyRecord = {
    id: KID,
    type: "secret",
    appId: "app_1",
    channelPatterns: ["room-*"],
    actions: ["subscribe", "publish"],
    allowedOrigins: [],
    autoInjectTurn: false,
    revoked: false,
    createdAt: 0,
    revokedAt: null,
    ...overrides,
  };
  return {
    record,
    scope: createScope(record.channelPatterns, record.actions),
    hmacKey: encoder.encode(SECRET),
  };
}

/** A directory holding one key (or none); records which ids were looked up. */
function directory(key: ResolvedKey | undefined = resolved()) {
  const looked: string[] = [];
  const keys: KeyDirectory = {
    async lookup(id) {
      looked.push(id);
      return id === key?.record.id ? key : undefined;
    },
    invalidate() {},
  };
  return { keys, looked };
}

const claims = { sub: "alice", exp: NOW + 600, channels: ["room-1"], permissions: ["subscribe"] };
const b64 = (text: string | Uint8Array) => Buffer.from(text).toString("base64url");
function sign(payload: string | Uint8Array, header: Record<string, unknown> = { alg: "HS256", kid: KID }) {
  const input = `${b64(JSON.stringify(header))}.${b64(payload)}`;
  return `${input}.${createHmac("sha256", SECRET).update(input).digest("base64url")}`;
}
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** The same signature bytes spelled with the last character's (unused) lowest bit set. */
const respell = (t: string) => `${t.slice(0, -1)}${ALPHABET[ALPHABET.indexOf(t.at(-1) as string) | 1]}`;
const token = (over: Record<string, unknown> = {}) => sign(JSON.stringify({ ...claims, ...over }));

async function verify(t: string, dir = directory()) {
  return verifyConnectToken(t, dir.keys, NOW_MS);
}

describe("verifyConnectToken", () => {
  it("accepts a token signed with jose, with its claims and key", async () => {
    const signed = await new SignJWT({ channels: ["room-1"], permissions: ["subscribe"] })
      .setProtectedHeader({ alg: "HS256", kid: KID })
      .setSubject("alice")
      .setExpirationTime(NOW + 600)
      .sign(encoder.encode(SECRET));
    const outcome = await verify(signed);
    expect(outcome).toMatchObject({ ok: true, claims: { sub: "alice", exp: NOW + 600 } });
    expect(outcome.ok && outcome.key.record.id).toBe(KID);
  });

  it.each([
    [
      "alg HS384 (signed as such)",
      () => new SignJWT(claims).setProtectedHeader({ alg: "HS384", kid: KID }).sign(encoder.encode(SECRET)),
    ],
    [
      "alg none",
      async () => `${b64(JSON.stringify({ alg: "none", kid: KID }))}.${b64(JSON.stringify(claims))}.`,
    ],
    ["missing kid", async () => sign(JSON.stringify(claims), { alg: "HS256" })],
    ["kid not a string", async () => sign(JSON.stringify(claims), { alg: "HS256", kid: 7 })],
    [
      "kid of a publishable key",
      async () => sign(JSON.stringify(claims), { alg: "HS256", kid: "pk_live_abc" }),
    ],
    ["not base64url", async () => token().replace(".", ".!")],
    ["a signature with non-zero unused bits", async () => respell(token())],
    ["three garbage segments", async () => "a.b.c"],
    ["over 64 KiB", async () => `${token()}${"A".repeat(65_536)}`],
  ])("%s → 4001 without looking a key up", async (_name, make) => {
    const dir = directory();
    expect(await verify(await make(), dir)).toEqual({ ok: false, close: 4001 });
    expect(dir.looked).toEqual([]);
  });

  it.each([
    [
      "unknown kid",
      async () => sign(JSON.stringify(claims), { alg: "HS256", kid: "sk_id_other" }),
      directory(),
    ],
    [
      "a kid that resolves to a publishable key",
      async () => token(),
      directory(resolved({ type: "publishable" })),
    ],
    ["bad signature", async () => `${token().slice(0, -5)}AAAAA`, directory()],
    [
      "signed with another secret",
      () =>
        new SignJWT(claims)
          .setProtectedHeader({ alg: "HS256", kid: KID })
          .sign(encoder.encode("sk_secret_other")),
      directory(),
    ],
    ["payload a JSON array", async () => sign("[1,2]"), directory()],
    ["payload a JSON number", async () => sign("42"), directory()],
    ["payload not JSON", async () => sign("not json"), directory()],
    ["payload not UTF-8", async () => sign(new Uint8Array([0x7b, 0xff, 0x7d])), directory()],
    ["bad claim types", async () => token({ sub: 42 }), directory()],
    ["nbf 10 s ahead", async () => token({ nbf: NOW + 10 }), directory()],
    ["bad signature and expired", async () => `${token({ exp: NOW - 1 }).slice(0, -5)}AAAAA`, directory()],
  ])("%s → 4001", async (_name, make, dir) => {
    expect(await verify(await make(), dir)).toEqual({ ok: false, close: 4001 });
  });

  it("exp ≤ now → 4002, checked before nbf and coverage", async () => {
    expect(await verify(token({ exp: NOW }))).toEqual({ ok: false, close: 4002 });
    expect(await verify(token({ exp: NOW - 1, nbf: NOW + 60 }))).toEqual({ ok: false, close: 4002 });
    expect(await verify(token({ exp: NOW - 1, channels: ["other"] }))).toEqual({ ok: false, close: 4002 });
  });

  it("nbf within the 5 s leeway is accepted", async () => {
    expect((await verify(token({ nbf: NOW + 5 }))).ok).toBe(true);
  });

  it("channels or permissions outside the key's → 4003", async () => {
    expect(await verify(token({ channels: ["other"] }))).toEqual({ ok: false, close: 4003 });
    expect(await verify(token({ channels: ["room-*", "**"] }))).toEqual({ ok: false, close: 4003 });
    expect(await verify(token({ permissions: ["send"] }))).toEqual({ ok: false, close: 4003 });
    expect(await verify(token({ nbf: NOW + 60, channels: ["other"] }))).toEqual({ ok: false, close: 4001 });
  });
});
