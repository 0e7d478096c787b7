/**
 * The SDK against a real `switchboard serve` child process (issue 4, "Done means"): a server killed
 * and restarted on the same port mid-session, and a server frozen with SIGSTOP (only a separate
 * process can be frozen while the test keeps running).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Served } from "../../../cli/test/helpers.js";
import {
  type CliDataDir,
  Harness,
  killCli,
  prepareDataDir,
  restartCli,
  SLACK_MS,
  sdkUrl,
  serveCli,
  sleep,
} from "./helpers.js";

const h = new Harness();
let data: CliDataDir;

beforeEach(async () => {
  data = await prepareDataDir();
  h.defer(() => data.remove());
});

afterEach(async () => {
  await h.cleanup();
});

/** Starts the CLI and registers its kill for cleanup (which happens before the data dir goes). */
async function startCli(port = 0): Promise<Served> {
  const served = port === 0 ? await serveCli(data.dataDir) : await restartCli(data.dataDir, port);
  h.defer(() => killCli(served));
  return served;
}

describe("server restarted mid-session", () => {
  it("reconnects, resubscribes, gets a fresh presence snapshot and connected {isReconnect: true}", async () => {
    const first = await startCli();
    const port = first.port;
    const fast = { initialDelayMs: 200, maxDelayMs: 1_000 };
    const a = h.client({ url: sdkUrl(port), apiKey: data.pk, reconnect: fast });
    const b = h.client({ url: sdkUrl(port), apiKey: data.pk, reconnect: fast });
    await a.client.connect();
    await b.client.connect();
    await a.client.subscribe("room");

    const firstConnected = await a.log.waitFor("connected");
    expect(firstConnected.ctx).toMatchObject({ isReconnect: false, peerId: a.client.peerId });
    const firstPeerId = a.client.peerId;
    const firstSnapshot = await a.log.waitFor("presence", { match: (p) => p.channel === "room" });
    expect(firstSnapshot.ctx).toEqual({ channel: "room", joined: [], left: [] });
    // b joins once a's snapshot is out (a snapshot taken later would already list b: protocol.md §5).
    await b.client.subscribe("room");
    await a.log.waitFor("presence", {
      match: (p) =>
        p.channel === "room" && p.joined.some((j: { peerId: string }) => j.peerId === b.client.peerId),
    });

    // A crash (no going_away): both clients see an abnormal close and start backing off.
    const mark = a.log.events.length - 1;
    await killCli(first);
    const down = await a.log.waitFor("disconnected", { after: mark });
    expect(down.ctx).toMatchObject({ willReconnect: true });
    expect(down.ctx.code).not.toBe(1001);
    await a.log.waitFor("state-change", { after: mark, match: (c) => c.to === "reconnecting" });
    expect(a.client.state).toBe("reconnecting");
    // Let a few attempts fail against the closed port before the server comes back.
    await sleep(700);
    const attemptsWhileDown = a.sockets.count;

    await startCli(port);
    const again = await a.log.waitFor("connected", { after: mark, timeoutMs: 15_000 });
    expect(again.ctx).toMatchObject({ isReconnect: true });
    expect(a.client.state).toBe("connected");
    // Publishable keys give every connection a fresh peerId.
    expect(again.ctx.peerId).toBe(a.client.peerId);
    expect(a.client.peerId).not.toBe(firstPeerId);
    expect(a.sockets.count).toBeGreaterThanOrEqual(attemptsWhileDown);

    // The subscription came back by itself: a fresh snapshot for "room" after the reconnect.
    const snapshot = await a.log.waitFor("presence", {
      after: again.index,
      match: (p) => p.channel === "room",
      timeoutMs: 10_000,
    });
    expect(snapshot.ctx).toMatchObject({ channel: "room", left: [] });
    expect(Array.isArray(snapshot.ctx.joined)).toBe(true);
    expect(snapshot.ctx.joined.map((j: { peerId: string }) => j.peerId)).not.toContain(a.client.peerId);

    // b reconnected and resubscribed too (in the snapshot, or announced right after it).
    await b.log.waitFor("connected", { match: (c) => c.isReconnect === true, timeoutMs: 15_000 });
    await b.log.waitFor("presence", {
      after: b.log.all("connected").at(-1)?.index ?? -1,
      match: (p) => p.channel === "room",
      timeoutMs: 10_000,
    });
    await a.log.waitFor("presence", {
      after: again.index,
      match: (p) =>
        p.channel === "room" && p.joined.some((j: { peerId: string }) => j.peerId === b.client.peerId),
      timeoutMs: 10_000,
    });

    // And messages flow over the restored subscriptions, both ways.
    const beforePublish = a.log.events.length - 1;
    await b.client.publish("room", { after: "restart" });
    const got = await a.log.waitFor("message", { after: beforePublish, timeoutMs: 5_000 });
    expect(got.ctx).toMatchObject({ channel: "room", from: b.client.peerId, data: { after: "restart" } });
    const beforeReply = b.log.events.length - 1;
    await a.client.publish("room", "pong");
    const reply = await b.log.waitFor("message", { after: beforeReply, timeoutMs: 5_000 });
    expect(reply.ctx).toMatchObject({ channel: "room", from: a.client.peerId, data: "pong" });
  }, 45_000);
});

