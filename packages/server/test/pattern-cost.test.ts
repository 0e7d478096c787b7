/**
 * Issue 10 item 1 and item 8 (first bullet), protocol.md §3 (hardening): pattern matching and
 * coverage have a bounded, small cost everywhere. Each test runs the attack against a real server
 * and asserts the outcome and the work it caused, read from the protocol package's step counters
 * (`patternMatchSteps`, `patternCoverageSteps`; the server runs in this process), never a clock.
 */
import {
  Limits,
  patternCoverage,
  patternCoverageSteps,
  patternMatchSteps,
  wildcardRuns,
} from "@switchboard/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COVERAGE_BUDGET } from "../src/auth/coverage-budget.js";
import { adminClient, setAdminToken } from "./admin-helpers.js";
import {
  type Client,
  peer,
  type SecretKey,
  signToken,
  startServer,
  type TestServer,
  uniq,
} from "./helpers.js";
import { rest } from "./rest-client.js";

/** The coverage bound of one subscribe, token request or handshake. */
const BUDGET = COVERAGE_BUDGET;
/** What one search may overshoot its bound by (one configuration's transitions). */
const OVERSHOOT = 1_000;

// A narrow key scope, and 8-run patterns found by a search for expensive ones: against SCOPE each
// needs about the library's whole bound (500,000 transitions, tens of ms) to answer. COVERED is
// covered, but only that far: a bounded check must refuse it.
const SCOPE = ["a/*", "*/b", "**/c"];
const CRAFTED =
  "**cba*a/b*a/*aa/*aaaaaaa/aaaaaa**baaaaaaaaaaaaabba*aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa**aaaacaaaaabaaaaaaaaaabaaba/aa/c";
const COVERED =
  "**aaaacaab*/*/*/*baacaaaaaaaaaaaab**aaaaaaaaaaaaaaaaaaaaaaaa*acaa/*abbaaaaaaaaaaaaaaaaaaabacbcaaaaaaaaaacabaaaaaaaaaaa/c";
/** 100 distinct crafted channels (a token's maximum). */
const CRAFTED_100 = Array.from(
  { length: 100 },
  (_, i) => `${i % 2 ? CRAFTED : COVERED}${"x".repeat(i >> 1)}`,
);
/** The issue's pattern: 127 wildcard runs in 256 bytes. */
const ISSUE_PATTERN = `${"*a".repeat(126)}*000`;
const NINE_RUNS = "*a".repeat(9);

/** Runs `action` and returns what it returned and the work it caused. */
async function measured<T>(
  action: () => Promise<T>,
): Promise<{ result: T; match: number; coverage: number }> {
  const match = patternMatchSteps();
  const coverage = patternCoverageSteps();
  const result = await action();
  return { result, match: patternMatchSteps() - match, coverage: patternCoverageSteps() - coverage };
}

let ts: TestServer;
let narrow: SecretKey;
beforeAll(async () => {
  ts = await startServer({ rateFramesPerSec: 1_000 });
  narrow = await ts.createSk({ channelPatterns: SCOPE });
  expect(CRAFTED_100.every((c) => wildcardRuns(c) === 8)).toBe(true);
  expect(patternCoverage(COVERED, SCOPE).covered).toBe(true);
});
afterAll(async () => {
  await ts?.stop();
});

