/**
 * Terminal close codes against the real server (issue 4, "Done means"): 4001 (a key revoked while
 * connected, a bad credential at connect) and 4020 (kicked through `DELETE /v1/peers/:peerId`) end
 * the client for good: state `closed`, an `error` event, and no further connection attempt.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  openStoreHandle,
  peer,
  signToken,
  startServer,
  type TestServer,
  uniq,
} from "../../../server/test/helpers.js";
import { SignallingConnectError } from "../../src/index.js";
import { Harness, sdkUrl, sleep, type TestClient } from "./helpers.js";

const h = new Harness();
afterEach(async () => {
  await h.cleanup();
});

async function server(): Promise<TestServer> {
  // A short store poll: a revocation by another handle is noticed quickly.
  const ts = await startServer({}, { pollMs: 50 });
  h.defer(() => ts.stop());
  return ts;
}

/** Fast reconnects, so a wrongly retried terminal close would show up as extra sockets quickly. */
const fast = { initialDelayMs: 100, maxDelayMs: 300 };

/** Asserts a client ended for good on `code` and stays so for a while. */
async function expectTerminal(t: TestClient, code: number, mark: number): Promise<void> {
  const down = await t.log.waitFor("disconnected", { after: mark, timeoutMs: 10_000 });
  expect(down.ctx).toMatchObject({ code, willReconnect: false });
  const error = await t.log.waitFor("error", { after: mark, timeoutMs: 5_000 });
  expect(error.ctx.error).toBeInstanceOf(Error);
  expect(error.ctx.error).toMatchObject({ closeCode: code });
  await t.log.waitFor("state-change", { after: mark, match: (c) => c.to === "closed" });
  expect(t.client.state).toBe("closed");
  const sockets = t.sockets.count;
  // Several fast backoff periods: nothing may try again.
  await sleep(1_500);
  expect(t.sockets.count, `reconnected after a terminal ${code}: ${t.log.summary()}`).toBe(sockets);
  expect(t.client.state).toBe("closed");
  expect(t.log.all("connected", mark)).toEqual([]);
  expect(t.log.all("state-change", mark).map((e) => e.ctx.to)).not.toContain("reconnecting");
}

describe("4001 invalid token", () => {
  it("a publishable key revoked through another store handle while connected is terminal", async () => {
    const ts = await server();
    const pk = await ts.createPk();
    const a = h.client({ url: sdkUrl(ts.port), apiKey: pk, reconnect: fast });
    await a.client.connect();
    await a.client.subscribe("lobby");
    const mark = a.log.events.length - 1;

    const other = await openStoreHandle(ts.dataDir);
    try {
      await other.revokeKey(pk);
    } finally {
      await other.close();
    }
    await expectTerminal(a, 4001, mark);
    expect(a.sockets.count).toBe(1);
  }, 20_000);

  it("a token signed with the wrong secret: connect() rejects with SignallingConnectError 4001", async () => {
    const ts = await server();
    let calls = 0;
    const a = h.client({
      url: sdkUrl(ts.port),
      tokenProvider: async () => {
        calls++;
        return signToken({ id: ts.sk.id, secret: "not-the-secret" }, { sub: peer("mallory") });
      },
      reconnect: fast,
    });
    const error = await a.client.connect().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(SignallingConnectError);
    expect(error).toMatchObject({ closeCode: 4001 });
    expect(a.client.state).toBe("closed");
    const sockets = a.sockets.count;
    expect(sockets).toBe(1);
    await sleep(1_500);
    expect(a.sockets.count).toBe(sockets);
    expect(calls).toBe(1);
    expect(a.log.all("connected")).toEqual([]);
  }, 20_000);

  it("an unknown publishable key: connect() rejects with SignallingConnectError 4001", async () => {
    const ts = await server();
    const a = h.client({ url: sdkUrl(ts.port), apiKey: `pk_live_${uniq("nope")}`, reconnect: fast });
    const error = await a.client.connect().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(SignallingConnectError);
    expect(error).toMatchObject({ closeCode: 4001 });
    expect(a.client.state).toBe("closed");
    await sleep(1_000);
    expect(a.sockets.count).toBe(1);
  }, 20_000);
});

describe("4020 kicked by DELETE /v1/peers/:peerId", () => {
  it("is terminal: closed, error event, no reconnect and no new token asked for", async () => {
    const ts = await server();
    const sub = peer("bob");
    let calls = 0;
    const a = h.client({
      url: sdkUrl(ts.port),
      tokenProvider: async () => {
        calls++;
        return signToken(ts.sk, { sub });
      },
      reconnect: fast,
    });
    // A second client of another peer is left alone by the kick.
    const b = h.client({ url: sdkUrl(ts.port), apiKey: ts.pk, reconnect: fast });
    await a.client.connect();
    await b.client.connect();
    await a.client.subscribe("ops");
    const mark = a.log.events.length - 1;

    const response = await fetch(`${ts.httpUrl}/v1/peers/${encodeURIComponent(sub)}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${ts.sk.id}:${ts.sk.secret}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ peerId: sub, closed: 1 });

    await expectTerminal(a, 4020, mark);
    expect(calls).toBe(1);
    expect(b.client.state).toBe("connected");
    expect(b.log.all("disconnected")).toEqual([]);
  }, 20_000);
});