describe("server frozen with SIGSTOP", () => {
  it("the watchdog closes and reconnects after inactivityTimeoutMs; back to connected after SIGCONT", async () => {
    const served = await startCli();
    const inactivityTimeoutMs = 3_000;
    const a = h.client({
      url: sdkUrl(served.port),
      apiKey: data.pk,
      inactivityTimeoutMs,
      reconnect: { initialDelayMs: 200, maxDelayMs: 1_000 },
    });
    await a.client.connect();
    await a.client.subscribe("frozen");
    await a.log.waitFor("presence", { match: (p) => p.channel === "frozen" });

    // Healthy but idle for well over the window: the keepalive ping's pong feeds the watchdog.
    await sleep(inactivityTimeoutMs * 2);
    expect(a.sockets.count, `idle healthy connection was dropped: ${a.log.summary()}`).toBe(1);
    expect(a.log.all("disconnected")).toEqual([]);
    expect(a.client.state).toBe("connected");

    const mark = a.log.events.length - 1;
    const stoppedAt = Date.now();
    served.child.kill("SIGSTOP");
    let resumed = false;
    const resume = () => {
      if (!resumed && served.child.exitCode === null) served.child.kill("SIGCONT");
      resumed = true;
    };
    h.defer(resume);

    try {
      const down = await a.log.waitFor("disconnected", {
        after: mark,
        timeoutMs: inactivityTimeoutMs + 10_000,
      });
      expect(down.ctx).toMatchObject({ willReconnect: true });
      const lastInbound = a.sockets.attempt(0).lastInboundAt;
      expect(lastInbound).toBeDefined();
      // The watchdog waited for a whole window of silence, counted from the last inbound frame.
      expect(down.at - (lastInbound as number)).toBeGreaterThanOrEqual(inactivityTimeoutMs - SLACK_MS);
      expect(down.at).toBeGreaterThan(stoppedAt);
      // Then a reconnect attempt, after the window.
      await a.sockets.waitCount(2, 10_000);
      const attempt = a.sockets.attempt(1);
      expect(attempt.at - (lastInbound as number)).toBeGreaterThanOrEqual(inactivityTimeoutMs - SLACK_MS);
      expect(attempt.at).toBeGreaterThanOrEqual(down.at - SLACK_MS);
    } finally {
      resume();
    }

    const again = await a.log.waitFor("connected", {
      after: mark,
      match: (c) => c.isReconnect === true,
      timeoutMs: 20_000,
    });
    expect(a.client.state).toBe("connected");
    await a.log.waitFor("presence", { after: again.index, match: (p) => p.channel === "frozen" });
  }, 45_000);
});
