/**
 * No log line ever carries a credential: a server logging at `trace` into a capturing destination
 * goes through every WebSocket auth path (good, bad, expired and revoked tokens; good, unknown and
 * revoked publishable keys; TURN injection) and a few HTTP calls carrying the admin token and a
 * secret key; the captured output must contain none of the secrets. Also checks that connects and
 * closes are logged at debug with peerId, appId and close code.
 */
import { createHash } from "node:crypto";
import { ADMIN_TOKEN_SETTING, createLogger } from "@switchboard/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nowSec, peer, signToken, startServer, type TestServer, uniq } from "./helpers.js";

const TURN_SECRET = "turn-shared-secret-0123456789abcdef";
const ADMIN_TOKEN = "admin-token-for-the-log-test-0123456789";

describe("logs never contain credentials", () => {
  const lines: string[] = [];
  const secrets = new Map<string, string>();
  let ts: TestServer;

  beforeAll(async () => {
    const logger = createLogger("trace", { write: (line: string) => void lines.push(line) });
    ts = await startServer(
      { turnSecret: TURN_SECRET, turnUrls: ["turn:127.0.0.1:3478?transport=udp"] },
      { deps: { logger } },
    );
    await ts.store.setSetting(ADMIN_TOKEN_SETTING, createHash("sha256").update(ADMIN_TOKEN).digest("hex"));
    secrets.set("TURN secret", TURN_SECRET);
    secrets.set("admin token", ADMIN_TOKEN);
    secrets.set("secret key", ts.sk.secret);
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("through every WebSocket auth path", async () => {
    const goodToken = await signToken(ts.sk, { sub: peer("alice") });
    secrets.set("good JWT", goodToken);
    const alice = await ts.connect({ token: goodToken });
    const metadata = (alice.welcome?.metadata ?? {}) as { iceServers?: { credential?: string }[] };
    const iceServers = metadata.iceServers;
    for (const [i, server] of (iceServers ?? []).entries()) {
      if (server.credential) secrets.set(`TURN credential ${i}`, server.credential);
    }
    await alice.subscribe(uniq("room"));
    await alice.publish(uniq("room"), { text: "hi" });

    const forged = await signToken(
      { id: ts.sk.id, secret: "sk_secret_not-the-real-one" },
      { sub: "mallory" },
    );
    secrets.set("forged JWT", forged);
    expect((await ts.refused({ token: forged })).code).toBe(4001);

    const expired = await signToken(ts.sk, { sub: "late", exp: nowSec() - 60 });
    secrets.set("expired JWT", expired);
    expect((await ts.refused({ token: expired })).code).toBe(4002);

    const narrowSk = await ts.createSk({ channelPatterns: ["room-*"] });
    secrets.set("narrow secret key", narrowSk.secret);
    const overreaching = await signToken(narrowSk, { sub: "greedy", channels: ["**"] });
    secrets.set("over-reaching JWT", overreaching);
    expect((await ts.refused({ token: overreaching })).code).toBe(4003);

    const pkConnection = await ts.connectPk();
    await pkConnection.close();
    expect((await ts.refused({ key: "pk_live_unknown0000000000000" })).code).toBe(4001);

    // Revoked secret key: its live connection is closed with 4001, a new token is refused.
    const doomedSk = await ts.createSk();
    secrets.set("revoked secret key", doomedSk.secret);
    const doomedToken = await signToken(doomedSk, { sub: peer("bob") });
    secrets.set("JWT of revoked key", doomedToken);
    const bob = await ts.connect({ token: doomedToken });
    const doomedPk = await ts.createPk();
    const carol = await ts.connectPk(doomedPk);
    await ts.store.revokeKey(doomedSk.id);
    await ts.store.revokeKey(doomedPk);
    expect((await bob.waitClose(5_000)).code).toBe(4001);
    expect((await carol.waitClose(5_000)).code).toBe(4001);
    expect((await ts.refused({ token: doomedToken })).code).toBe(4001);
    expect((await ts.refused({ key: doomedPk })).code).toBe(4001);
    await alice.close();
  });

  it("through HTTP calls carrying the admin token, a secret key and a token in the URL", async () => {
    const bearer = (credential: string) => ({ authorization: `Bearer ${credential}` });
    const calls: Array<[string, RequestInit]> = [
      ["/v1/admin/apps", { headers: bearer(ADMIN_TOKEN) }],
      ["/v1/admin/apps", { headers: bearer(`${ADMIN_TOKEN}x`) }],
      ["/metrics", { headers: bearer(ADMIN_TOKEN) }],
      ["/healthz", { headers: bearer(`${ts.sk.id}:${ts.sk.secret}`) }],
      [
        "/v1/tokens",
        {
          method: "POST",
          headers: { ...bearer(`${ts.sk.id}:${ts.sk.secret}`), "content-type": "application/json" },
          body: JSON.stringify({ peerId: "dave" }),
        },
      ],
      [`/v1?token=${encodeURIComponent(secrets.get("good JWT") ?? "")}`, {}],
    ];
    for (const [path, init] of calls) {
      const res = await fetch(`${ts.httpUrl}${path}`, init);
      const body = await res.text();
      // A token minted over REST is a credential too.
      const minted = /"token":"([^"]+)"/.exec(body)?.[1];
      if (minted) secrets.set("REST-minted JWT", minted);
    }
  });

  it("the captured output has none of them, but does have the debug connect/close lines", () => {
    const output = lines.join("");
    expect(secrets.size).toBeGreaterThanOrEqual(10);
    for (const [what, secret] of secrets) {
      expect(output.includes(secret), `${what} appears in the logs`).toBe(false);
    }
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const connected = records.filter((r) => r.msg === "connected");
    expect(connected.length).toBeGreaterThanOrEqual(4);
    expect(connected[0]).toMatchObject({ level: 20, appId: ts.app.id, peerId: expect.any(String) });
    const closes = records.filter((r) => r.msg === "disconnected").map((r) => r.code);
    expect(closes).toContain(1000);
    expect(closes).toContain(4001);
    expect(records.some((r) => r.msg === "handshake refused" && r.code === 4002)).toBe(true);
  });

  it("redacts credential-named fields even if one were logged by mistake", () => {
    const captured: string[] = [];
    const log = createLogger("info", { write: (line: string) => void captured.push(line) });
    log.info(
      {
        token: "t0ken",
        secret: "s3cret",
        nested: { credential: "cr3d", token: "t1", adminToken: "adm1n" },
        req: { headers: { authorization: "Bearer b3arer" } },
        config: { turnSecret: "turn5ecret" },
      },
      "oops",
    );
    const text = captured.join("");
    for (const s of ["t0ken", "s3cret", "cr3d", "t1", "adm1n", "b3arer", "turn5ecret"]) {
      expect(text).not.toContain(s);
    }
    expect(text).toContain("oops");
  });
});
