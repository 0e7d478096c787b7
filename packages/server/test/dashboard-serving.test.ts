/**
 * The dashboard's server side (issue 12): `GET /` redirects to `/dashboard/`, the built files are
 * served with their content types and cache headers, the app's views fall back to index.html, no
 * path can read outside the dist directory, a missing build answers a clear 404, and the admin
 * route `POST /v1/admin/keys/:keyId/tokens` mints tokens with a secret key the dashboard never sees.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerDashboardRoutes } from "../src/http/dashboard.js";
import { type AdminClient, adminClient, errorBody, startAdminServer } from "./admin-helpers.js";
import type { TestServer } from "./helpers.js";

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request whose path is sent exactly as given (fetch would normalise `..` away). */
function raw(port: number, path: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, method: "GET" }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("dashboard static files", () => {
  let dir: string;
  let app: FastifyInstance;
  let port: number;
  let unbuilt: FastifyInstance;
  let unbuiltPort: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "switchboard-dashboard-"));
    const root = join(dir, "dist");
    await mkdir(join(root, "assets"), { recursive: true });
    await writeFile(join(root, "index.html"), "<!doctype html><title>Switchboard</title>");
    await writeFile(join(root, "assets", "index-abc123.js"), "export const x = 1;");
    await writeFile(join(root, "assets", "index-abc123.css"), "body{}");
    await writeFile(join(root, "sdk.txt"), "plain");
    await writeFile(join(dir, "secret.txt"), "TOP-SECRET");
    app = Fastify();
    registerDashboardRoutes(app, root);
    await app.listen({ port: 0, host: "127.0.0.1" });
    port = (app.server.address() as AddressInfo).port;
    unbuilt = Fastify();
    registerDashboardRoutes(unbuilt, join(dir, "nothing-here"));
    await unbuilt.listen({ port: 0, host: "127.0.0.1" });
    unbuiltPort = (unbuilt.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app?.close();
    await unbuilt?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("redirects / and /dashboard to /dashboard/", async () => {
    for (const path of ["/", "/dashboard"]) {
      const r = await raw(port, path);
      expect(r.status, path).toBe(302);
      expect(r.headers.location).toBe("/dashboard/");
    }
  });

  it("serves index.html (revalidated) and hashed assets (immutable) with their content types", async () => {
    const index = await raw(port, "/dashboard/");
    expect(index.status).toBe(200);
    expect(index.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(index.headers["cache-control"]).toBe("no-cache");
    expect(index.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(index.body).toContain("<title>Switchboard</title>");

    const js = await raw(port, "/dashboard/assets/index-abc123.js");
    expect(js.status).toBe(200);
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(js.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(js.body).toBe("export const x = 1;");

    const css = await raw(port, "/dashboard/assets/index-abc123.css?v=1");
    expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");

    const txt = await raw(port, "/dashboard/sdk.txt");
    expect(txt.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(txt.headers["cache-control"]).toBe("no-cache");
  });

  it("answers the app's views with index.html and a missing asset with a JSON 404", async () => {
    for (const path of ["/dashboard/keys", "/dashboard/live/some-app"]) {
      const r = await raw(port, path);
      expect(r.status, path).toBe(200);
      expect(r.body).toContain("<title>Switchboard</title>");
    }
    const missing = await raw(port, "/dashboard/assets/gone.js");
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toEqual(errorBody("not_found"));
  });

  it("never reads outside the dist directory", async () => {
    const attempts = [
      "/dashboard/../secret.txt",
      "/dashboard/assets/../../secret.txt",
      "/dashboard/%2e%2e/secret.txt",
      "/dashboard/%2E%2E%2Fsecret.txt",
      "/dashboard/..%2fsecret.txt",
      "/dashboard/..%5csecret.txt",
      "/dashboard/%2e%2e%5csecret.txt",
      "/dashboard/assets/%2e%2e/%2e%2e/secret.txt",
      "/dashboard//../secret.txt",
      "/dashboard/%00../secret.txt",
      "/dashboard/%zz",
    ];
    for (const path of attempts) {
      const r = await raw(port, path);
      expect(r.body, path).not.toContain("TOP-SECRET");
      expect(r.status, path).not.toBe(500);
    }
  });

  it("without a build answers every dashboard path with a clear 404", async () => {
    for (const path of ["/dashboard/", "/dashboard/keys", "/dashboard/assets/index.js"]) {
      const r = await raw(unbuiltPort, path);
      expect(r.status, path).toBe(404);
      expect(JSON.parse(r.body)).toEqual({
        error: "not_found",
        message: expect.stringContaining("dashboard not built: run npm run build"),
      });
    }
  });
});

describe("the real server", () => {
  let ts: TestServer;
  let admin: AdminClient;
  beforeAll(async () => {
    ({ ts, admin } = await startAdminServer());
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("redirects / to the dashboard and keeps its JSON 404 elsewhere", async () => {
    const r = await raw(ts.port, "/");
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe("/dashboard/");
    const other = await raw(ts.port, "/nope");
    expect(other.status).toBe(404);
    expect(JSON.parse(other.body)).toEqual(errorBody("not_found"));
  });

  it("POST /v1/admin/keys/:keyId/tokens mints a token signed with that secret key", async () => {
    const minted = await admin.ok<{ token: string; expiresAt: number }>("POST", `/keys/${ts.sk.id}/tokens`, {
      peerId: "dash-peer",
      channels: ["room-1"],
      permissions: ["subscribe", "presence"],
      peerMetadata: { name: "Dash" },
      expiresInSec: 600,
    });
    expect(decodeProtectedHeader(minted.token)).toEqual({ alg: "HS256", kid: ts.sk.id });
    expect(decodeJwt(minted.token)).toMatchObject({
      sub: "dash-peer",
      channels: ["room-1"],
      permissions: ["subscribe", "presence"],
      peerMetadata: { name: "Dash" },
      exp: minted.expiresAt,
    });
    const client = await ts.connect({ token: minted.token });
    expect(client.welcome).toMatchObject({ type: "welcome", peerId: "dash-peer" });
    client.terminate();
  });

  it("refuses publishable, revoked and unknown keys, bad bodies and a missing admin token", async () => {
    const pk = await ts.createPk();
    expect(await admin.post(`/keys/${pk}/tokens`, { peerId: "p" })).toEqual({
      status: 400,
      body: errorBody("invalid_request"),
    });
    expect((await admin.post(`/keys/sk_id_nope/tokens`, { peerId: "p" })).status).toBe(404);
    expect((await admin.post(`/keys/${ts.sk.id}/tokens`, { peerId: "p", extra: 1 })).status).toBe(400);
    expect((await admin.post(`/keys/${ts.sk.id}/tokens`, { peerId: "p", permissions: ["fly"] })).status).toBe(
      400,
    );
    const narrow = await ts.createSk({ channelPatterns: ["room-*"], actions: ["subscribe"] });
    expect(await admin.post(`/keys/${narrow.id}/tokens`, { peerId: "p", channels: ["other"] })).toEqual({
      status: 403,
      body: errorBody("channel_not_authorized"),
    });
    await admin.ok("POST", `/keys/${narrow.id}/revoke`);
    expect(await admin.post(`/keys/${narrow.id}/tokens`, { peerId: "p" })).toEqual({
      status: 409,
      body: errorBody("conflict"),
    });
    expect(
      (await adminClient(ts.httpUrl, null).post(`/keys/${ts.sk.id}/tokens`, { peerId: "p" })).status,
    ).toBe(401);
  });
});