describe("at most 8 wildcard runs per pattern", () => {
  it("subscribe: 9 runs and the issue's 127-run pattern are invalid_channel; 8 runs are acked", async () => {
    const c = await ts.connectPk();
    await c.fails({ type: "subscribe", channel: ISSUE_PATTERN }, "invalid_channel");
    await c.fails({ type: "subscribe", channel: NINE_RUNS }, "invalid_channel");
    await c.fails({ type: "subscribe", channel: `${uniq("r")}/${"**x".repeat(9)}` }, "invalid_channel");
    await c.ok({ type: "subscribe", channel: "*a".repeat(8) });
    await c.ok({ type: "subscribe", channel: `${"\\*".repeat(20)}*` }); // escaped stars do not count
  });

  it("JWT channels: a 9-run pattern closes the handshake with 4001", async () => {
    const closed = await ts.refused({ token: await signToken(ts.sk, { channels: ["room-*", NINE_RUNS] }) });
    expect(closed.code).toBe(4001);
    await (await ts.connectJwt({ channels: ["room-*", "*a".repeat(8)] })).close();
  });

  it("POST /v1/tokens: a 9-run channel is 400 invalid_request", async () => {
    const response = await rest(ts, "POST", "/v1/tokens", { body: { peerId: "p", channels: [NINE_RUNS] } });
    expect(response.status, response.text).toBe(400);
    expect(response.body).toMatchObject({ error: "invalid_request" });
  });

  it("key channelPatterns: a 9-run pattern is 400 invalid_request in the admin API, refused by the store", async () => {
    await setAdminToken(ts);
    const admin = adminClient(ts.httpUrl);
    for (const body of [
      { type: "publishable", channelPatterns: ["room-*", NINE_RUNS] },
      { type: "secret", channelPatterns: [ISSUE_PATTERN] },
    ]) {
      const answer = await admin.post(`/apps/${ts.app.id}/keys`, body);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: "invalid_request" });
    }
    const created = await admin.ok<{ id: string }>("POST", `/apps/${ts.app.id}/keys`, {
      type: "publishable",
      channelPatterns: ["room-*"],
    });
    const patched = await admin.patch(`/keys/${created.id}`, { channelPatterns: [NINE_RUNS] });
    expect(patched.status).toBe(400);
    await expect(ts.createPk({ channelPatterns: [NINE_RUNS] })).rejects.toThrow(/channel pattern/);
  });
});

