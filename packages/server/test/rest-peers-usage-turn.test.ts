/**
 * protocol.md §11 `DELETE /v1/peers/:peerId` (every socket of the peer closes with 4020),
 * `GET /v1/usage` (live connections, peak, messages, plan), and §11/§12
 * `POST /v1/turn/credentials` (coturn `use-auth-secret` credentials, TTL capped by config).
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  asciiOfLength,
  eventually,
  nowSec,
  peer,
  type SecretKey,
  startServer,
  type TestServer,
  UUID_RE,
  uniq,
} from "./helpers.js";
import { enc, type RestResponse, rest } from "./rest-client.js";

function expectError(response: RestResponse, status: number, error: string): void {
  expect(response.status, response.text).toBe(status);
  expect(response.body).toEqual({ error, message: expect.any(String) });
}

const kick = (ts: TestServer, peerId: string, auth?: SecretKey) =>
  rest(ts, "DELETE", `/v1/peers/${enc(peerId)}`, auth ? { auth } : {});

async function secretKeyOf(ts: TestServer, appId: string): Promise<SecretKey> {
  const { key, secret } = await ts.store.createKey({ appId, type: "secret" });
  return { id: key.id, secret: secret as string };
}

describe("DELETE /v1/peers/:peerId", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer();
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("closes every socket of the peer with 4020 and reports how many", async () => {
    const alice = peer("alice");
    const a1 = await ts.connectJwt({ sub: alice });
    const a2 = await ts.connectJwt({ sub: alice });
    const bob = await ts.connectJwt({ sub: peer("bob") });

    const response = await kick(ts, alice);
    expect(response.status, response.text).toBe(200);
    expect(response.body).toEqual({ peerId: alice, closed: 2 });
    for (const socket of [a1, a2]) expect((await socket.waitCloseFrame()).code).toBe(4020);
    await bob.quiet();

    // Once the sockets are gone, kicking again closes nothing, which is still a success.
    const again = await eventually(async () => {
      const r = await kick(ts, alice);
      return r.body.closed === 0 ? r : undefined;
    });
    expect(again).toMatchObject({ status: 200, body: { peerId: alice, closed: 0 } });
  });

  it("a peer that never connected: closed 0 (also with an empty JSON body)", async () => {
    expect((await kick(ts, "nobody")).body).toEqual({ peerId: "nobody", closed: 0 });
    const withType = await rest(ts, "DELETE", "/v1/peers/nobody", { raw: "" });
    expect(withType.body).toEqual({ peerId: "nobody", closed: 0 });
  });

  it("accepts a 128-character URL-encoded peerId", async () => {
    const peerId = asciiOfLength(128, "a b/c?d#e%f&g+h~");
    const client = await ts.connectJwt({ sub: peerId });
    const response = await kick(ts, peerId);
    expect(response.body).toEqual({ peerId, closed: 1 });
    expect((await client.waitCloseFrame()).code).toBe(4020);
  });

  it("only reaches the key's own app", async () => {
    const other = await ts.createApp();
    const otherKey = await secretKeyOf(ts, other.id);
    const peerId = peer("tenant");
    const client = await ts.connectJwt({ sub: peerId });
    expect((await kick(ts, peerId, otherKey)).body).toEqual({ peerId, closed: 0 });
    await client.quiet();
  });

  it("an invalid peerId → 400 invalid_request", async () => {
    for (const peerId of [asciiOfLength(129), "é", "a\nb", "\u007f"]) {
      expectError(await kick(ts, peerId), 400, "invalid_request");
    }
  });
});

describe("GET /v1/usage", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer();
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("reports the current period, live and peak connections, messages and the plan", async () => {
    const app = await ts.createApp({
      name: "pro",
      maxConcurrentConnections: 10,
      maxMessagesPerPeriod: 1000,
      periodSec: 3600,
    });
    const sk = await secretKeyOf(ts, app.id);
    const fresh = await rest(ts, "GET", "/v1/usage", { auth: sk });
    expect(fresh.status, fresh.text).toBe(200);
    expect(fresh.body).toEqual({
      appId: app.id,
      periodStartUnix: app.createdAt,
      periodEndUnix: app.createdAt + 3600,
      concurrentNow: 0,
      peakConcurrent: 0,
      messagesUsed: 0,
      plan: { name: "pro", maxConcurrentConnections: 10, maxMessagesPerPeriod: 1000 },
    });

    const channel = uniq("usage");
    const a = await ts.connectJwt({}, sk);
    const b = await ts.connectJwt({}, sk);
    await a.subscribe(channel);
    await a.publish(channel, "ws");
    expect(
      (await rest(ts, "POST", `/v1/channels/${channel}/publish`, { auth: sk, body: { data: 1 } })).status,
    ).toBe(200);
    const busy = await rest(ts, "GET", "/v1/usage", { auth: sk });
    expect(busy.body).toMatchObject({ concurrentNow: 2, peakConcurrent: 2, messagesUsed: 2 });

    await b.close();
    const after = await eventually(async () => {
      const { body } = await rest(ts, "GET", "/v1/usage", { auth: sk });
      return body.concurrentNow === 1 ? body : undefined;
    });
    expect(after).toMatchObject({ concurrentNow: 1, peakConcurrent: 2, messagesUsed: 2 });
  });

  it("an unlimited plan reports null limits, and usage is per app", async () => {
    const app = await ts.createApp();
    const usage = await rest(ts, "GET", "/v1/usage", { auth: await secretKeyOf(ts, app.id) });
    expect(usage.body).toMatchObject({
      appId: app.id,
      concurrentNow: 0,
      messagesUsed: 0,
      plan: { name: app.plan.name, maxConcurrentConnections: null, maxMessagesPerPeriod: null },
    });
    expect(usage.body.periodEndUnix - usage.body.periodStartUnix).toBe(app.plan.periodSec);
    expect(usage.body.periodStartUnix).toBeLessThanOrEqual(nowSec());
    expect(usage.body.periodEndUnix).toBeGreaterThan(nowSec());
  });
});

describe("POST /v1/turn/credentials", () => {
  const secret = "turn-shared-secret";
  const stun = "stun:stun.example.com:3478";
  const relay = "turn:turn.example.com:3478?transport=udp";
  let ts: TestServer;
  let plain: TestServer;
  beforeAll(async () => {
    ts = await startServer({ turnSecret: secret, turnUrls: [stun, relay], turnTtlSec: 600 });
    plain = await startServer();
  });
  afterAll(async () => {
    await ts?.stop();
    await plain?.stop();
  });

  const credentials = (body?: unknown) =>
    rest(ts, "POST", "/v1/turn/credentials", body === undefined ? {} : { body });

  it("mints coturn use-auth-secret credentials for the peerId and TTL asked for", async () => {
    const before = nowSec();
    const response = await credentials({ peerId: "alice", ttlSec: 60 });
    expect(response.status, response.text).toBe(200);
    const { iceServers, expiresAt } = response.body;
    expect(expiresAt).toBeGreaterThanOrEqual(before + 60);
    expect(expiresAt).toBeLessThanOrEqual(nowSec() + 60);
    const username = `${expiresAt}:alice`;
    expect(iceServers).toEqual([
      { urls: [stun] },
      { urls: [relay], username, credential: createHmac("sha1", secret).update(username).digest("base64") },
    ]);
  });

  it("defaults: a random UUID peerId and the configured TTL; the body may be left out", async () => {
    const emptyJson = await rest(ts, "POST", "/v1/turn/credentials", { raw: "" });
    for (const response of [await credentials({}), await credentials(), emptyJson]) {
      expect(response.status, response.text).toBe(200);
      const [expiry, peerId] = (response.body.iceServers[1].username as string).split(":");
      expect(peerId).toMatch(UUID_RE);
      expect(Number(expiry)).toBe(response.body.expiresAt);
      expect(response.body.expiresAt - nowSec()).toBeGreaterThan(540);
      expect(response.body.expiresAt - nowSec()).toBeLessThanOrEqual(600);
    }
  });

  it("a ttlSec over the configured TTL is capped at it", async () => {
    const { body } = await credentials({ ttlSec: 1_000_000 });
    expect(body.expiresAt).toBeLessThanOrEqual(nowSec() + 600);
  });

  it("invalid bodies → 400 invalid_request", async () => {
    for (const body of [
      { ttlSec: 0 },
      { ttlSec: -5 },
      { ttlSec: 1.5 },
      { ttlSec: "60" },
      { peerId: "" },
      { peerId: "é" },
      { peerId: asciiOfLength(129) },
      { urls: ["turn:evil"] },
      [],
    ]) {
      expectError(await credentials(body), 400, "invalid_request");
    }
  });

  it("without a TURN secret configured → 400 turn_not_configured", async () => {
    expectError(await rest(plain, "POST", "/v1/turn/credentials", { body: {} }), 400, "turn_not_configured");
  });
});
