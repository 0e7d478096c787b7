/**
 * TURN injection into `welcome.metadata.iceServers` (protocol.md §4, §12) over real sockets.
 * Credentials are checked against the coturn convention computed here independently.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, nowSec, startServer, type TestServer } from "./helpers.js";

const SECRET = "turn-inject-secret";
const STUN = "stun:127.0.0.1:3478";
const TURN = "turn:127.0.0.1:3478?transport=udp";
const TTL = 7_200;

interface Credentialed {
  urls: string[];
  username: string;
  credential: string;
}

/** Asserts the injected shape and the HMAC; returns the username's expiry and user parts. */
function checkInjected(iceServers: unknown): { expiry: number; user: string } {
  expect(iceServers).toEqual([
    { urls: [STUN] },
    { urls: [TURN], username: expect.any(String), credential: expect.any(String) },
  ]);
  const relay = (iceServers as [unknown, Credentialed])[1];
  expect(relay.credential).toBe(createHmac("sha1", SECRET).update(relay.username).digest("base64"));
  const match = /^(\d+):(.+)$/.exec(relay.username);
  if (!match) throw new Error(`username not "<expiry>:<user>": ${relay.username}`);
  return { expiry: Number(match[1]), user: match[2] as string };
}

/** `welcome.metadata` of a connected client. */
function metadataOf(client: Client): Record<string, unknown> {
  const metadata = client.welcome?.metadata;
  if (typeof metadata !== "object" || metadata === null) throw new Error("no welcome metadata");
  return metadata as Record<string, unknown>;
}

describe("TURN credentials in welcome", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer({ turnSecret: SECRET, turnUrls: [STUN, TURN], turnTtlSec: TTL });
  });
  afterAll(() => ts.stop());

  it("a JWT without iceServers gets credentials for its sub, expiring with the token", async () => {
    const exp = nowSec() + 600;
    const c = await ts.connectJwt({ sub: "alice", exp });
    const metadata = metadataOf(c);
    expect(Object.keys(metadata)).toEqual(["iceServers"]);
    expect(checkInjected(metadata.iceServers)).toEqual({ expiry: exp, user: "alice" });
    await c.close();
  });

  it("keeps the rest of the JWT metadata", async () => {
    const exp = nowSec() + 60;
    const c = await ts.connectJwt({ sub: "bob", exp, metadata: { room: "r1", n: [1, { x: true }] } });
    const { iceServers, ...rest } = metadataOf(c);
    expect(rest).toEqual({ room: "r1", n: [1, { x: true }] });
    expect(checkInjected(iceServers)).toEqual({ expiry: exp, user: "bob" });
    await c.close();
  });

  it("caps the lifetime at turnTtlSec for long-lived tokens", async () => {
    const before = nowSec();
    const c = await ts.connectJwt({ sub: "carol", exp: before + 86_400 });
    const { expiry } = checkInjected(metadataOf(c).iceServers);
    expect(expiry).toBeGreaterThanOrEqual(before + TTL);
    expect(expiry).toBeLessThanOrEqual(nowSec() + TTL);
    await c.close();
  });

  it("a JWT's own iceServers win and pass through untouched", async () => {
    const own = [{ urls: "turn:elsewhere.example:3478", username: "u", credential: "c" }];
    const c = await ts.connectJwt({ metadata: { iceServers: own, room: "r2" } });
    expect(c.welcome?.metadata).toEqual({ iceServers: own, room: "r2" });
    await c.close();
  });

  it("publishable keys get no TURN unless they opt in (hardening: off by default)", async () => {
    const c = await ts.connectPk(await ts.createPk());
    expect(c.welcome?.metadata).toEqual({});
    await c.close();
  });

  it("a publishable key that opted in gets at most the publishable TTL (default 3,600 s), for its generated peerId", async () => {
    const before = nowSec();
    const c = await ts.connectPk(await ts.createPk({ autoInjectTurn: true }));
    const welcome = c.welcome as unknown as { peerId: string; metadata: Record<string, unknown> };
    const { expiry, user } = checkInjected(welcome.metadata.iceServers);
    expect(user).toBe(welcome.peerId);
    expect(expiry).toBeGreaterThanOrEqual(before + 3_600);
    expect(expiry).toBeLessThanOrEqual(nowSec() + 3_600);
    await c.close();
  });

  it("keys with autoInjectTurn off get none", async () => {
    const sk = await ts.createSk({ autoInjectTurn: false });
    const jwt = await ts.connectJwt({ metadata: { room: "r3" } }, sk);
    expect(jwt.welcome?.metadata).toEqual({ room: "r3" });
    const pk = await ts.connectPk(await ts.createPk({ autoInjectTurn: false }));
    expect(pk.welcome?.metadata).toEqual({});
    await Promise.all([jwt.close(), pk.close()]);
  });
});

describe("turnTtlPublishableSec", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer({
      turnSecret: SECRET,
      turnUrls: [STUN, TURN],
      turnTtlSec: TTL,
      turnTtlPublishableSec: 120,
    });
  });
  afterAll(() => ts.stop());

  it("bounds an opted-in publishable key's credentials; tokens still get up to turnTtlSec", async () => {
    const before = nowSec();
    const pk = await ts.connectPk(await ts.createPk({ autoInjectTurn: true }));
    const { expiry } = checkInjected(metadataOf(pk).iceServers);
    expect(expiry).toBeGreaterThanOrEqual(before + 120);
    expect(expiry).toBeLessThanOrEqual(nowSec() + 120);
    const exp = nowSec() + 3_000;
    const jwt = await ts.connectJwt({ sub: "dora", exp });
    expect(checkInjected(metadataOf(jwt).iceServers)).toEqual({ expiry: exp, user: "dora" });
    await Promise.all([pk.close(), jwt.close()]);
  });
});

describe("without TURN configured", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer();
  });
  afterAll(() => ts.stop());

  it("welcome.metadata is the JWT metadata, or {}", async () => {
    const jwt = await ts.connectJwt({ metadata: { room: "r4" } });
    expect(jwt.welcome?.metadata).toEqual({ room: "r4" });
    const pk = await ts.connectPk();
    expect(pk.welcome?.metadata).toEqual({});
    await Promise.all([jwt.close(), pk.close()]);
  });
});