describe("publish: matching work is linear per pattern, whatever an attacker subscribes", () => {
  it("100 crafted patterns from one pk connection: honest messages flow, each publish's matching work is bounded", async () => {
    // A 256-character honest channel name, and 100 attacker patterns of 8 runs whose prefix and
    // suffix fit it, so that none is ruled out cheaply: half match it, half fail only at their
    // last middle piece. The NFA this replaces read 256 × pattern-length states per pattern.
    const honest = `${"a".repeat(244)}/${uniq("room")}`.slice(0, 256);
    const tail = honest.slice(-1);
    // An app of its own: the 100 patterns fill its root index bucket.
    const key = await ts.createPk({ appId: (await ts.createApp()).id });
    const attacker = await ts.connectPk(key);
    const patterns = Array.from({ length: 100 }, (_, i) =>
      i % 2 ? `**a*a*a*a*a*a*${"a".repeat(i)}**${tail}` : `**a*a*a*a*a*a*${"a".repeat(i)}b**${tail}`,
    );
    for (const channel of patterns) await attacker.ok({ type: "subscribe", channel });
    const sub = await ts.connectPk(key);
    await sub.subscribe(honest);
    const pub = await ts.connectPk(key);

    const PUBLISHES = 20;
    const { match } = await measured(async () => {
      for (let i = 0; i < PUBLISHES; i++) await pub.publish(honest, i);
    });
    for (let i = 0; i < PUBLISHES; i++) {
      expect(await sub.next()).toMatchObject({ type: "message", channel: honest, data: i });
      // The attacker's matching patterns deliver it once, not once per pattern.
      expect(await attacker.next()).toMatchObject({ type: "message", channel: honest, data: i });
    }
    await attacker.quiet();
    // Per publish and pattern: ≤ 4n per middle piece (5 of them here) plus n + 1 for the last gap.
    const n = honest.length;
    const perPattern = 5 * 4 * n + n + 1;
    expect(match).toBeGreaterThan(0);
    expect(match).toBeLessThanOrEqual(PUBLISHES * patterns.length * perPattern);
    await attacker.close();
  });

  it("an app holds at most Limits.maxWildcardPatternsPerBucket distinct patterns under one literal prefix", async () => {
    // The per-app bound on a publish's pattern work: a publish looks into at most
    // maxIndexedPatternSegments + 1 buckets, each holding at most maxWildcardPatternsPerBucket
    // patterns, however many connections an attacker opens.
    const app = await ts.createApp();
    const key = await ts.createPk({ appId: app.id });
    const limit = Limits.maxWildcardPatternsPerBucket;
    const prefix = uniq("cap");
    const subscribeAll = async (c: Client, channels: string[]) => {
      channels.forEach((channel, i) => {
        c.send({ type: "subscribe", channel, requestId: `s${i}` });
      });
      const acks = await c.take(channels.length);
      expect(acks.every((f, i) => f.type === "ack" && f.requestId === `s${i}`)).toBe(true);
    };
    // Fill the root bucket (patterns starting with a wildcard) and one deep bucket: 6 literal
    // segments are filed under their first 4, so these share one bucket.
    const root = await ts.connectPk(key);
    await subscribeAll(
      root,
      Array.from({ length: limit }, (_, i) => `*-${prefix}-${i}`),
    );
    const deep = await ts.connectPk(key);
    await subscribeAll(
      deep,
      Array.from({ length: limit }, (_, i) => `${prefix}/b/c/d/e${i}/*`),
    );
    const extra = await ts.connectPk(key);
    await extra.fails({ type: "subscribe", channel: `**-${prefix}-new` }, "channel_limit_exceeded");
    await extra.fails({ type: "subscribe", channel: `${prefix}/b/c/d/new/*` }, "channel_limit_exceeded");
    // An already subscribed pattern, another literal prefix and concrete channels are still fine:
    // per-user patterns (`user/<id>/*`) are not limited in number.
    await extra.ok({ type: "subscribe", channel: `*-${prefix}-0` });
    for (let i = 0; i < 20; i++) await extra.ok({ type: "subscribe", channel: `${prefix}/user-${i}/*` });
    await extra.ok({ type: "subscribe", channel: `${prefix}/plain` });
    // Another app is not affected.
    const other = await ts.connectPk(await ts.createPk({ appId: (await ts.createApp()).id }));
    await other.ok({ type: "subscribe", channel: `**-${prefix}-new` });
    // A pattern given up makes room again.
    await root.ok({ type: "unsubscribe", channel: `*-${prefix}-1` });
    await extra.ok({ type: "subscribe", channel: `**-${prefix}-new` });
    // Messages still reach pattern subscribers in full buckets.
    const pub = await ts.connectPk(key);
    await pub.ok({ type: "publish", channel: `${prefix}/b/c/d/e7/x`, data: 7 });
    expect(await deep.next()).toMatchObject({ type: "message", channel: `${prefix}/b/c/d/e7/x`, data: 7 });
    for (const c of [root, deep, extra, other, pub]) await c.close();
  }, 60_000);

  it("a busy channel is matched against the patterns once, until a pattern comes or goes", async () => {
    const key = await ts.createPk({ appId: (await ts.createApp()).id });
    const watcher = await ts.connectPk(key);
    const patterns = Array.from({ length: 20 }, (_, i) => `**a*b*${i}**`);
    for (const channel of patterns) await watcher.ok({ type: "subscribe", channel });
    const pub = await ts.connectPk(key);
    const name = "xa-yb-7-z";
    const first = await measured(() => pub.ok({ type: "publish", channel: name, data: 1 }));
    expect(first.match).toBeGreaterThan(0);
    expect(await watcher.next()).toMatchObject({ type: "message", channel: name, data: 1 });
    const again = await measured(() => pub.ok({ type: "publish", channel: name, data: 2 }));
    expect(again.match).toBe(0);
    expect(await watcher.next()).toMatchObject({ type: "message", channel: name, data: 2 });
    // A new pattern that matches too: the channel is matched again, and it is delivered once.
    const late = await ts.connectPk(key);
    await late.ok({ type: "subscribe", channel: "**a*b*7*z" });
    const after = await measured(() => pub.ok({ type: "publish", channel: name, data: 3 }));
    expect(after.match).toBeGreaterThan(0);
    expect(await watcher.next()).toMatchObject({ data: 3 });
    expect(await late.next()).toMatchObject({ data: 3 });
    // A pattern gone: no stale delivery to it.
    await late.ok({ type: "unsubscribe", channel: "**a*b*7*z" });
    await pub.ok({ type: "publish", channel: name, data: 4 });
    expect(await watcher.next()).toMatchObject({ data: 4 });
    await late.quiet();
    await watcher.quiet();
    for (const c of [watcher, pub, late]) await c.close();
  });

  it("a token with 100 crafted patterns: a frame to a name outside them is refused after linear work", async () => {
    const c = await ts.connectJwt({ channels: CRAFTED_100 });
    const outside = `${"a".repeat(200)}/c`; // ends like every pattern, matched by none
    const { match } = await measured(() =>
      c.fails({ type: "publish", channel: outside, data: 1 }, "channel_not_authorized"),
    );
    const longest = Math.max(...CRAFTED_100.map((p) => p.length));
    expect(match).toBeLessThanOrEqual(100 * (7 * 4 * outside.length + outside.length + 1 + longest));
    await c.close();
  });
});

