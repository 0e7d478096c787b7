/**
 * protocol.md §11 REST credentials: `Bearer sk_id_…:sk_secret_…` only; every bad-credential case
 * gets the byte-identical 401 body; publishable keys and the admin token are refused by every
 * route; per-key and per-IP (failed attempts) rate limits → 429; unknown routes → 404; the OpenAPI
 * document is public and lists every route.
 */
import { createHash } from "node:crypto";
import { ADMIN_TOKEN_SETTING } from "@switchboard/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startServer, type TestServer } from "./helpers.js";
import { type RestRequest, rest } from "./rest-client.js";

/** One request per secret-key route, each valid once authenticated. */
const ROUTES: Array<[method: string, path: string, body?: unknown]> = [
  ["POST", "/v1/tokens", { peerId: "alice" }],
  ["GET", "/v1/channels/lobby/peers"],
  ["POST", "/v1/channels/lobby/publish", { data: 1 }],
  ["DELETE", "/v1/peers/alice"],
  ["GET", "/v1/usage"],
  ["POST", "/v1/turn/credentials", {}],
];

const call = (ts: TestServer, [method, path, body]: (typeof ROUTES)[number], request: RestRequest = {}) =>
  rest(ts, method, path, body === undefined ? request : { body, ...request });

describe("secret-key credentials", () => {
  let ts: TestServer;
  const adminToken = "admin-token-for-rest-tests";
  beforeAll(async () => {
    ts = await startServer({
      turnSecret: "turn-secret",
      turnUrls: ["turn:turn.example.com:3478"],
    });
    await ts.store.setSetting(ADMIN_TOKEN_SETTING, createHash("sha256").update(adminToken).digest("hex"));
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("a valid secret key passes every route", async () => {
    for (const route of ROUTES) {
      const response = await call(ts, route);
      expect(response.status, `${route[0]} ${route[1]}: ${response.text}`).toBe(200);
    }
  });

  it("every bad credential gets the same 401 body, byte for byte", async () => {
    const { sk, pk } = ts;
    const headers = [
      undefined,
      "",
      "Basic dXNlcjpwYXNz",
      "Bearer",
      "Bearer ",
      `Bearer ${sk.id}`,
      `Bearer ${sk.id}:`,
      `Bearer ${sk.id}:sk_secret_wrong`,
      `Bearer ${sk.id}:${sk.secret}x`,
      `Bearer ${sk.id}:${sk.secret.slice(0, -1)}`,
      `Bearer ${sk.id}x:${sk.secret}`,
      `Bearer sk_id_unknownunknownunknown1:${sk.secret}`,
      `Bearer ${sk.secret}`,
      `Bearer ${sk.secret}:${sk.id}`,
      `Bearer ${pk}`,
      `Bearer ${pk}:${sk.secret}`,
      `Bearer ${adminToken}`,
      `Bearer ${sk.id}:${sk.secret} extra`,
      `Bearer ${sk.id}:${"s".repeat(4000)}`,
      `Token ${sk.id}:${sk.secret}`,
    ];
    const texts = new Set<string>();
    for (const header of headers) {
      const auth = header === undefined ? null : { header };
      const response = await rest(ts, "GET", "/v1/usage", { auth });
      expect(response.status, `header ${JSON.stringify(header)}`).toBe(401);
      texts.add(response.text);
    }
    expect(texts.size, [...texts].join("\n")).toBe(1);
    expect(JSON.parse([...texts][0] as string)).toEqual({
      error: "unauthorized",
      message: expect.any(String),
    });
  });

  it("publishable keys and the admin token are refused by every route with the same 401", async () => {
    const reference = await rest(ts, "GET", "/v1/usage", { auth: null });
    expect(reference.status).toBe(401);
    for (const header of [`Bearer ${ts.pk}`, `Bearer ${adminToken}`]) {
      for (const route of ROUTES) {
        const response = await call(ts, route, { auth: { header } });
        expect(response.status, `${route[0]} ${route[1]}`).toBe(401);
        expect(response.text).toBe(reference.text);
      }
    }
  });

  it("credentials are checked before the body: a bad body without credentials is 401", async () => {
    const response = await rest(ts, "POST", "/v1/tokens", { auth: null, raw: "{not json" });
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: "unauthorized", message: expect.any(String) });
  });

  it("a revoked key is refused", async () => {
    const key = await ts.createSk();
    expect((await rest(ts, "GET", "/v1/usage", { auth: key })).status).toBe(200);
    await ts.store.revokeKey(key.id);
    const refused = await eventually(async () => {
      const response = await rest(ts, "GET", "/v1/usage", { auth: key });
      return response.status === 401 ? response : undefined;
    }, 5_000);
    expect(refused.body).toEqual({ error: "unauthorized", message: expect.any(String) });
  });

  it("a key works only for its own app", async () => {
    const other = await ts.createApp();
    const { key, secret } = await ts.store.createKey({ appId: other.id, type: "secret" });
    const response = await rest(ts, "GET", "/v1/usage", { auth: { id: key.id, secret: secret as string } });
    expect(response.status).toBe(200);
    expect(response.body.appId).toBe(other.id);
    expect((await rest(ts, "GET", "/v1/usage")).body.appId).toBe(ts.app.id);
  });

  it("unknown routes and methods are 404 not_found", async () => {
    for (const [method, path] of [
      ["GET", "/v1/nope"],
      ["GET", "/v1/tokens"],
      ["PUT", "/v1/usage"],
      ["GET", "/v1/channels/lobby"],
    ] as const) {
      const response = await rest(ts, method, path);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body).toEqual({ error: "not_found", message: expect.any(String) });
    }
  });
});

