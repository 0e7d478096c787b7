/**
 * `tokenProvider` against the real server (issue 4, "Done means"): a token that expires mid-session
 * (4002 about 250 ms before `exp`) is replaced by a fresh one without the app resubscribing, and a
 * provider call that hangs is abandoned after `tokenProviderTimeoutMs` and retried.
 */
import { afterEach, describe, expect, it } from "vitest";
import { nowSec, peer, signToken, startServer, type TestServer } from "../../../server/test/helpers.js";
import { Harness, SLACK_MS, sdkUrl } from "./helpers.js";

const h = new Harness();
afterEach(async () => {
  await h.cleanup();
});

async function server(): Promise<TestServer> {
  const ts = await startServer();
  h.defer(() => ts.stop());
  return ts;
}

/** A provider call that never settles. */
const hang = (): Promise<string> => new Promise<string>(() => {});

describe("token expiry (4002)", () => {
  it("calls tokenProvider again, reconnects at once and keeps the subscriptions", async () => {
    const ts = await server();
    const sub = peer("alice");
    const calls: Array<{ at: number; exp: number }> = [];
    const tokenProvider = async (): Promise<string> => {
      // The first token lives 2–3 s; every later one an hour.
      const exp = calls.length === 0 ? nowSec() + 3 : nowSec() + 3600;
      calls.push({ at: Date.now(), exp });
      return signToken(ts.sk, { sub, exp });
    };
    // A long initial backoff: a 4002 must not wait for it ("reconnect at once").
    const a = h.client({
      url: sdkUrl(ts.port),
      tokenProvider,
      reconnect: { initialDelayMs: 10_000, jitterRatio: 0 },
    });
    const b = h.client({ url: sdkUrl(ts.port), apiKey: ts.pk });
    await a.client.connect();
    await b.client.connect();
    expect(a.client.peerId).toBe(sub);
    const firstConnected = await a.log.waitFor("connected");
    expect(firstConnected.ctx).toMatchObject({ isReconnect: false, peerId: sub, expiresAt: calls[0]?.exp });

    // Subscribed once, by the app, before the expiry; never again.
    await a.client.subscribe("news");
    await a.log.waitFor("presence", { match: (p) => p.channel === "news" });
    const before = a.log.events.length - 1;
    await b.client.publish("news", "before");
    expect((await a.log.waitFor("message", { after: before })).ctx).toMatchObject({
      channel: "news",
      data: "before",
    });

    const down = await a.log.waitFor("disconnected", { match: (d) => d.code === 4002, timeoutMs: 10_000 });
    expect(down.ctx).toMatchObject({ code: 4002, willReconnect: true });

    const again = await a.log.waitFor("connected", { after: down.index, timeoutMs: 10_000 });
    expect(again.ctx).toMatchObject({ isReconnect: true, peerId: sub });
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(again.ctx.expiresAt).toBe(calls.at(-1)?.exp);
    // The fresh token was asked for after the close, and the reconnect did not wait the backoff.
    expect(calls[1]?.at ?? 0).toBeGreaterThanOrEqual(down.at - SLACK_MS);
    expect(again.at - down.at).toBeLessThan(7_000);
    expect(a.log.all("token-provider-error")).toEqual([]);

    // The subscription was restored by the SDK: its fresh snapshot, then a publish gets through.
    await a.log.waitFor("presence", { after: again.index, match: (p) => p.channel === "news" });
    const after = a.log.events.length - 1;
    await b.client.publish("news", "after");
    expect((await a.log.waitFor("message", { after, timeoutMs: 5_000 })).ctx).toMatchObject({
      channel: "news",
      from: b.client.peerId,
      data: "after",
    });
    // Still the same identity, one reconnect, no terminal error.
    expect(a.client.peerId).toBe(sub);
    expect(a.log.all("connected")).toHaveLength(2);
    expect(a.log.all("error")).toEqual([]);
    expect(a.client.state).toBe("connected");
  }, 30_000);
});

