import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AdminClient, adminClient, errorBody, startAdminServer } from "./admin-helpers.js";
import { openStoreHandle, type TestServer } from "./helpers.js";

interface AppJson {
  id: string;
  name: string;
  suspended: boolean;
  plan: {
    name: string;
    maxConcurrentConnections: number | null;
    maxMessagesPerPeriod: number | null;
    periodSec: number;
  };
  createdAt: number;
  usage?: Record<string, number>;
}

describe("admin API: apps", () => {
  let ts: TestServer;
  let admin: AdminClient;
  beforeEach(async () => {
    ({ ts, admin } = await startAdminServer());
  });
  afterEach(async () => {
    await ts.stop();
  });

  it("every route refuses a missing or wrong admin token with the one 401 body", async () => {
    const body = { error: "unauthorized", message: "missing or invalid credentials" };
    const anonymous = adminClient(ts.httpUrl, null);
    const wrong = adminClient(ts.httpUrl, "not-the-token");
    const secretKey = adminClient(ts.httpUrl, `${ts.sk.id}:${ts.sk.secret}`);
    for (const client of [anonymous, wrong, secretKey]) {
      for (const [method, path] of [
        ["GET", "/apps"],
        ["POST", "/apps"],
        ["GET", `/apps/${ts.app.id}`],
        ["DELETE", `/apps/${ts.app.id}`],
        ["GET", "/stats"],
        ["GET", `/keys/${ts.pk}`],
      ] as const) {
        const answer = await client.request(method, path, method === "POST" ? { name: "x" } : undefined);
        expect(answer, `${method} ${path}`).toEqual({ status: 401, body });
      }
    }
    expect((await admin.get("/apps")).status).toBe(200);
  });

  it("creates, lists, gets (with usage) and renames apps; plans default to unlimited", async () => {
    const created = await admin.ok<AppJson>("POST", "/apps", {
      name: "Acme",
      plan: { maxConcurrentConnections: 5 },
    });
    expect(created).toEqual({
      id: expect.stringMatching(/^app_[0-9A-Za-z]{16}$/),
      name: "Acme",
      suspended: false,
      plan: {
        name: "default",
        maxConcurrentConnections: 5,
        maxMessagesPerPeriod: null,
        periodSec: 2_592_000,
      },
      createdAt: expect.any(Number),
    });
    const list = await admin.ok<AppJson[]>("GET", "/apps");
    expect(list.map((a) => a.name)).toEqual(["default", "Acme"]);
    const got = await admin.ok<AppJson>("GET", `/apps/${created.id}`);
    expect(got).toEqual({
      ...created,
      usage: {
        periodStartUnix: created.createdAt,
        periodEndUnix: created.createdAt + 2_592_000,
        concurrentNow: 0,
        peakConcurrent: 0,
        messagesUsed: 0,
      },
    });
    const patched = await admin.ok<AppJson>("PATCH", `/apps/${created.id}`, {
      name: "Acme 2",
      plan: { name: "pro", maxConcurrentConnections: null, maxMessagesPerPeriod: 1000, periodSec: 3600 },
    });
    expect(patched).toEqual({
      ...created,
      name: "Acme 2",
      plan: { name: "pro", maxConcurrentConnections: null, maxMessagesPerPeriod: 1000, periodSec: 3600 },
    });
    expect(await admin.ok("PATCH", `/apps/${created.id}`, {})).toEqual(patched);
    expect(await ts.store.getApp(created.id)).toEqual(patched);
  });

  it("refuses malformed bodies with 400 invalid_request, unknown fields included", async () => {
    const bad: unknown[] = [
      {},
      { name: "" },
      { name: 5 },
      { name: "   " },
      { name: "x".repeat(129) },
      { name: "a", extra: true },
      { name: "a", plan: { maxConnections: 5 } },
      { name: "a", plan: { maxConcurrentConnections: 0 } },
      { name: "a", plan: { maxMessagesPerPeriod: "10" } },
      { name: "a", plan: { periodSec: null } },
      { name: "a", plan: { name: "" } },
    ];
    for (const body of bad) {
      expect(await admin.post("/apps", body), JSON.stringify(body)).toEqual({
        status: 400,
        body: errorBody("invalid_request"),
      });
    }
    expect(await admin.post("/apps", "{not json")).toMatchObject({
      status: 400,
      body: { error: "invalid_request" },
    });
    expect(await admin.post("/apps", { name: "x".repeat(33 * 1024) })).toEqual({
      status: 413,
      body: errorBody("invalid_request"),
    });
    expect(await admin.patch(`/apps/${ts.app.id}`, { suspended: true })).toMatchObject({ status: 400 });
    expect(await admin.ok<AppJson[]>("GET", "/apps")).toHaveLength(1);
  });

  it("answers 404 not_found for unknown apps on every app route", async () => {
    const id = "app_doesnotexist0000";
    for (const [method, path, body] of [
      ["GET", `/apps/${id}`, undefined],
      ["PATCH", `/apps/${id}`, { name: "x" }],
      ["DELETE", `/apps/${id}`, undefined],
      ["POST", `/apps/${id}/suspend`, undefined],
      ["POST", `/apps/${id}/resume`, undefined],
      ["GET", `/apps/${id}/keys`, undefined],
      ["POST", `/apps/${id}/keys`, { type: "publishable" }],
      ["GET", `/apps/${id}/stats`, undefined],
      ["GET", `/apps/${id}/channels/lobby/presence`, undefined],
      ["DELETE", `/apps/${id}/peers/alice`, undefined],
    ] as const) {
      expect(await admin.request(method, path, body), `${method} ${path}`).toEqual({
        status: 404,
        body: errorBody("not_found"),
      });
    }
  });

  it("suspends and resumes; deletes an app with its keys; the default app cannot be deleted (409)", async () => {
    const app = await admin.ok<AppJson>("POST", "/apps", { name: "temp" });
    expect((await admin.ok<AppJson>("POST", `/apps/${app.id}/suspend`)).suspended).toBe(true);
    expect((await admin.ok<AppJson>("POST", `/apps/${app.id}/suspend`)).suspended).toBe(true);
    expect((await admin.ok<AppJson>("POST", `/apps/${app.id}/resume`)).suspended).toBe(false);
    const key = await admin.ok<{ id: string }>("POST", `/apps/${app.id}/keys`, { type: "secret" });
    expect(await admin.ok("DELETE", `/apps/${app.id}`)).toEqual({ id: app.id, deleted: true });
    expect((await admin.get(`/apps/${app.id}`)).status).toBe(404);
    expect((await admin.get(`/keys/${key.id}`)).status).toBe(404);
    expect(await admin.del(`/apps/${ts.app.id}`)).toEqual({ status: 409, body: errorBody("conflict") });
  });

  it("every admin route is in the OpenAPI document, behind the adminToken scheme", async () => {
    const doc = (await (await fetch(`${ts.httpUrl}/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { security?: unknown; tags?: string[] }>>;
    };
    const admin = Object.entries(doc.paths).filter(([path]) => path.startsWith("/v1/admin/"));
    const routes = admin.flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(routes.sort()).toEqual(
      [
        "GET /v1/admin/apps",
        "POST /v1/admin/apps",
        "GET /v1/admin/apps/{appId}",
        "PATCH /v1/admin/apps/{appId}",
        "DELETE /v1/admin/apps/{appId}",
        "POST /v1/admin/apps/{appId}/suspend",
        "POST /v1/admin/apps/{appId}/resume",
        "GET /v1/admin/apps/{appId}/keys",
        "POST /v1/admin/apps/{appId}/keys",
        "GET /v1/admin/keys/{keyId}",
        "PATCH /v1/admin/keys/{keyId}",
        "DELETE /v1/admin/keys/{keyId}",
        "POST /v1/admin/keys/{keyId}/revoke",
        "POST /v1/admin/keys/{keyId}/tokens",
        "GET /v1/admin/stats",
        "GET /v1/admin/apps/{appId}/stats",
        "GET /v1/admin/apps/{appId}/channels/{channel}/presence",
        "DELETE /v1/admin/apps/{appId}/peers/{peerId}",
      ].sort(),
    );
    for (const [, ops] of admin) {
      for (const op of Object.values(ops)) expect(op.security).toEqual([{ adminToken: [] }]);
    }
  });

  it("sees what the CLI (another store handle) changed, and the other way round", async () => {
    const other = await openStoreHandle(ts.dataDir);
    try {
      const fromCli = await other.createApp({ name: "from-cli", plan: { maxMessagesPerPeriod: 10 } });
      expect(await admin.ok("GET", `/apps/${fromCli.id}`)).toMatchObject({ name: "from-cli" });
      await admin.ok("PATCH", `/apps/${fromCli.id}`, { plan: { maxMessagesPerPeriod: 20 } });
      expect((await other.getApp(fromCli.id))?.plan.maxMessagesPerPeriod).toBe(20);
      await other.updateApp(fromCli.id, { suspended: true });
      expect((await admin.ok<AppJson>("GET", `/apps/${fromCli.id}`)).suspended).toBe(true);
    } finally {
      await other.close();
    }
  });
});