describe("rate limits (restRatePerSec 1: burst 2)", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer({ restRatePerSec: 1 });
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("a key over its bucket gets 429 rate_limited; another key is unaffected", async () => {
    const key = await ts.createSk();
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof rest>> | undefined;
    for (let i = 0; i < 10; i++) {
      const response = await rest(ts, "GET", "/v1/usage", { auth: key });
      statuses.push(response.status);
      if (response.status === 429) limited = response;
    }
    // The bucket starts full (burst 2), so the first two always pass.
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(limited?.body).toEqual({ error: "rate_limited", message: expect.any(String) });
    expect(limited?.headers.get("retry-after")).toBe("1");
    expect((await rest(ts, "GET", "/v1/usage", { auth: await ts.createSk() })).status).toBe(200);
  });

  it("repeated failed attempts from one IP are refused with 429 before credentials are checked", async () => {
    const bad = { header: `Bearer ${ts.sk.id}:sk_secret_guess` };
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await rest(ts, "GET", "/v1/usage", { auth: bad })).status);
    expect(statuses.slice(0, 2)).toEqual([401, 401]);
    expect(statuses).toContain(429);
    // While the address is blocked even a right secret is refused, so guesses cannot be confirmed.
    const fresh = await ts.createSk();
    const blocked = await rest(ts, "GET", "/v1/usage", { auth: fresh });
    if (blocked.status !== 200) {
      expect(blocked.status).toBe(429);
      expect(blocked.body).toEqual({ error: "rate_limited", message: expect.any(String) });
    }
    // The bucket refills: valid requests pass again.
    await eventually(async () => {
      const response = await rest(ts, "GET", "/v1/usage", { auth: fresh });
      return response.status === 200 ? true : undefined;
    }, 10_000);
  });
});

describe("OpenAPI document", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer();
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("is served without credentials and lists every REST route with its schemas", async () => {
    const response = await rest(ts, "GET", "/v1/openapi.json", { auth: null });
    expect(response.status).toBe(200);
    const doc = response.body;
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes.secretKey).toMatchObject({ type: "http", scheme: "bearer" });
    const expected: Array<[string, string]> = [
      ["post", "/v1/tokens"],
      ["get", "/v1/channels/{channel}/peers"],
      ["post", "/v1/channels/{channel}/publish"],
      ["delete", "/v1/peers/{peerId}"],
      ["get", "/v1/usage"],
      ["post", "/v1/turn/credentials"],
    ];
    for (const [method, path] of expected) {
      const operation = doc.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(operation.security).toEqual([{ secretKey: [] }]);
      expect(Object.keys(operation.responses)).toEqual(
        expect.arrayContaining(["200", "400", "401", "403", "429"]),
      );
      if (method === "post") {
        const schema = operation.requestBody.content["application/json"].schema;
        expect(schema, `${path} body`).toMatchObject({ type: "object", additionalProperties: false });
      }
    }
    expect(doc.paths["/v1/tokens"].post.requestBody.content["application/json"].schema.required).toEqual([
      "peerId",
    ]);
    const peers = doc.paths["/v1/channels/{channel}/peers"].get;
    expect(peers.parameters).toEqual([
      expect.objectContaining({ in: "path", name: "channel", required: true }),
    ]);
    expect(doc.paths["/v1/openapi.json"]?.get).toBeDefined();
  });
});
