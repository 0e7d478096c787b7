import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AdminClient, errorBody, startAdminServer } from "./admin-helpers.js";
import { openStoreHandle, signToken, type TestServer } from "./helpers.js";

interface KeyJson {
  id: string;
  secret?: string;
  type: string;
  appId: string;
  channelPatterns: string[];
  actions: string[];
  allowedOrigins: string[];
  autoInjectTurn: boolean;
  revoked: boolean;
  createdAt: number;
  revokedAt: number | null;
}

describe("admin API: keys", () => {
  let ts: TestServer;
  let admin: AdminClient;
  let appId: string;
  beforeEach(async () => {
    ({ ts, admin } = await startAdminServer());
    appId = ts.app.id;
  });
  afterEach(async () => {
    await ts.stop();
  });

  it("creates keys with the protocol defaults; a secret key's secret is in the create response only", async () => {
    const pk = await admin.ok<KeyJson>("POST", `/apps/${appId}/keys`, { type: "publishable" });
    expect(pk).toEqual({
      id: expect.stringMatching(/^pk_live_[0-9A-Za-z]{24}$/),
      type: "publishable",
      appId,
      channelPatterns: ["**"],
      actions: ["subscribe", "publish", "presence"],
      allowedOrigins: [],
      autoInjectTurn: false, // publishable keys opt in to TURN (hardening)
      revoked: false,
      createdAt: expect.any(Number),
      revokedAt: null,
    });
    const sk = await admin.ok<KeyJson>("POST", `/apps/${appId}/keys`, {
      type: "secret",
      channelPatterns: ["room-*"],
      autoInjectTurn: false,
    });
    expect(sk.secret).toMatch(/^sk_secret_[0-9A-Za-z_-]{43}$/);
    expect(sk).toMatchObject({
      actions: ["subscribe", "publish", "presence", "send"],
      channelPatterns: ["room-*"],
    });
    const secret = sk.secret as string;
    const seen = [
      await admin.get(`/keys/${sk.id}`),
      await admin.get(`/apps/${appId}/keys`),
      await admin.patch(`/keys/${sk.id}`, { actions: ["publish"] }),
      await admin.post(`/keys/${sk.id}/revoke`),
    ];
    for (const answer of seen) {
      expect(answer.status).toBe(200);
      expect(JSON.stringify(answer.body)).not.toContain(secret);
      for (const key of [answer.body].flat()) expect(key).not.toHaveProperty("secret");
    }
    const listed = (await admin.ok<KeyJson[]>("GET", `/apps/${appId}/keys`)).map((k) => k.id);
    expect(listed).toEqual([ts.sk.id, ts.pk, pk.id, sk.id]);
  });

  it("a key made through the API works at once, and one made by the CLI is listed", async () => {
    const sk = await admin.ok<KeyJson>("POST", `/apps/${appId}/keys`, { type: "secret" });
    const client = await ts.connectJwt({}, { id: sk.id, secret: sk.secret as string });
    expect(client.welcome).toMatchObject({ type: "welcome" });
    const other = await openStoreHandle(ts.dataDir);
    try {
      const { key } = await other.createKey({ type: "publishable", appId });
      expect(await admin.ok("GET", `/keys/${key.id}`)).toEqual(key);
    } finally {
      await other.close();
    }
  });

  it("updates patterns, actions, origins and TURN; new connections get the new scope", async () => {
    const pk = await admin.ok<KeyJson>("POST", `/apps/${appId}/keys`, {
      type: "publishable",
      actions: ["subscribe"],
    });
    const before = await ts.connectPk(pk.id);
    await before.fails({ type: "publish", channel: "c", data: 1 }, "action_not_permitted");
    const updated = await admin.ok<KeyJson>("PATCH", `/keys/${pk.id}`, {
      actions: ["publish", "subscribe"],
      channelPatterns: ["c", "d"],
      allowedOrigins: ["https://app.example"],
      autoInjectTurn: true,
    });
    expect(updated).toEqual({
      ...pk,
      actions: ["subscribe", "publish"],
      channelPatterns: ["c", "d"],
      allowedOrigins: ["https://app.example"],
      autoInjectTurn: true,
    });
    expect(await ts.store.getKey(pk.id)).toEqual(updated);
    // The connection admitted before the update keeps its scope; a new one has the new scope.
    await before.fails({ type: "publish", channel: "c", data: 1 }, "action_not_permitted");
    expect((await ts.refused({ key: pk.id })).code).toBe(4001); // no Origin header now
    const after = await ts.connectPk(pk.id, { origin: "https://app.example" });
    await after.ok({ type: "publish", channel: "c", data: 1 });
    await after.fails({ type: "publish", channel: "e", data: 1 }, "channel_not_authorized");
  });

  it("refuses bad key input (400), unknown keys (404), revoked keys' updates and the key limit (409)", async () => {
    const bad: unknown[] = [
      {},
      { type: "root" },
      { type: "publishable", channelPatterns: [] },
      { type: "publishable", channelPatterns: ["a\u0001"] },
      { type: "publishable", actions: ["admin"] },
      { type: "publishable", actions: [] },
      { type: "publishable", allowedOrigins: ["https://app.example/"] },
      { type: "secret", allowedOrigins: ["https://app.example"] },
      { type: "publishable", autoInjectTurn: "yes" },
      { type: "publishable", extra: 1 },
    ];
    for (const body of bad) {
      expect(await admin.post(`/apps/${appId}/keys`, body), JSON.stringify(body)).toEqual({
        status: 400,
        body: errorBody("invalid_request"),
      });
    }
    expect(await admin.patch(`/keys/${ts.pk}`, { type: "secret" })).toMatchObject({ status: 400 });
    for (const [method, path, body] of [
      ["GET", "/keys/pk_live_nope", undefined],
      ["PATCH", "/keys/pk_live_nope", { autoInjectTurn: false }],
      ["POST", "/keys/pk_live_nope/revoke", undefined],
      ["DELETE", "/keys/pk_live_nope", undefined],
    ] as const) {
      expect(await admin.request(method, path, body)).toEqual({ status: 404, body: errorBody("not_found") });
    }
    await admin.ok("POST", `/keys/${ts.pk}/revoke`);
    expect(await admin.patch(`/keys/${ts.pk}`, { autoInjectTurn: false })).toEqual({
      status: 409,
      body: errorBody("conflict"),
    });
    const other = await admin.ok<{ id: string }>("POST", "/apps", { name: "full" });
    for (let i = 0; i < 50; i++) await admin.ok("POST", `/apps/${other.id}/keys`, { type: "publishable" });
    expect(await admin.post(`/apps/${other.id}/keys`, { type: "secret" })).toEqual({
      status: 409,
      body: errorBody("conflict"),
    });
  });

  it("revoke and delete close the key's live connections with 4001 and refuse new ones", async () => {
    const sk = await admin.ok<KeyJson>("POST", `/apps/${appId}/keys`, { type: "secret" });
    const secretKey = { id: sk.id, secret: sk.secret as string };
    const jwtClient = await ts.connectJwt({}, secretKey);
    const pkClient = await ts.connectPk();
    const bystander = await ts.connectJwt();

    const revoked = await admin.ok<KeyJson>("POST", `/keys/${sk.id}/revoke`);
    expect(revoked).toMatchObject({ id: sk.id, revoked: true, revokedAt: expect.any(Number) });
    expect(await admin.ok("POST", `/keys/${sk.id}/revoke`)).toEqual(revoked);
    expect((await jwtClient.waitCloseFrame(2_000)).code).toBe(4001);
    expect((await ts.refused({ token: await signToken(secretKey) })).code).toBe(4001);

    expect(await admin.ok("DELETE", `/keys/${ts.pk}`)).toEqual({ id: ts.pk, deleted: true });
    expect((await pkClient.waitCloseFrame(2_000)).code).toBe(4001);
    expect((await ts.refused({ key: ts.pk })).code).toBe(4001);
    expect((await admin.get(`/keys/${ts.pk}`)).status).toBe(404);
    expect(await ts.store.getKey(ts.pk)).toBeUndefined();
    await bystander.quiet();
  });
});