describe("hanging tokenProvider", () => {
  it("connect(): the call is abandoned after tokenProviderTimeoutMs, token-provider-error, retry succeeds", async () => {
    const ts = await server();
    const sub = peer("slow");
    const calls: number[] = [];
    const tokenProvider = (): Promise<string> => {
      calls.push(Date.now());
      return calls.length === 1 ? hang() : signToken(ts.sk, { sub });
    };
    const timeoutMs = 500;
    const a = h.client({
      url: sdkUrl(ts.port),
      tokenProvider,
      tokenProviderTimeoutMs: timeoutMs,
      reconnect: { initialDelayMs: 200, maxDelayMs: 1_000 },
    });
    const started = Date.now();
    await a.client.connect();
    expect(a.client.state).toBe("connected");
    expect(a.client.peerId).toBe(sub);

    const failures = a.log.all("token-provider-error");
    expect(failures).toHaveLength(1);
    const failure = failures[0];
    expect(failure?.ctx.error).toBeInstanceOf(Error);
    expect(typeof failure?.ctx.attempt).toBe("number");
    expect((failure?.at ?? 0) - started).toBeGreaterThanOrEqual(timeoutMs - SLACK_MS);
    // Retried (with backoff) after the timeout, and the hung call did not block the next one.
    expect(calls).toHaveLength(2);
    expect((calls[1] ?? 0) - (calls[0] ?? 0)).toBeGreaterThanOrEqual(timeoutMs - SLACK_MS);
    // No socket is opened for the abandoned attempt.
    expect(a.sockets.count).toBe(1);
    expect(a.log.all("error")).toEqual([]);
  }, 20_000);

  it("on a reconnect: a hanging call and a rejecting one are retried until a token comes", async () => {
    const ts = await server();
    const sub = peer("flaky");
    const calls: number[] = [];
    const tokenProvider = (): Promise<string> => {
      calls.push(Date.now());
      // 1: a token that expires soon (forces a reconnect); 2: hangs; 3: rejects; 4+: good.
      if (calls.length === 1) return signToken(ts.sk, { sub, exp: nowSec() + 3 });
      if (calls.length === 2) return hang();
      if (calls.length === 3) return Promise.reject(new Error("backend unavailable"));
      return signToken(ts.sk, { sub });
    };
    const a = h.client({
      url: sdkUrl(ts.port),
      tokenProvider,
      tokenProviderTimeoutMs: 500,
      reconnect: { initialDelayMs: 200, maxDelayMs: 1_000 },
    });
    await a.client.connect();
    await a.client.subscribe("jobs");
    await a.log.waitFor("presence", { match: (p) => p.channel === "jobs" });

    const down = await a.log.waitFor("disconnected", { match: (d) => d.code === 4002, timeoutMs: 10_000 });
    const again = await a.log.waitFor("connected", { after: down.index, timeoutMs: 15_000 });
    expect(again.ctx).toMatchObject({ isReconnect: true, peerId: sub });
    expect(calls.length).toBeGreaterThanOrEqual(4);

    const failures = a.log.all("token-provider-error", down.index);
    expect(failures.length).toBeGreaterThanOrEqual(2);
    for (const f of failures) {
      expect(f.ctx.error).toBeInstanceOf(Error);
      expect(typeof f.ctx.attempt).toBe("number");
    }
    // The hanging call was given its whole timeout before the next one started.
    expect((calls[2] ?? 0) - (calls[1] ?? 0)).toBeGreaterThanOrEqual(500 - SLACK_MS);
    // The first failure is the timeout, the second the rejection; neither is terminal.
    expect(failures[0]?.at ?? 0).toBeGreaterThanOrEqual((calls[1] ?? 0) + 500 - SLACK_MS);
    expect(a.log.all("error")).toEqual([]);

    // Subscriptions survived the detour.
    await a.log.waitFor("presence", { after: again.index, match: (p) => p.channel === "jobs" });
    const b = h.client({ url: sdkUrl(ts.port), apiKey: ts.pk });
    await b.client.connect();
    const mark = a.log.events.length - 1;
    await b.client.publish("jobs", { n: 1 });
    expect((await a.log.waitFor("message", { after: mark, timeoutMs: 5_000 })).ctx).toMatchObject({
      channel: "jobs",
      data: { n: 1 },
    });
  }, 30_000);
});