describe("coverage checks are bounded in total, and a check cut off refuses", () => {
  it("POST /v1/tokens with 100 crafted channels: 403 after at most one subscribe's bound of work", async () => {
    const { result, coverage } = await measured(() =>
      rest(ts, "POST", "/v1/tokens", { auth: narrow, body: { peerId: "p", channels: CRAFTED_100 } }),
    );
    expect(result.status, result.text).toBe(403);
    expect(result.body).toMatchObject({ error: "channel_not_authorized" });
    expect(coverage).toBeGreaterThan(0);
    expect(coverage).toBeLessThanOrEqual(BUDGET + OVERSHOOT);
  });

  it("POST /v1/tokens with one pattern covered only past the bound: 403, never a grant", async () => {
    const { result, coverage } = await measured(() =>
      rest(ts, "POST", "/v1/tokens", { auth: narrow, body: { peerId: "p", channels: [COVERED] } }),
    );
    expect(result.status, result.text).toBe(403);
    expect(coverage).toBeLessThanOrEqual(BUDGET + OVERSHOOT);
    // Ordinary channels of the same key still mint.
    const ok = await rest(ts, "POST", "/v1/tokens", {
      auth: narrow,
      body: { peerId: "p", channels: ["a/x", "a/*", "x/**/c"] },
    });
    expect(ok.status, ok.text).toBe(200);
  });

  it("a handshake with 100 crafted channels: 4003 after at most one subscribe's bound of work", async () => {
    for (const channels of [CRAFTED_100, [COVERED]]) {
      const token = await signToken(narrow, { channels });
      const { result, coverage } = await measured(() => ts.refused({ token }));
      expect(result.code).toBe(4003);
      expect(coverage).toBeLessThanOrEqual(BUDGET + OVERSHOOT);
    }
  });
});

describe("a cut-off subscribe closes whatever the bucket (rateBurst above 200)", () => {
  let big: TestServer;
  beforeAll(async () => {
    big = await startServer({ rateFramesPerSec: 100, rateBurst: 1_000 });
  });
  afterAll(async () => {
    await big?.stop();
  });

  it("a subscribe whose search is cut off closes with 4011 even with a 1,000-frame burst", async () => {
    // JWT channels are the scope; the subscribe pattern needs ≈ 500,000 transitions against it.
    const c = await big.connectJwt({ sub: peer("attacker"), channels: SCOPE });
    const bound = COVERAGE_BUDGET;
    const { result, coverage } = await measured(async () => {
      c.send({ type: "subscribe", channel: CRAFTED, requestId: "x" });
      return c.waitCloseFrame();
    });
    expect(result.code).toBe(4011);
    // Charging only the work, it would have paid 50 of 1,000 frames and stayed.
    expect(coverage).toBeGreaterThan(bound);
    expect(coverage).toBeLessThanOrEqual(bound + OVERSHOOT);
  });

  it("an honest client on the same server is unaffected", async () => {
    const c: Client = await big.connectJwt({ channels: SCOPE });
    await c.ok({ type: "subscribe", channel: "a/*" });
    await c.ok({ type: "subscribe", channel: "x/*/c" });
    await c.fails({ type: "subscribe", channel: "a/**" }, "channel_not_authorized");
    await c.close();
  });
});
