/**
 * protocol.md §1, §2, §11–§13 "credentials" (hardening), against real servers:
 * - failed admin-token attempts count in the per-IP failure limiter of the secret-key routes (429);
 * - a suspended app's secret keys get `403 app_suspended` on every REST endpoint, first of all checks;
 * - connect-token lifetime: `exp − (iat or now)` over `maxTokenTtlSec` → 4001, `iat` > 5 s ahead →
 *   4001; `POST /v1/tokens` mints no longer token;
 * - publishable keys opt in to TURN (admin API `autoInjectTurn`);
 * - a revoked (or deleted) secret is gone from the database files.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, adminClient, errorBody, startAdminServer } from "./admin-helpers.js";
import { eventually, nowSec, peer, signToken, startServer, type TestServer, uniq } from "./helpers.js";
import { rest } from "./rest-client.js";

const TURN = { turnSecret: "credentials-turn-secret", turnUrls: ["turn:127.0.0.1:3478?transport=udp"] };

describe("failed admin tokens share the per-IP failure limiter (restRatePerSec 2: burst 4)", () => {
  it("wrong admin tokens exhaust it: the admin API and the secret-key API both answer 429", async () => {
    const { ts } = await startAdminServer({ restRatePerSec: 2 });
    try {
      const wrong = adminClient(ts.httpUrl, "not-the-admin-token");
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await wrong.get("/apps")).status);
      expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
      expect(statuses.at(-1)).toBe(429);
      // Before any credential is looked at: the right admin token and a valid secret key are refused too.
      const right = await adminClient(ts.httpUrl, ADMIN_TOKEN).get("/apps");
      expect(right).toEqual({ status: 429, body: errorBody("rate_limited") });
      const usage = await rest(ts, "GET", "/v1/usage");
      expect(usage.status).toBe(429);
      expect(usage.body.error).toBe("rate_limited");
    } finally {
      await ts.stop();
    }
  });

  it("wrong secret keys exhaust it for the admin API too", async () => {
    const { ts } = await startAdminServer({ restRatePerSec: 2 });
    try {
      for (let i = 0; i < 6; i++) {
        await rest(ts, "GET", "/v1/usage", { auth: { header: "Bearer sk_id_nope:sk_secret_nope" } });
      }
      expect((await adminClient(ts.httpUrl, ADMIN_TOKEN).get("/apps")).status).toBe(429);
    } finally {
      await ts.stop();
    }
  });
});

describe("suspended apps", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer({ ...TURN }, { pollMs: 50 });
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("every secret-key endpoint answers 403 app_suspended, before any other check", async () => {
    const app = await ts.createApp();
    const sk = await ts.createSk({ appId: app.id });
    // No `presence`: the peers route would otherwise be 403 action_not_permitted.
    const noPresence = await ts.createSk({ appId: app.id, actions: ["publish"] });
    expect((await rest(ts, "POST", "/v1/turn/credentials", { auth: sk })).status).toBe(200);
    await ts.store.updateApp(app.id, { suspended: true });

    const channel = uniq("c");
    const calls: Array<[string, string, Parameters<typeof rest>[3]]> = [
      ["POST", "/v1/tokens", { auth: sk, body: { peerId: "alice" } }],
      ["POST", "/v1/tokens", { auth: sk, body: { peerId: "" } }], // invalid body: still 403
      ["GET", `/v1/channels/${channel}/peers`, { auth: sk }],
      ["GET", `/v1/channels/${channel}/peers`, { auth: noPresence }],
      ["POST", `/v1/channels/${channel}/publish`, { auth: sk, body: { data: 1 } }],
      ["POST", "/v1/channels/_system%2Fx/publish", { auth: sk, body: { data: 1 } }], // reserved: still 403
      ["DELETE", "/v1/peers/alice", { auth: sk }],
      ["GET", "/v1/usage", { auth: sk }],
      ["POST", "/v1/turn/credentials", { auth: sk, body: {} }],
    ];
    await eventually(
      async () => (await rest(ts, "GET", "/v1/usage", { auth: sk })).status === 403 || undefined,
    );
    for (const [method, path, request] of calls) {
      const res = await rest(ts, method, path, request);
      expect({ call: `${method} ${path}`, status: res.status, body: res.body }).toEqual({
        call: `${method} ${path}`,
        status: 403,
        body: errorBody("app_suspended"),
      });
    }
    // The default app is unaffected, and resuming restores the suspended one.
    expect((await rest(ts, "GET", "/v1/usage")).status).toBe(200);
    await ts.store.updateApp(app.id, { suspended: false });
    await eventually(
      async () => (await rest(ts, "GET", "/v1/usage", { auth: sk })).status === 200 || undefined,
    );
  });
});

describe("connect-token lifetime (default maxTokenTtlSec 86,400)", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer();
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("exp − now over a day without iat → 4001; exactly a day connects", async () => {
    const token = await signToken(ts.sk, { exp: nowSec() + 86_400 + 60 });
    expect((await ts.refused({ token })).code).toBe(4001);
    await ts.connectJwt({ exp: nowSec() + 86_400 - 5 });
  });

  it("exp − iat over a day → 4001 even when little of it is left", async () => {
    const now = nowSec();
    const token = await signToken(ts.sk, { iat: now - 86_400, exp: now + 60 });
    expect((await ts.refused({ token })).code).toBe(4001);
    await ts.connectJwt({ iat: now - 600, exp: now + 600 });
  });

  it("iat more than 5 s in the future → 4001; within 5 s connects", async () => {
    const now = nowSec();
    const token = await signToken(ts.sk, { iat: now + 30, exp: now + 600 });
    expect((await ts.refused({ token })).code).toBe(4001);
    await ts.connectJwt({ iat: now + 3, exp: now + 600 });
  });
});

describe("maxTokenTtlSec 600", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer({ maxTokenTtlSec: 600 });
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("the handshake refuses longer tokens with 4001", async () => {
    const token = await signToken(ts.sk, { exp: nowSec() + 700 });
    expect((await ts.refused({ token })).code).toBe(4001);
    await ts.connectJwt({ exp: nowSec() + 590 });
  });

  it("POST /v1/tokens: expiresInSec over it → 400; the default is capped to it; what it mints connects", async () => {
    const over = await rest(ts, "POST", "/v1/tokens", { body: { peerId: "alice", expiresInSec: 601 } });
    expect(over.status).toBe(400);
    expect(over.body.error).toBe("invalid_request");
    const before = nowSec();
    const minted = await rest(ts, "POST", "/v1/tokens", { body: { peerId: "alice" } });
    expect(minted.status).toBe(200);
    expect(minted.body.expiresAt).toBeGreaterThanOrEqual(before + 600);
    expect(minted.body.expiresAt).toBeLessThanOrEqual(nowSec() + 600);
    await ts.connect({ token: minted.body.token });
  });
});

describe("TURN for publishable keys is opt-in", () => {
  it("a pk key made by the admin API gets none by default, and credentials once it opts in", async () => {
    const { ts, admin } = await startAdminServer({ ...TURN });
    try {
      const plain = await admin.ok<{ id: string; autoInjectTurn: boolean }>(
        "POST",
        `/apps/${ts.app.id}/keys`,
        {
          type: "publishable",
        },
      );
      expect(plain.autoInjectTurn).toBe(false);
      expect((await ts.connectPk(plain.id)).welcome?.metadata).toEqual({});
      const opted = await admin.ok<{ id: string; autoInjectTurn: boolean }>(
        "POST",
        `/apps/${ts.app.id}/keys`,
        {
          type: "publishable",
          autoInjectTurn: true,
        },
      );
      expect(opted.autoInjectTurn).toBe(true);
      expect((await ts.connectPk(opted.id)).welcome?.metadata).toHaveProperty("iceServers");
      // Secret keys keep TURN by default.
      const sk = await admin.ok<{ autoInjectTurn: boolean }>("POST", `/apps/${ts.app.id}/keys`, {
        type: "secret",
      });
      expect(sk.autoInjectTurn).toBe(true);
    } finally {
      await ts.stop();
    }
  });
});

describe("a revoked secret is gone from the database files", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer();
  });
  afterAll(async () => {
    await ts?.stop();
  });

  /** Every file of the data dir (`switchboard.db`, `-wal`, `-shm`), concatenated. */
  const dataDirBytes = async (): Promise<Buffer> => {
    const names = await readdir(ts.dataDir);
    return Buffer.concat(await Promise.all(names.map((name) => readFile(join(ts.dataDir, name)))));
  };

  it("after revoke (and after delete), no file holds the secret's bytes", async () => {
    const revoked = await ts.createSk();
    const deleted = await ts.createSk();
    // Used once, so it went through the server's caches too.
    await ts.connectJwt({ sub: peer("user") }, revoked);
    const before = await dataDirBytes();
    expect(before.includes(revoked.secret), "the live secret is stored").toBe(true);
    expect(before.includes(deleted.secret), "the live secret is stored").toBe(true);

    await ts.store.revokeKey(revoked.id);
    await ts.store.deleteKey(deleted.id);
    const after = await dataDirBytes();
    expect(after.includes(revoked.secret), "revoked secret still in the files").toBe(false);
    expect(after.includes(deleted.secret), "deleted secret still in the files").toBe(false);
    // Other secrets are untouched.
    expect(await ts.store.getSigningSecret(ts.sk.id)).toBe(ts.sk.secret);
  });
});
