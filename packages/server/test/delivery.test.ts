/**
 * protocol.md §10: at-most-once, no history, per-connection order, and publish order per
 * publisher and channel at every subscriber.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, type Frame, peer, rid, startServer, type TestServer, uniq } from "./helpers.js";

let ts: TestServer;
beforeAll(async () => {
  ts = await startServer({ rateFramesPerSec: 100_000, rateBurst: 100_000 });
});
afterAll(async () => {
  await ts?.stop();
});

async function collect(c: Client, n: number, type = "message"): Promise<Frame[]> {
  const frames = await c.take(n, 10_000);
  for (const f of frames) expect(f.type).toBe(type);
  return frames;
}

describe("order", () => {
  it("one publisher's messages arrive in publish order at every subscriber", async () => {
    const channel = uniq("order");
    const alice = peer("alice");
    const pub = await ts.connectJwt({ sub: alice });
    // Subscribers without the presence action, so only messages arrive.
    const noPresence = ["subscribe", "publish"];
    const quietPk = await ts.createPk({ actions: ["subscribe"] });
    const subs = [
      await ts.connectJwt({ sub: alice, permissions: noPresence }), // the publisher's other socket
      await ts.connectPk(quietPk),
      await ts.connectJwt({ sub: peer("bob"), permissions: noPresence }),
    ];
    for (const s of subs) await s.subscribe(channel, { snapshot: false });

    const n = 1000;
    for (let i = 0; i < n; i++) pub.send({ type: "publish", channel, data: i });
    for (const s of subs) {
      const got = (await collect(s, n)).map((f) => f.data);
      expect(got).toEqual(Array.from({ length: n }, (_, i) => i));
    }
  });

  it("two publishers: each one's order is kept at each subscriber", async () => {
    const channel = uniq("order2");
    const p1 = await ts.connectPk();
    const p2 = await ts.connectPk();
    const s = await ts.connectPk();
    await s.subscribe(channel);
    const n = 300;
    for (let i = 0; i < n; i++) {
      p1.send({ type: "publish", channel, data: i });
      p2.send({ type: "publish", channel, data: i });
    }
    const frames = await collect(s, 2 * n);
    for (const p of [p1, p2]) {
      const mine = frames.filter((f) => f.from === p.welcome?.peerId).map((f) => f.data);
      expect(mine).toEqual(Array.from({ length: n }, (_, i) => i));
    }
  });

  it("per-connection order across frame kinds: messages and directs interleave as sent", async () => {
    const channel = uniq("mixed");
    const sender = await ts.connectJwt({ sub: peer("sender") });
    const target = await ts.connectJwt({ sub: peer("target") });
    await target.subscribe(channel);
    const n = 200;
    for (let i = 0; i < n; i++) {
      if (i % 2 === 0) sender.send({ type: "publish", channel, data: i });
      else sender.send({ type: "send", to: target.welcome?.peerId, data: i });
    }
    const frames = await target.take(n, 10_000);
    expect(frames.map((f) => [f.type, f.data])).toEqual(
      Array.from({ length: n }, (_, i) => [i % 2 === 0 ? "message" : "direct", i]),
    );
  });

  it("replies come back in request order across frame kinds", async () => {
    const c = await ts.connectJwt({ sub: peer("c") });
    const channel = uniq("replies");
    const expected: Frame[] = [];
    for (let i = 0; i < 50; i++) {
      const requestId = rid();
      if (i % 3 === 0) {
        c.send({ type: "publish", channel, data: i, requestId });
        expected.push({ type: "ack", requestId });
      } else if (i % 3 === 1) {
        c.send({ type: "ping", requestId });
        expected.push({ type: "pong", requestId });
      } else {
        c.send({ type: "publish", channel, requestId });
        expected.push({ type: "error", code: "missing_data", message: expect.any(String), requestId });
      }
    }
    expect(await c.take(expected.length)).toEqual(expected);
  });
});

describe("no history", () => {
  it("a subscriber gets only what is published after its subscribe", async () => {
    const channel = uniq("history");
    const pub = await ts.connectPk();
    await pub.publish(channel, "before");
    const s = await ts.connectPk();
    await s.subscribe(channel);
    await s.quiet();
    await pub.publish(channel, "after");
    expect(await s.next()).toMatchObject({ type: "message", data: "after" });
    await s.quiet();
  });

  it("a direct to a peer that reconnects later is not replayed", async () => {
    const sub = peer("later");
    const sender = await ts.connectJwt({ sub: peer("sender") });
    const first = await ts.connectJwt({ sub });
    await first.close();
    // Offline now (eventually): the send is refused, not queued.
    let reply: Frame | undefined;
    for (let i = 0; i < 20 && reply?.type !== "error"; i++) {
      reply = await sender.request({ type: "send", to: sub, data: "missed" });
    }
    expect(reply).toMatchObject({ type: "error", code: "peer_not_found" });
    const again = await ts.connectJwt({ sub });
    await again.quiet();
  });
});
