/**
 * protocol.md §5 (hardening): presence cannot be used as an amplifier. Changes are coalesced per
 * channel over a 50 ms window into one frame of net changes per member; a snapshot too large for one
 * frame arrives as consecutive frames before anything else of the channel and never trips the send
 * cap; a connection flapping subscribe/unsubscribe gives members at most 20 presence frames a second.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, type Frame, peer, sleep, startServer, type TestServer, uniq } from "./helpers.js";

let ts: TestServer;
beforeAll(async () => {
  ts = await startServer();
});
afterAll(async () => {
  await ts?.stop();
});

const id = (c: Client): string => c.welcome?.peerId as string;
const ids = (members: unknown) => ((members as { peerId: string }[]) ?? []).map((m) => m.peerId).sort();
const byteLength = (frame: Frame) => Buffer.byteLength(JSON.stringify(frame));

/** Opens `n` clients, at most 50 handshakes at a time. */
async function connectMany(n: number, open: (i: number) => Promise<Client>): Promise<Client[]> {
  const clients: Client[] = [];
  for (let i = 0; i < n; i += 50) {
    clients.push(...(await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, j) => open(i + j)))));
  }
  return clients;
}

/** Subscribes every client (requests sent together), waiting for every ack. */
async function subscribeAll(clients: Client[], channel: string): Promise<void> {
  for (const c of clients) c.send({ type: "subscribe", channel, requestId: "sub" });
  await Promise.all(
    clients.map(async (c) => {
      for (;;) if ((await c.next(10_000)).type === "ack") return;
    }),
  );
}

/** Frames until `count` peers have been listed in `joined`: a (possibly chunked) snapshot. */
async function takeSnapshot(c: Client, channel: string, count: number): Promise<Frame[]> {
  const chunks: Frame[] = [];
  let listed = 0;
  while (listed < count) {
    const frame = await c.next(10_000);
    expect(frame, "only snapshot frames until the snapshot is complete").toMatchObject({
      type: "presence",
      channel,
      left: [],
    });
    chunks.push(frame);
    listed += (frame.joined as unknown[]).length;
  }
  expect(listed).toBe(count);
  return chunks;
}

/** Waits until each client's view (snapshot, then changes) holds all the others. */
async function everyoneSeesEveryone(clients: Client[], channel: string): Promise<void> {
  await Promise.all(
    clients.map(async (c) => {
      const view = new Set<string>();
      while (view.size < clients.length - 1) {
        const frame = await c.next(30_000);
        if (frame.type !== "presence" || frame.channel !== channel) continue;
        for (const p of ids(frame.left)) view.delete(p);
        for (const p of ids(frame.joined)) view.add(p);
      }
    }),
  );
}

describe("coalescing", () => {
  it("one frame per window with the net change, the same for every member", async () => {
    const channel = uniq("room");
    const watchers = [await ts.connectPk(), await ts.connectPk()];
    const leaver = await ts.connectPk();
    for (const c of [...watchers, leaver]) await c.subscribe(channel);
    await sleep(100); // the joins above are announced
    for (const w of watchers) w.queue.length = 0;
    const joiners = [await ts.connectJwt({ sub: peer("a"), peerMetadata: { n: 1 } }), await ts.connectPk()];
    const bounce = await ts.connectPk();

    // All in one go: two joins, a leave, and a peer that joins and leaves again (net nothing).
    for (const j of joiners) j.send({ type: "subscribe", channel });
    leaver.send({ type: "unsubscribe", channel });
    bounce.send({ type: "subscribe", channel });
    bounce.send({ type: "unsubscribe", channel });

    const expected = {
      type: "presence",
      channel,
      joined: expect.arrayContaining([
        { peerId: id(joiners[0] as Client), metadata: { n: 1 } },
        { peerId: id(joiners[1] as Client) },
      ]),
      left: [{ peerId: id(leaver) }],
    };
    for (const w of watchers) {
      const frame = await w.next();
      expect(frame).toEqual(expected);
      expect(frame.joined).toHaveLength(2);
    }
    // Nothing else came of it: the next change is the next frame.
    const marker = await ts.connectPk();
    await marker.subscribe(channel);
    for (const w of watchers)
      expect(await w.next()).toEqual({
        type: "presence",
        channel,
        joined: [{ peerId: id(marker) }],
        left: [],
      });
  });

  it("a rejoin with the same metadata is in neither list; with new metadata in both, left first", async () => {
    const channel = uniq("room");
    const watcher = await ts.connectPk();
    await watcher.subscribe(channel);
    const sub = peer("r");
    const first = await ts.connectJwt({ sub, peerMetadata: { v: 1 } });
    await first.subscribe(channel);
    expect(await watcher.next()).toEqual({
      type: "presence",
      channel,
      joined: [{ peerId: sub, metadata: { v: 1 } }],
      left: [],
    });

    // Same socket, same metadata: unsubscribe and subscribe again in one write.
    first.send({ type: "unsubscribe", channel });
    first.send({ type: "subscribe", channel });
    const marker = await ts.connectPk();
    await marker.subscribe(channel);
    expect(await watcher.next(), "the rejoin is not announced at all").toEqual({
      type: "presence",
      channel,
      joined: [{ peerId: id(marker) }],
      left: [],
    });

    // The same peer comes back on another socket with other metadata.
    const second = await ts.connectJwt({ sub, peerMetadata: { v: 2 } });
    first.send({ type: "unsubscribe", channel });
    second.send({ type: "subscribe", channel });
    expect(await watcher.next()).toEqual({
      type: "presence",
      channel,
      joined: [{ peerId: sub, metadata: { v: 2 } }],
      left: [{ peerId: sub }],
    });
    await watcher.quiet();
  });
});

