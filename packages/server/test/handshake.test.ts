/**
 * protocol.md §1–§2: credentials, the handshake table (4001/4002/4003) in its order, and `welcome`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  asciiOfLength,
  type Claims,
  nowSec,
  type SecretKey,
  signPayload,
  signToken,
  startServer,
  type TestServer,
  UUID_RE,
  uniq,
  unsignedToken,
} from "./helpers.js";

let ts: TestServer;
beforeAll(async () => {
  ts = await startServer();
});
afterAll(async () => {
  await ts?.stop();
});

describe("welcome", () => {
  it("publishable key: fresh UUID peerId, expiresAt null, serverTime, maxMessageSize, metadata {}", async () => {
    const before = Date.now() / 1000;
    const a = await ts.connectPk();
    const b = await ts.connectPk();
    expect(a.welcome).toEqual({
      type: "welcome",
      peerId: expect.stringMatching(UUID_RE),
      expiresAt: null,
      serverTime: expect.any(Number),
      maxMessageSize: 65536,
      metadata: {},
    });
    expect(Math.abs((a.welcome?.serverTime as number) - before)).toBeLessThan(5);
    expect(b.welcome?.peerId).toMatch(UUID_RE);
    expect(b.welcome?.peerId, "every pk connection gets a fresh peerId").not.toBe(a.welcome?.peerId);
  });

  it("JWT: peerId is sub, expiresAt is exp, metadata is the metadata claim", async () => {
    const exp = nowSec() + 600;
    const metadata = { room: "lobby", nested: { list: [1, "two", null, true] } };
    const c = await ts.connectJwt({ sub: "alice", exp, metadata, peerMetadata: { name: "Alice" } });
    expect(c.welcome).toEqual({
      type: "welcome",
      peerId: "alice",
      expiresAt: exp,
      serverTime: expect.any(Number),
      maxMessageSize: 65536,
      metadata,
    });
  });

  it("JWT without metadata claim: metadata is {}", async () => {
    const c = await ts.connectJwt({ sub: "bob" });
    expect(c.welcome?.metadata).toEqual({});
  });

  it("optional claims iat, nbf (past) and iss are accepted", async () => {
    const c = await ts.connectJwt({ iat: nowSec() - 10, nbf: nowSec() - 10, iss: "my-backend" });
    expect(c.welcome?.type).toBe("welcome");
  });

  it("sub of 128 printable ASCII bytes (spaces and ~ included) is accepted verbatim", async () => {
    const sub = ` ~!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}${asciiOfLength(128)}`.slice(0, 128);
    expect(Buffer.byteLength(sub)).toBe(128);
    const c = await ts.connectJwt({ sub });
    expect(c.welcome?.peerId).toBe(sub);
  });

  it("empty permissions are a valid subset (the connection can then do nothing gated)", async () => {
    const c = await ts.connectJwt({ permissions: [] });
    await c.fails({ type: "subscribe", channel: "x" }, "action_not_permitted");
  });

  it("the connection is usable right after welcome", async () => {
    const c = await ts.connectPk();
    await c.quiet();
  });
});

describe("credential choice (4001)", () => {
  it("neither token nor key", async () => {
    expect((await ts.refused({ query: "" })).code).toBe(4001);
  });
  it("empty token and empty key values", async () => {
    expect((await ts.refused({ query: "token=" })).code).toBe(4001);
    expect((await ts.refused({ query: "key=" })).code).toBe(4001);
  });
  it("both token and key (even when each alone is valid)", async () => {
    const token = await signToken(ts.sk);
    const q = `token=${encodeURIComponent(token)}&key=${encodeURIComponent(ts.pk)}`;
    expect((await ts.refused({ query: q })).code).toBe(4001);
  });
  it.each([
    ["unknown publishable key", () => `pk_live_${"a".repeat(24)}`],
    ["malformed key", () => "not-a-key"],
    ["bare prefix", () => "pk_live_"],
    ["very long key", () => `pk_live_${"z".repeat(4000)}`],
    ["a secret key id used as key", () => ts.sk.id],
    ["a secret key's secret used as key", () => ts.sk.secret],
  ])("%s → 4001", async (_name, key) => {
    expect((await ts.refused({ key: key() })).code).toBe(4001);
  });

  it("revoked publishable key → 4001 at connect", async () => {
    const pk = await ts.createPk();
    await ts.store.revokeKey(pk);
    expect((await ts.refused({ key: pk })).code).toBe(4001);
  });

  it.each([
    [4001, () => ({ key: "nope" })],
    [4002, async () => ({ token: await signToken(ts.sk, { exp: nowSec() - 60 }) })],
  ])(
    "a refused socket (%d) is fully closed within 3 s: the server completes the close handshake",
    async (code, auth) => {
      const c = ts.client(await auth());
      const closed = await c.waitClose(3_000);
      expect(closed.code).toBe(code);
    },
  );

  it("a publishable key used as token → 4001", async () => {
    expect((await ts.refused({ token: ts.pk })).code).toBe(4001);
  });

  it("the 4001 reason text is the same whatever check failed", async () => {
    const reasons = new Set<string>();
    reasons.add((await ts.refused({ key: "nope" })).reason);
    reasons.add((await ts.refused({ token: "nope" })).reason);
    reasons.add((await ts.refused({ token: await signToken({ ...ts.sk, secret: "wrong" }) })).reason);
    reasons.add((await ts.refused({ token: await signToken(ts.sk, { sub: 42 }) })).reason);
    expect(reasons.size).toBe(1);
  });
});

describe("JWT problems (4001)", () => {
  const token = (claims: Claims = {}, header: { alg?: string; kid?: unknown } = {}, key?: SecretKey) =>
    signToken(key ?? ts.sk, claims, header);
  const big = (bytes: number) => ({ a: "x".repeat(bytes - '{"a":""}'.length) });

  const rows: [string, () => Promise<string> | string][] = [
    ["not a JWT", () => "abc"],
    ["three garbage parts", () => "a.b.c"],
    ["payload not JSON (valid signature)", () => signPayload(ts.sk, "not json")],
    ["payload a JSON array", () => signPayload(ts.sk, "[1,2]")],
    ["alg HS512", () => token({}, { alg: "HS512" })],
    ["alg HS384", () => token({}, { alg: "HS384" })],
    ["alg none", () => unsignedToken(ts.sk)],
    ["missing kid", () => token({}, { kid: null })],
    ["unknown kid", () => token({}, { kid: `sk_id_${"0".repeat(20)}` })],
    ["kid of a publishable key", () => token({}, { kid: ts.pk })],
    ["kid not a string", () => token({}, { kid: 42 })],
    ["bad signature", () => signToken({ id: ts.sk.id, secret: "sk_secret_wrong" })],
    [
      "tampered payload",
      async () => {
        const [h, , s] = (await token({ sub: "mallory" })).split(".");
        const p = Buffer.from(
          JSON.stringify({ sub: "admin", exp: nowSec() + 60, channels: ["**"], permissions: [] }),
        );
        return `${h}.${p.toString("base64url")}.${s}`;
      },
    ],
    ["missing sub", () => token({ sub: undefined })],
    ["missing exp", () => token({ exp: undefined })],
    ["missing channels", () => token({ channels: undefined })],
    ["missing permissions", () => token({ permissions: undefined })],
    ["sub not a string", () => token({ sub: 42 })],
    ["exp not a number", () => token({ exp: String(nowSec() + 3600) })],
    ["channels not an array", () => token({ channels: "**" })],
    ["channels entry not a string", () => token({ channels: [1] })],
    ["permissions not an array", () => token({ permissions: "subscribe" })],
    ["permissions entry not a string", () => token({ permissions: [true] })],
    ["permissions entry not an action", () => token({ permissions: ["subscribe", "admin"] })],
    ["metadata not an object", () => token({ metadata: "hello" })],
    ["metadata an array", () => token({ metadata: [1, 2] })],
    ["peerMetadata not an object", () => token({ peerMetadata: 7 })],
    ["peerMetadata an array", () => token({ peerMetadata: ["a"] })],
    ["sub with a newline", () => token({ sub: "al\nice" })],
    ["sub with DEL", () => token({ sub: "alice\u007f" })],
    ["sub with non-ASCII", () => token({ sub: "zoë" })],
    ["sub of 129 bytes", () => token({ sub: asciiOfLength(129) })],
    ["metadata of 8193 bytes", () => token({ metadata: big(8193) })],
    [
      "metadata over 8192 UTF-8 bytes but under in characters",
      () => token({ metadata: { a: "é".repeat(4093) } }),
    ],
    ["peerMetadata of 4097 bytes", () => token({ peerMetadata: big(4097) })],
    ["nbf 10 s in the future", () => token({ nbf: nowSec() + 10 })],
  ];
  it.each(rows)("%s → 4001", async (_name, make) => {
    const closed = await ts.refused({ token: await make() });
    expect(closed.code).toBe(4001);
  });

  it("token signed by a revoked secret key → 4001", async () => {
    const key = await ts.createSk();
    const signed = await signToken(key);
    await ts.store.revokeKey(key.id);
    expect((await ts.refused({ token: signed })).code).toBe(4001);
  });

  it("metadata of exactly 8192 bytes is accepted and echoed", async () => {
    const metadata = big(8192);
    expect(Buffer.byteLength(JSON.stringify(metadata))).toBe(8192);
    const c = await ts.connectJwt({ metadata });
    expect(c.welcome?.metadata).toEqual(metadata);
  });

  it("peerMetadata of exactly 4096 bytes is accepted", async () => {
    const peerMetadata = big(4096);
    expect(Buffer.byteLength(JSON.stringify(peerMetadata))).toBe(4096);
    const c = await ts.connectJwt({ peerMetadata });
    expect(c.welcome?.type).toBe("welcome");
  });

  it("a token with both metadata (8192 bytes) and peerMetadata (4096 bytes) at their limits is accepted", async () => {
    // Such a token is ~16.6 KB of base64url: protocol.md caps the claims, not the token, so the
    // server must take a query string this long.
    const metadata = big(8192);
    const c = await ts.connectJwt({ metadata, peerMetadata: big(4096) });
    expect(c.welcome?.metadata).toEqual(metadata);
  });

  it("nbf 3 s in the future is accepted (5 s leeway)", async () => {
    const c = await ts.connectJwt({ nbf: nowSec() + 3 });
    expect(c.welcome?.type).toBe("welcome");
  });
});

describe("expiry (4002)", () => {
  it("exp in the past → 4002", async () => {
    expect((await ts.refused({ token: await signToken(ts.sk, { exp: nowSec() - 60 }) })).code).toBe(4002);
  });

  it("exp equal to now → 4002", async () => {
    expect((await ts.refused({ token: await signToken(ts.sk, { exp: nowSec() }) })).code).toBe(4002);
  });

  it("a live connection is closed with 4002 about 250 ms before exp", async () => {
    const exp = nowSec() + 3; // 2–3 s ahead
    const c = await ts.connectJwt({ exp });
    expect(c.welcome?.expiresAt).toBe(exp);
    await c.quiet();
    const closed = await c.waitClose(6_000);
    expect(closed.code).toBe(4002);
    // "about 250 ms before exp": not long before it, and before it (the 250 ms lead is the slack
    // a loaded machine gets for a late timer).
    expect(closed.at).toBeGreaterThanOrEqual(exp * 1000 - 1000);
    expect(closed.at).toBeLessThanOrEqual(exp * 1000);
  });
});

describe("coverage by the signing key (4003)", () => {
  let scoped: SecretKey;
  beforeAll(async () => {
    scoped = await ts.createSk({ channelPatterns: ["room-*", "org/**"], actions: ["subscribe", "presence"] });
  });
  const connectScoped = (claims: Claims) => signToken(scoped, { permissions: ["subscribe"], ...claims });

  it.each([[["room-*"]], [["room-42"]], [["room-4*"]], [["org/**"]], [["org/team/*", "room-1"]]])(
    "channels %j inside the key's patterns → welcome",
    async (channels) => {
      const c = await ts.connect({ token: await connectScoped({ channels }) });
      expect(c.welcome?.type).toBe("welcome");
    },
  );

  it.each([[["**"]], [["admin"]], [["room-**"]], [["room-1", "admin-1"]], [["*"]], [["org"]]])(
    "channels %j not covered → 4003",
    async (channels) => {
      expect((await ts.refused({ token: await connectScoped({ channels }) })).code).toBe(4003);
    },
  );

  it("permissions within the key's actions → welcome", async () => {
    const c = await ts.connect({
      token: await connectScoped({ channels: ["room-1"], permissions: ["presence"] }),
    });
    expect(c.welcome?.type).toBe("welcome");
  });

  it.each([[["publish"]], [["send"]], [["subscribe", "publish"]]])(
    "permissions %j beyond the key's actions → 4003",
    async (permissions) => {
      expect(
        (await ts.refused({ token: await connectScoped({ channels: ["room-1"], permissions }) })).code,
      ).toBe(4003);
    },
  );
});

describe("order of handshake checks", () => {
  let scoped: SecretKey;
  beforeAll(async () => {
    scoped = await ts.createSk({ channelPatterns: ["room-*"] });
  });

  it("bad signature and expired → 4001 (signature first)", async () => {
    const t = await signToken({ id: ts.sk.id, secret: "sk_secret_wrong" }, { exp: nowSec() - 60 });
    expect((await ts.refused({ token: t })).code).toBe(4001);
  });

  it("bad claim and expired → 4001", async () => {
    const t = await signToken(ts.sk, { exp: nowSec() - 60, permissions: ["fly"] });
    expect((await ts.refused({ token: t })).code).toBe(4001);
  });

  it("expired and nbf in the future → 4002 (exp before nbf)", async () => {
    const t = await signToken(ts.sk, { exp: nowSec() - 60, nbf: nowSec() + 60 });
    expect((await ts.refused({ token: t })).code).toBe(4002);
  });

  it("expired and channels not covered → 4002", async () => {
    const t = await signToken(scoped, { exp: nowSec() - 60, channels: ["**"] });
    expect((await ts.refused({ token: t })).code).toBe(4002);
  });

  it("nbf in the future and channels not covered → 4001", async () => {
    const t = await signToken(scoped, { nbf: nowSec() + 60, channels: ["**"] });
    expect((await ts.refused({ token: t })).code).toBe(4001);
  });

  it("channels not covered and app suspended → 4003", async () => {
    const app = await ts.createApp();
    const key = await ts.createSk({ appId: app.id, channelPatterns: ["room-*"] });
    await ts.store.updateApp(app.id, { suspended: true });
    expect((await ts.refused({ token: await signToken(key, { channels: ["**"] }) })).code).toBe(4003);
  });
});

describe("distinct peers", () => {
  it("sub values are peerIds as given (case-sensitive)", async () => {
    const sub = uniq("Case");
    const a = await ts.connectJwt({ sub });
    const b = await ts.connectJwt({ sub: sub.toLowerCase() });
    expect(a.welcome?.peerId).toBe(sub);
    expect(b.welcome?.peerId).toBe(sub.toLowerCase());
  });
});
