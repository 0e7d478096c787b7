import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { authenticate, type Identity } from "./authenticate.js";
import type { KeyDirectory, ResolvedKey } from "./keys.js";
import { createScope } from "./scope.js";

const NOW_MS = 1_900_000_000_000;
const KID = "sk_id_authtest";
const SECRET = "sk_secret_authtest";
const PK = "pk_live_authtest";

const secretKey: ResolvedKey = {
  record: {
    id: KID,
    type: "secret",
    appId: "app_1",
    channelPatterns: ["**"],
    actions: ["subscribe", "publish", "send"],
    allowedOrigins: [],
    autoInjectTurn: false,
    revoked: false,
    createdAt: 0,
    revokedAt: null,
  },
  scope: createScope(["**"], ["subscribe", "publish", "send"]),
  hmacKey: new TextEncoder().encode(SECRET),
};
const publishableKey: ResolvedKey = {
  record: { ...secretKey.record, id: PK, type: "publishable" },
  scope: createScope(["**"], ["subscribe"]),
};
const keys: KeyDirectory = {
  lookup: async (id) => [secretKey, publishableKey].find((k) => k.record.id === id),
  invalidate() {},
};

const b64 = (text: string) => Buffer.from(text).toString("base64url");
function token(claims: Record<string, unknown>): string {
  const input = `${b64(JSON.stringify({ alg: "HS256", kid: KID }))}.${b64(JSON.stringify(claims))}`;
  return `${input}.${createHmac("sha256", SECRET).update(input).digest("base64url")}`;
}
const grant = (sub: string, over: Record<string, unknown> = {}) =>
  token({ sub, exp: NOW_MS / 1000 + 600, channels: ["room/*"], permissions: ["subscribe"], ...over });

async function identity(query: string): Promise<Identity> {
  const outcome = await authenticate(new URLSearchParams(query), undefined, keys, NOW_MS);
  if (!outcome.ok) throw new Error(`refused with ${outcome.close}`);
  return outcome.identity;
}

describe("authenticate: shared per-connection objects", () => {
  it("tokens with the same grant share one frozen scope; other grants get their own", async () => {
    const alice = await identity(`token=${grant("alice")}`);
    const bob = await identity(`token=${grant("bob")}`);
    const carol = await identity(`token=${grant("carol", { permissions: ["subscribe", "publish"] })}`);
    expect(bob.scope).toBe(alice.scope);
    expect(carol.scope).not.toBe(alice.scope);
    expect(Object.isFrozen(alice.scope)).toBe(true);
    expect([...carol.scope.actions]).toEqual(["subscribe", "publish"]);
  });

  it("identities without metadata share one frozen empty object; a claim is passed through", async () => {
    const jwt = await identity(`token=${grant("dave")}`);
    const pk = await identity(`key=${PK}`);
    expect(jwt.metadata).toEqual({});
    expect(pk.metadata).toBe(jwt.metadata);
    expect(Object.isFrozen(jwt.metadata)).toBe(true);
    const withMeta = await identity(`token=${grant("erin", { metadata: { plan: "pro" } })}`);
    expect(withMeta.metadata).toEqual({ plan: "pro" });
  });
});
