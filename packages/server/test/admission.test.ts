/**
 * protocol.md §1–§2 rows decided outside the token itself: HTTP answers before the upgrade (404,
 * 429, 503), allowedOrigins, app suspension (4012), the app's connection limit (4010), and key
 * revocation closing live connections (4001 within 2 s).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "@switchboard/server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type Client,
  eventually,
  openStoreHandle,
  peer,
  signToken,
  sleep,
  startServer,
  type TestServer,
} from "./helpers.js";

describe("HTTP before the upgrade", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer();
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("GET /healthz → 200", async () => {
    const res = await fetch(`${ts.httpUrl}/healthz`);
    expect(res.status).toBe(200);
    await res.body?.cancel();
  });

  it.each(["/", "/v2", "/v1x", "/v1/extra", "/healthz"])("upgrade on %s → HTTP 404", async (path) => {
    expect(await ts.upgradeStatus(`${path}?key=${encodeURIComponent(ts.pk)}`)).toBe(404);
  });

  it("upgrade on /v1 → 101", async () => {
    expect(await ts.upgradeStatus(`/v1?key=${encodeURIComponent(ts.pk)}`)).toBe(101);
  });
});

describe("per-IP connect rate → HTTP 429", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer({ connectRatePerIp: 3, connectRateWindowMs: 60_000 });
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("counts upgrade attempts (failed ones too) but not plain HTTP requests", async () => {
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${ts.httpUrl}/healthz`);
      expect(res.status).toBe(200);
      await res.body?.cancel();
    }
    // Three attempts are allowed: one refused by auth (still an upgrade attempt), two good ones.
    expect((await ts.refused({ key: "nope" })).code).toBe(4001);
    await ts.connectPk();
    await ts.connectPk();
    expect(await ts.upgradeStatus(`/v1?key=${encodeURIComponent(ts.pk)}`)).toBe(429);
    expect(await ts.upgradeStatus(`/v1?key=${encodeURIComponent(ts.pk)}`)).toBe(429);
    const res = await fetch(`${ts.httpUrl}/healthz`);
    expect(res.status, "plain HTTP is not rate limited").toBe(200);
    await res.body?.cancel();
  });
});

describe("per-IP connect rate window", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer({ connectRatePerIp: 2, connectRateWindowMs: 1_000 });
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("upgrades are allowed again once the window has passed", async () => {
    const url = `/v1?key=${encodeURIComponent(ts.pk)}`;
    expect(await ts.upgradeStatus(url)).toBe(101);
    expect(await ts.upgradeStatus(url)).toBe(101);
    expect(await ts.upgradeStatus(url)).toBe(429);
    await sleep(1_000);
    await eventually(async () => ((await ts.upgradeStatus(url)) === 101 ? true : undefined), 3_000, 200);
  });
});

describe("maxConnections → HTTP 503", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer({ maxConnections: 2 });
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("refuses the upgrade at the cap and accepts again once a connection left", async () => {
    const a = await ts.connectPk();
    await ts.connectPk();
    expect(await ts.upgradeStatus(`/v1?key=${encodeURIComponent(ts.pk)}`)).toBe(503);
    await a.close();
    await eventually(async () => ((await ts.upgradeStatus(`/v1?key=${ts.pk}`)) === 101 ? true : undefined));
  });
});

describe("allowedOrigins (publishable keys)", () => {
  let ts: TestServer;
  let pk: string;
  beforeAll(async () => {
    ts = await startServer();
    pk = await ts.createPk({ allowedOrigins: ["https://app.example", "http://localhost:3000"] });
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it.each(["https://app.example", "http://localhost:3000"])("listed origin %s → welcome", async (origin) => {
    const c = await ts.connectPk(pk, { origin });
    expect(c.welcome?.type).toBe("welcome");
  });

  it.each([
    "https://evil.example",
    "http://app.example",
    "https://app.example.evil",
    "https://APP.example:443x",
  ])("origin %s not listed → 4001", async (origin) => {
    expect((await ts.refused({ key: pk }, { origin })).code).toBe(4001);
  });

  it("no Origin header with a non-empty list → 4001", async () => {
    expect((await ts.refused({ key: pk })).code).toBe(4001);
  });

  it("an empty list allows any origin and none", async () => {
    expect((await ts.connectPk(ts.pk, { origin: "https://anything.example" })).welcome?.type).toBe("welcome");
    expect((await ts.connectPk(ts.pk)).welcome?.type).toBe("welcome");
  });
});

describe("apps: suspension (4012) and connection limit (4010)", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer();
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("suspended app → 4012 for publishable keys and JWTs", async () => {
    const app = await ts.createApp();
    const pk = await ts.createPk({ appId: app.id });
    const sk = await ts.createSk({ appId: app.id });
    await ts.store.updateApp(app.id, { suspended: true });
    expect((await ts.refused({ key: pk })).code).toBe(4012);
    expect((await ts.refused({ token: await signToken(sk) })).code).toBe(4012);
  });

  it("over the app's maxConcurrentConnections → 4010; other apps unaffected; room again after a close", async () => {
    const app = await ts.createApp({ maxConcurrentConnections: 2 });
    const pk = await ts.createPk({ appId: app.id });
    const sk = await ts.createSk({ appId: app.id });
    const a = await ts.connectPk(pk);
    await ts.connectJwt({ sub: peer("b") }, sk);
    expect((await ts.refused({ key: pk })).code).toBe(4010);
    expect((await ts.refused({ token: await signToken(sk) })).code).toBe(4010);
    // Refused connections do not count: still exactly at the limit, and the default app is unaffected.
    expect((await ts.connectPk()).welcome?.type).toBe("welcome");
    await a.close();
    const c = await eventually(async () => {
      const attempt = ts.client({ key: pk });
      const first = await attempt.next(3_000).catch(() => undefined);
      return first?.type === "welcome" ? attempt : undefined;
    });
    expect(c.isOpen).toBe(true);
  });

  it("suspended and over the connection limit → 4012 (suspension checked first)", async () => {
    const app = await ts.createApp({ maxConcurrentConnections: 1 });
    const pk = await ts.createPk({ appId: app.id });
    await ts.connectPk(pk);
    await ts.store.updateApp(app.id, { suspended: true });
    // The server may take a moment to see the change; until then the limit answers 4010.
    const code = await eventually(async () => {
      const c = (await ts.refused({ key: pk })).code;
      return c === 4010 ? undefined : c;
    });
    expect(code).toBe(4012);
  });
});

describe("key revocation closes live connections with 4001 within 2 s", () => {
  let ts: TestServer;
  const opened: Client[] = [];
  beforeAll(async () => {
    ts = await startServer();
  });
  afterEach(() => {
    for (const c of opened.splice(0)) c.terminate();
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("revoked through another store handle (as the CLI does)", async () => {
    const pk = await ts.createPk();
    const sk = await ts.createSk();
    const byPk = [await ts.connectPk(pk), await ts.connectPk(pk)];
    const byJwt = await ts.connectJwt({ sub: peer("jwt") }, sk);
    const bystander = await ts.connectPk();
    const bystanderJwt = await ts.connectJwt({ sub: peer("other") });
    opened.push(...byPk, byJwt, bystander, bystanderJwt);

    const other = await openStoreHandle(ts.dataDir);
    try {
      const t0 = Date.now();
      await other.revokeKey(pk);
      await other.revokeKey(sk.id);
      for (const c of [...byPk, byJwt]) {
        const closed = await c.waitClose(4_000);
        expect(closed.code).toBe(4001);
        expect(closed.at - t0).toBeLessThanOrEqual(2_000);
      }
    } finally {
      await other.close();
    }
    await bystander.quiet();
    await bystanderJwt.quiet();
    expect((await ts.refused({ key: pk })).code).toBe(4001);
    expect((await ts.refused({ token: await signToken(sk) })).code).toBe(4001);
  });

  it("revoked through the server's own store handle", async () => {
    const pk = await ts.createPk();
    const c = await ts.connectPk(pk);
    opened.push(c);
    const t0 = Date.now();
    await ts.store.revokeKey(pk);
    const closed = await c.waitClose(4_000);
    expect(closed.code).toBe(4001);
    expect(closed.at - t0).toBeLessThanOrEqual(2_000);
  });
});

describe("tenancy and keys in the store", () => {
  it("a fresh data dir gets exactly one app; reopening it creates none", async () => {
    const dir = await mkdtemp(join(tmpdir(), "switchboard-test-"));
    try {
      const first = await openSqliteStore({ dataDir: dir });
      expect(first.created).toBe(true);
      const apps = await first.store.listApps();
      expect(apps).toHaveLength(1);
      expect((await first.store.defaultApp()).id).toBe(apps[0]?.id);
      await first.store.close();
      const again = await openSqliteStore({ dataDir: dir });
      expect(again.created).toBe(false);
      expect(await again.store.listApps()).toHaveLength(1);
      await again.store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("keys get the protocol defaults and their documented shapes", async () => {
    const ts = await startServer();
    try {
      const { key: pk, secret: none } = await ts.store.createKey({ type: "publishable", appId: ts.app.id });
      expect(none).toBeUndefined();
      expect(pk).toMatchObject({
        type: "publishable",
        appId: ts.app.id,
        channelPatterns: ["**"],
        allowedOrigins: [],
        autoInjectTurn: false, // publishable keys opt in to TURN (hardening)
      });
      expect(pk.id).toMatch(/^pk_live_./);
      expect([...pk.actions].sort()).toEqual(["presence", "publish", "subscribe"]);
      const { key: sk, secret } = await ts.store.createKey({ type: "secret", appId: ts.app.id });
      expect(sk.id).toMatch(/^sk_id_./);
      expect(secret).toMatch(/^sk_secret_./);
      expect([...sk.actions].sort()).toEqual(["presence", "publish", "send", "subscribe"]);
      expect(JSON.stringify(await ts.store.listKeys(ts.app.id))).not.toContain(secret as string);
    } finally {
      await ts.stop();
    }
  });

  it("at most 50 live keys per app; revoked keys do not count", async () => {
    const ts = await startServer();
    try {
      const app = await ts.createApp();
      const ids: string[] = [];
      for (let i = 0; i < 50; i++) ids.push(await ts.createPk({ appId: app.id }));
      await expect(ts.createPk({ appId: app.id })).rejects.toMatchObject({ code: "key_limit_reached" });
      await ts.store.revokeKey(ids[0] as string);
      await ts.createPk({ appId: app.id });
      // Another app has its own allowance.
      await ts.createPk();
    } finally {
      await ts.stop();
    }
  });
});