describe("large snapshots", () => {
  it("300 peers × 4 KiB metadata: consecutive frames ≤ 64 KiB, intact, before the channel's messages; nobody is dropped", async () => {
    const channel = uniq("big");
    const metadataOf = (i: number) => ({ i, pad: "m".repeat(4_096 - 30) });
    const members = await connectMany(300, (i) =>
      ts.connectJwt({ sub: `member-${i}-${uniq()}`, peerMetadata: metadataOf(i) }),
    );
    await subscribeAll(members, channel);

    const late = await ts.connectPk();
    late.pauseReading(); // and the server keeps writing while this client reads nothing
    late.send({ type: "subscribe", channel, requestId: "late" });
    await sleep(100);
    (members[0] as Client).send({ type: "publish", channel, data: "after the snapshot" });
    await sleep(200);
    late.resumeReading();

    expect(await late.next(10_000)).toEqual({ type: "ack", requestId: "late" });
    const chunks = await takeSnapshot(late, channel, 300);
    expect(chunks.length).toBeGreaterThan(18); // 1.2 MiB of metadata
    for (const chunk of chunks) expect(byteLength(chunk)).toBeLessThanOrEqual(65_536);
    const listed = chunks.flatMap((c) => c.joined as { peerId: string; metadata: unknown }[]);
    expect(listed.map((m) => m.peerId).sort()).toEqual(members.map(id).sort());
    for (const m of listed) expect(m.metadata).toEqual(metadataOf(Number(m.peerId.split("-")[1])));
    expect(await late.next()).toMatchObject({ type: "message", channel, data: "after the snapshot" });
    await late.quiet();
    expect(late.isOpen).toBe(true);
    expect(
      members.every((m) => m.isOpen),
      "members got the joins of 4 KiB peers without being dropped",
    ).toBe(true);
  }, 60_000);
});

describe("flapping", () => {
  it("one connection flapping as fast as its rate allows, among 1,000 peers: ≤ 20 presence frames/s per member", async () => {
    const channel = uniq("crowd");
    const members = await connectMany(1_000, () => ts.connectPk());
    await subscribeAll(members, channel);
    await everyoneSeesEveryone(members, channel);

    const flapper = await ts.connectPk();
    const startedMs = Date.now();
    let frames = 0;
    let subscribed = false;
    const toggle = () => {
      flapper.send({ type: subscribed ? "unsubscribe" : "subscribe", channel });
      subscribed = !subscribed;
      frames += 1;
    };
    // Nearly the whole burst (200 frames) at once, then one frame every 12 ms (just under the
    // sustained 100 frames/s) for 2 s: the flapper is in the channel at some window ends and not at
    // others, so most windows have a net change.
    for (let i = 0; i < 195; i++) toggle();
    while (Date.now() - startedMs < 2_000) {
      await sleep(12);
      toggle();
    }
    // Every frame was handled, none over the rate: a ping's pong comes after acks and snapshots only.
    flapper.send({ type: "ping", requestId: "done" });
    for (;;) {
      const frame = await flapper.next();
      if (frame.type === "pong") break;
      expect(frame.type).toBe("presence"); // its own snapshots (requests had no requestId: no acks)
    }
    const elapsedMs = Date.now() - startedMs + 100;
    await sleep(100); // the last window closes

    // Windows open no sooner than when the previous one closed: at most one per 50 ms.
    const bound = Math.ceil(elapsedMs / 50) + 1;
    const counts = members.map((m) => m.queue.filter((f) => f.type === "presence").length);
    expect(Math.max(...counts)).toBeLessThanOrEqual(bound);
    expect(Math.max(...counts), "the flapper was announced").toBeGreaterThan(0);
    expect(bound).toBeLessThan(frames / 4); // uncoalesced, every member got one frame per frame
    const others = members.flatMap((m) =>
      m.queue.filter(
        (f) => f.type !== "presence" || [...ids(f.joined), ...ids(f.left)].some((p) => p !== id(flapper)),
      ),
    );
    expect(
      others.slice(0, 3).map((f) => ({ ...f, joined: ids(f.joined), left: ids(f.left) })),
      "only the flapper's presence",
    ).toEqual([]);
    expect(flapper.isOpen).toBe(true);
    for (const m of members) m.terminate();
  }, 120_000);
});
