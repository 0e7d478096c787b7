/**
 * protocol.md §5: presence driven by subscribe / unsubscribe / disconnect, per peerId, snapshots
 * that never include the subscriber, peerMetadata as presence metadata, the `presence` action.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, type Frame, peer, startServer, type TestServer, uniq } from "./helpers.js";

let ts: TestServer;
beforeAll(async () => {
  ts = await startServer();
});
afterAll(async () => {
  await ts?.stop();
});

const joined = (channel: string, ...members: { peerId: string; metadata?: unknown }[]) => ({
  type: "presence",
  channel,
  joined: members,
  left: [],
});
const left = (channel: string, ...peerIds: string[]) => ({
  type: "presence",
  channel,
  joined: [],
  left: peerIds.map((peerId) => ({ peerId })),
});
const sortMembers = (frame: Frame | undefined) => {
  const members = [...((frame?.joined as { peerId: string }[]) ?? [])];
  return members.sort((x, y) => x.peerId.localeCompare(y.peerId));
};
const id = (c: Client): string => c.welcome?.peerId as string;

describe("join, leave, snapshots", () => {
  it("first subscriber gets an empty snapshot; later ones see the others, never themselves", async () => {
    const channel = uniq("room");
    const a = await ts.connectJwt({ sub: peer("a"), peerMetadata: { name: "A" } });
    const b = await ts.connectJwt({ sub: peer("b") });
    expect(await a.subscribe(channel)).toEqual(joined(channel));
    expect(await b.subscribe(channel)).toEqual(joined(channel, { peerId: id(a), metadata: { name: "A" } }));
    expect(await a.next(), "metadata omitted when the peer has none").toEqual(
      joined(channel, { peerId: id(b) }),
    );
    await a.quiet();
    await b.quiet();
  });

  it("others are told when a peer joins, unsubscribes, and disconnects", async () => {
    const channel = uniq("room");
    const watcher = await ts.connectPk();
    await watcher.subscribe(channel);
    const b = await ts.connectJwt({ sub: peer("b"), peerMetadata: { name: "B", tags: ["x"] } });
    await b.subscribe(channel);
    expect(await watcher.next()).toEqual(
      joined(channel, { peerId: id(b), metadata: { name: "B", tags: ["x"] } }),
    );
    await b.ok({ type: "unsubscribe", channel });
    expect(await watcher.next()).toEqual(left(channel, id(b)));

    await b.subscribe(channel);
    expect(await watcher.next()).toMatchObject({ joined: [{ peerId: id(b) }] });
    b.terminate();
    expect(await watcher.next()).toEqual(left(channel, id(b)));
    await watcher.quiet();
  });

  it("a graceful close also announces left, in every channel the peer was in", async () => {
    const c1 = uniq("room");
    const c2 = uniq("room");
    const w1 = await ts.connectPk();
    const w2 = await ts.connectPk();
    await w1.subscribe(c1);
    await w2.subscribe(c2);
    const b = await ts.connectPk();
    await b.subscribe(c1);
    await b.subscribe(c2);
    expect(await w1.next()).toEqual(joined(c1, { peerId: id(b) }));
    expect(await w2.next()).toEqual(joined(c2, { peerId: id(b) }));
    await b.close();
    expect(await w1.next()).toEqual(left(c1, id(b)));
    expect(await w2.next()).toEqual(left(c2, id(b)));
  });

  it("a snapshot lists everyone else once per peerId", async () => {
    const channel = uniq("room");
    const x = peer("x");
    const y = peer("y");
    const members = [
      await ts.connectJwt({ sub: x }),
      await ts.connectJwt({ sub: x }),
      await ts.connectJwt({ sub: y, peerMetadata: { n: 1 } }),
    ];
    for (const m of members) await m.subscribe(channel);
    const late = await ts.connectJwt({ sub: peer("late") });
    const snapshot = await late.subscribe(channel);
    expect(sortMembers(snapshot)).toEqual(
      [{ peerId: x }, { peerId: y, metadata: { n: 1 } }].sort((p, q) => p.peerId.localeCompare(q.peerId)),
    );
  });

  it("presence is per channel", async () => {
    const c1 = uniq("room");
    const c2 = uniq("room");
    const w = await ts.connectPk();
    await w.subscribe(c1);
    const b = await ts.connectPk();
    expect(await b.subscribe(c2)).toEqual(joined(c2));
    await w.quiet();
    await b.close();
    await w.quiet();
  });
});

describe("per peerId, not per socket", () => {
  it("joined once when the first socket subscribes, left only when the last leaves", async () => {
    const channel = uniq("room");
    const bob = peer("bob");
    const watcher = await ts.connectPk();
    await watcher.subscribe(channel);
    const b1 = await ts.connectJwt({ sub: bob, peerMetadata: { v: 1 } });
    const b2 = await ts.connectJwt({ sub: bob, peerMetadata: { v: 1 } });

    expect(await b1.subscribe(channel)).toEqual(joined(channel, { peerId: id(watcher) }));
    expect(await watcher.next()).toEqual(joined(channel, { peerId: bob, metadata: { v: 1 } }));
    expect(await b2.subscribe(channel), "own peer never in the snapshot").toEqual(
      joined(channel, { peerId: id(watcher) }),
    );
    await watcher.quiet();
    await b1.quiet();

    await b1.ok({ type: "unsubscribe", channel });
    await watcher.quiet();
    b2.terminate();
    expect(await watcher.next()).toEqual(left(channel, bob));
    await b1.quiet();
  });

  it("one socket of a peer disconnecting keeps the peer present", async () => {
    const channel = uniq("room");
    const bob = peer("bob");
    const watcher = await ts.connectPk();
    await watcher.subscribe(channel);
    const b1 = await ts.connectJwt({ sub: bob });
    const b2 = await ts.connectJwt({ sub: bob });
    await b1.subscribe(channel);
    await b2.subscribe(channel);
    expect(await watcher.next()).toEqual(joined(channel, { peerId: bob }));
    await b1.close();
    // bob still has a socket in the channel: a newcomer still sees him, and no `left` came.
    const late = await ts.connectPk();
    expect(sortMembers(await late.subscribe(channel))).toEqual(
      [{ peerId: bob }, { peerId: id(watcher) }].sort((p, q) => p.peerId.localeCompare(q.peerId)),
    );
    expect(await watcher.next()).toEqual(joined(channel, { peerId: id(late) }));
    await watcher.quiet();
  });
});

describe("without the presence action", () => {
  it("gets messages but no snapshot or presence frames, and is not announced", async () => {
    const channel = uniq("room");
    const watcher = await ts.connectPk();
    await watcher.subscribe(channel);
    const quietOne = await ts.connectJwt({ sub: peer("nopresence"), permissions: ["subscribe", "publish"] });
    await quietOne.subscribe(channel, { snapshot: false });
    await quietOne.quiet();
    await watcher.quiet();

    const other = await ts.connectPk();
    await other.subscribe(channel);
    expect(await watcher.next()).toEqual(joined(channel, { peerId: id(other) }));
    await quietOne.quiet();

    await other.publish(channel, "hi");
    expect(await quietOne.next()).toMatchObject({ type: "message", channel, data: "hi" });
    await quietOne.publish(channel, "back");
    expect(await other.next()).toMatchObject({ type: "message", from: id(quietOne), data: "back" });

    expect(await watcher.next()).toMatchObject({ type: "message", data: "hi" });
    expect(await watcher.next()).toMatchObject({ type: "message", data: "back" });
    await quietOne.ok({ type: "unsubscribe", channel });
    quietOne.terminate();
    await other.ok({ type: "unsubscribe", channel });
    expect(await watcher.next()).toEqual(left(channel, id(other)));
    await watcher.quiet();
  });

  it("a publishable key without presence behaves the same", async () => {
    const channel = uniq("room");
    const pk = await ts.createPk({ actions: ["subscribe", "publish"] });
    const watcher = await ts.connectPk();
    await watcher.subscribe(channel);
    const p = await ts.connectPk(pk);
    await p.subscribe(channel, { snapshot: false });
    await p.quiet();
    await watcher.quiet();
  });
});
