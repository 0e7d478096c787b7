/**
 * protocol.md §3 limits: 64 KiB frames (1009), the per-connection token bucket (4011, pings
 * exempt), 100 subscriptions, the app's message quota; and the bounded send buffer of a socket
 * that stopped reading.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { peer, rid, startServer, type TestServer, uniq } from "./helpers.js";

/** A publish frame whose JSON text is exactly `bytes` long. */
function publishOfSize(channel: string, bytes: number, requestId?: string): string {
  const base = JSON.stringify({ type: "publish", channel, ...(requestId ? { requestId } : {}), data: "" });
  return JSON.stringify({
    type: "publish",
    channel,
    ...(requestId ? { requestId } : {}),
    data: "x".repeat(bytes - base.length),
  });
}

describe("with default rate settings", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer();
  });
  afterAll(async () => {
    await ts?.stop();
  });

  describe("frame size", () => {
    it("a frame of exactly 65,536 bytes is accepted and delivered", async () => {
      const channel = uniq("big");
      const sub = await ts.connectPk();
      const pub = await ts.connectPk();
      await sub.subscribe(channel);
      const requestId = rid();
      const frame = publishOfSize(channel, 65_536, requestId);
      expect(Buffer.byteLength(frame)).toBe(65_536);
      pub.sendRaw(frame);
      expect(await pub.next()).toEqual({ type: "ack", requestId });
      const msg = await sub.next();
      expect(msg).toMatchObject({ type: "message", channel });
      expect((msg.data as string).length).toBe(JSON.parse(frame).data.length);
    });

    it("a frame of 65,537 bytes closes the socket with 1009", async () => {
      const pub = await ts.connectPk();
      pub.sendRaw(publishOfSize("big", 65_537));
      expect((await pub.waitClose()).code).toBe(1009);
    });

    it("a large frame that is not even JSON also closes with 1009", async () => {
      const c = await ts.connectPk();
      c.sendRaw("z".repeat(200_000));
      expect((await c.waitClose()).code).toBe(1009);
    });
  });

  describe("rate (100/s, burst 200)", () => {
    it("a burst well over 200 frames closes with 4011", async () => {
      const c = await ts.connectPk();
      const channel = uniq("flood");
      for (let i = 0; i < 600; i++) c.send({ type: "publish", channel, data: i });
      expect((await c.waitClose(5_000)).code).toBe(4011);
    });

    it("garbage frames count too", async () => {
      const c = await ts.connectPk();
      for (let i = 0; i < 600; i++) c.sendRaw("garbage");
      expect((await c.waitClose(5_000)).code).toBe(4011);
    });

    it("a burst within 200 frames is fine", async () => {
      const c = await ts.connectPk();
      const channel = uniq("burst");
      for (let i = 0; i < 150; i++) c.send({ type: "publish", channel, data: i });
      await c.quiet(5_000);
      expect(c.isOpen).toBe(true);
    });

    it("pings do not count: 1,000 pings at once all get their pong, then a burst still fits", async () => {
      const c = await ts.connectPk();
      for (let i = 0; i < 1000; i++) c.send({ type: "ping", requestId: `p${i}` });
      for (let i = 0; i < 1000; i++)
        expect(await c.next(5_000)).toEqual({ type: "pong", requestId: `p${i}` });
      const channel = uniq("after-pings");
      for (let i = 0; i < 150; i++) c.send({ type: "publish", channel, data: i });
      await c.quiet(5_000);
      expect(c.isOpen).toBe(true);
    });
  });

  describe("subscriptions per connection", () => {
    it("100 are allowed, the 101st → channel_limit_exceeded; re-subscribing and room after unsubscribe work", async () => {
      const c = await ts.connectPk();
      const base = uniq("sub");
      for (let i = 0; i < 100; i++) {
        const requestId = rid();
        c.send({ type: "subscribe", channel: `${base}-${i}`, requestId });
        expect(await c.next()).toEqual({ type: "ack", requestId });
        expect(await c.next()).toMatchObject({ type: "presence", channel: `${base}-${i}` });
      }
      await c.fails({ type: "subscribe", channel: `${base}-100` }, "channel_limit_exceeded");
      await c.fails({ type: "subscribe", channel: `${base}-*` }, "channel_limit_exceeded");
      await c.ok({ type: "subscribe", channel: `${base}-7` }); // already subscribed: not a new one
      await c.quiet();
      await c.ok({ type: "unsubscribe", channel: `${base}-0` });
      await c.subscribe(`${base}-100`);
      await c.fails({ type: "subscribe", channel: `${base}-101` }, "channel_limit_exceeded");
      expect(c.isOpen).toBe(true);
    });
  });

  describe("message quota", () => {
    it("once the app's allowance is spent, publish and send get over_message_quota; the socket stays open", async () => {
      const app = await ts.createApp({ maxMessagesPerPeriod: 3 });
      const sk = await ts.createSk({ appId: app.id });
      const channel = uniq("quota");
      const a = await ts.connectJwt({ sub: peer("a"), channels: [`${channel}*`] }, sk);
      const b = await ts.connectJwt({ sub: peer("b") }, sk);
      await b.subscribe(channel);

      // Refused frames are not accepted messages and do not count.
      await a.fails({ type: "publish", channel: "elsewhere", data: 1 }, "channel_not_authorized");
      await a.fails({ type: "publish", channel }, "missing_data");
      await a.fails({ type: "send", to: peer("nobody"), data: 1 }, "peer_not_found");

      await a.publish(channel, 1);
      await a.publish(channel, 2);
      await a.ok({ type: "send", to: b.welcome?.peerId, data: 3 });
      expect(await b.take(3)).toMatchObject([{ data: 1 }, { data: 2 }, { type: "direct", data: 3 }]);

      await a.fails({ type: "publish", channel, data: 4 }, "over_message_quota");
      await a.fails({ type: "send", to: b.welcome?.peerId, data: 5 }, "over_message_quota");
      await b.fails({ type: "publish", channel, data: 6 }, "over_message_quota");
      await b.quiet();
      // Everything else still works.
      await a.subscribe(`${channel}-other`);
      await a.quiet();
      expect(a.isOpen && b.isOpen).toBe(true);

      // Another app's allowance is its own.
      const other = await ts.connectPk();
      const otherSub = await ts.connectPk();
      await otherSub.subscribe(channel);
      await other.publish(channel, "fine");
      expect(await otherSub.next()).toMatchObject({ data: "fine" });
    });
  });
});

