/**
 * `/metrics` after a scripted session: the numbers an operator would expect from what the clients
 * did (one publish to three subscribers is three `message` deliveries, a refused key is one 4001).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, eventually, rid, startServer, type TestServer, uniq } from "./helpers.js";
import { type Scrape, scrape } from "./prometheus.js";

/** Reads frames until one of `type` arrives. */
async function nextOfType(client: Client, type: string) {
  for (;;) {
    const frame = await client.next();
    if (frame.type === type) return frame;
  }
}

describe("/metrics after a scripted session", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer();
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("counts connections, subscriptions, frames in/out by type, errors by code, histograms", async () => {
    const room = uniq("room");
    const subscribers = [await ts.connectPk(), await ts.connectPk(), await ts.connectPk()];
    for (const s of subscribers) await s.subscribe(room);
    const publisher = await ts.connectPk();
    await publisher.publish(room, { hello: "world" });
    for (const s of subscribers) expect(await nextOfType(s, "message")).toMatchObject({ channel: room });

    publisher.send({ type: "nope" });
    expect(await publisher.next()).toMatchObject({ type: "error", code: "unknown_type" });
    publisher.sendRaw("not json");
    expect(await publisher.next()).toMatchObject({ type: "error", code: "malformed_message" });
    await publisher.fails({ type: "publish", channel: "_system/x", data: 1 }, "channel_reserved");
    const requestId = rid();
    publisher.send({ type: "ping", requestId });
    expect(await publisher.next()).toEqual({ type: "pong", requestId });

    const m = await scrape(ts.httpUrl);
    expect(m.get("switchboard_connections")).toBe(4);
    expect(m.get("switchboard_subscriptions")).toBe(3);
    expect(m.get("switchboard_draining")).toBe(0);

    const framesIn = (type: string) => m.get("switchboard_frames_in_total", { type });
    expect(framesIn("subscribe")).toBe(3);
    expect(framesIn("publish")).toBe(2);
    expect(framesIn("ping")).toBe(1);
    expect(framesIn("invalid")).toBe(2);
    expect(framesIn("send")).toBe(0);

    const framesOut = (type: string) => m.get("switchboard_frames_out_total", { type });
    expect(framesOut("message")).toBe(3);
    expect(framesOut("welcome")).toBe(4);
    expect(framesOut("ack")).toBe(4); // three subscribes and one publish carried a requestId
    // Three snapshots; the second subscriber is announced to one peer, the third to two.
    expect(framesOut("presence")).toBe(6);
    expect(framesOut("error")).toBe(3);
    expect(framesOut("pong")).toBe(1);
    expect(framesOut("going_away")).toBe(0);

    expect(m.get("switchboard_errors_total", { code: "unknown_type" })).toBe(1);
    expect(m.get("switchboard_errors_total", { code: "malformed_message" })).toBe(1);
    expect(m.get("switchboard_errors_total", { code: "channel_reserved" })).toBe(1);
    expect(m.get("switchboard_errors_total", { code: "over_message_quota" })).toBe(0);

    expect(m.get("switchboard_handshake_seconds_count", { outcome: "accepted" })).toBe(4);
    expect(m.get("switchboard_handshake_seconds_count", { outcome: "refused" })).toBe(0);
    expect(m.get("switchboard_handshake_seconds_bucket", { outcome: "accepted", le: "+Inf" })).toBe(4);
    expect(m.get("switchboard_fanout_seconds_count")).toBe(1);
    expect(m.get("switchboard_fanout_seconds_sum")).toBeLessThan(0.1);

    expect(m.get("switchboard_event_loop_lag_seconds", { stat: "p99" })).toBeGreaterThanOrEqual(0);
    expect(m.get("switchboard_event_loop_lag_seconds", { stat: "max" })).toBeGreaterThanOrEqual(0);
    expect(m.get("switchboard_process_resident_memory_bytes")).toBeGreaterThan(10_000_000);
    expect(m.get("switchboard_process_open_fds")).toBeGreaterThan(4);
    expect(m.get("switchboard_process_max_fds")).toBeGreaterThan(0);
    expect(m.get("switchboard_process_heap_used_bytes")).toBeGreaterThan(0);
    expect(m.value("switchboard_process_stat_errors_total", { stat: "rss" })).toBeUndefined();

    for (const c of [...subscribers, publisher]) await c.close();
  });

  it("counts closes by code: a refused key is one 4001, a client's normal close one 1000", async () => {
    const before = await scrape(ts.httpUrl);
    const closes = (m: Scrape, code: string) => m.value("switchboard_closes_total", { code }) ?? 0;

    expect((await ts.refused({ key: "pk_live_doesnotexist" })).code).toBe(4001);
    const c = await ts.connectPk();
    await c.close();
    // The server sees its side of the close a moment after the client does.
    const after = await eventually(async () => {
      const m = await scrape(ts.httpUrl);
      return closes(m, "4001") - closes(before, "4001") === 1 &&
        closes(m, "1000") - closes(before, "1000") === 1
        ? m
        : undefined;
    });
    const refusedBefore = before.get("switchboard_handshake_seconds_count", { outcome: "refused" });
    expect(after.get("switchboard_handshake_seconds_count", { outcome: "refused" }) - refusedBefore).toBe(1);
    expect(after.get("switchboard_connections")).toBe(0);
    expect(after.get("switchboard_subscriptions")).toBe(0);
  });

  it("counts upgrades answered with plain HTTP by status", async () => {
    expect(await ts.upgradeStatus("/elsewhere")).toBe(404);
    const m = await scrape(ts.httpUrl);
    expect(m.get("switchboard_upgrade_rejections_total", { status: "404" })).toBe(1);
  });

  it("keeps every server's numbers apart (one registry per server)", async () => {
    const other = await startServer();
    try {
      await (await other.connectPk()).close();
      const mine = await scrape(ts.httpUrl);
      const theirs = await scrape(other.httpUrl);
      expect(theirs.get("switchboard_frames_out_total", { type: "welcome" })).toBe(1);
      expect(mine.get("switchboard_frames_out_total", { type: "welcome" })).toBeGreaterThanOrEqual(5);
    } finally {
      await other.stop();
    }
  });
});

describe("/metrics switched off", () => {
  it("answers 404 with metricsEnabled: false", async () => {
    const ts = await startServer({ metricsEnabled: false });
    try {
      const res = await fetch(`${ts.httpUrl}/metrics`);
      expect(res.status).toBe(404);
    } finally {
      await ts.stop();
    }
  });
});