describe("send buffer of a socket that stopped reading", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer({
      sendBufferLimitBytes: 256 * 1024,
      rateFramesPerSec: 100_000,
      rateBurst: 100_000,
    });
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("is closed once its unsent bytes pass the cap, while a healthy subscriber gets everything in order", async () => {
    const channel = uniq("flood");
    const slow = await ts.connectPk();
    const healthy = await ts.connectPk();
    const pub = await ts.connectPk();
    await slow.subscribe(channel);
    await healthy.subscribe(channel);
    slow.pauseReading();

    const count = 2000;
    const payload = "y".repeat(16 * 1024); // 2000 × 16 KiB ≈ 32 MiB: far beyond kernel socket buffers
    // Lockstep batches of 8 × 16 KiB = 128 KiB, under the cap: a reader that keeps up never has
    // more than that outstanding, while the paused one falls further behind with every batch.
    const batch = 8;
    let slowLeft = false;
    for (let i = 0; i < count; i += batch) {
      for (let j = i; j < i + batch; j++) pub.send({ type: "publish", channel, data: { i: j, payload } });
      for (let j = i; j < i + batch; j++) {
        let f = await healthy.next(10_000);
        if (f.type === "presence") {
          // The slow peer was cut off: the healthy subscriber sees it leave.
          expect(f).toEqual({
            type: "presence",
            channel,
            joined: [],
            left: [{ peerId: slow.welcome?.peerId }],
          });
          slowLeft = true;
          f = await healthy.next(10_000);
        }
        expect(f.type).toBe("message");
        expect((f.data as { i: number }).i).toBe(j);
      }
    }
    expect(slowLeft, "the slow socket was closed while the flood went on").toBe(true);

    slow.resumeReading();
    await slow.waitClose(10_000);
    expect(slow.received, "the slow socket was cut off before getting everything").toBeLessThan(count);
    // The publisher and the healthy subscriber are still fine.
    await pub.quiet();
    await healthy.quiet();
  }, 60_000);
});
