import type { ServerFrame } from "@switchboard/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createScope } from "./auth/scope.js";
import { OUTBOX_WRITE_BELOW_BYTES } from "./channel-outbox.js";
import { PRESENCE_WINDOW_MS } from "./presence-coalescer.js";
import { dispatchFrame } from "./session/dispatch.js";
import { testApp, testConnection } from "./test-support.js";

type TestConnection = ReturnType<typeof testConnection>;
const send = (c: TestConnection, frame: object) => dispatchFrame(c, JSON.stringify(frame));
const subscribe = (c: TestConnection, channel = "room") => send(c, { type: "subscribe", channel });
const unsubscribe = (c: TestConnection, channel = "room") => send(c, { type: "unsubscribe", channel });
const closeWindow = () => vi.advanceTimersByTime(PRESENCE_WINDOW_MS);
const presenceOf = (c: TestConnection) => c.transport.frames.filter((f) => f.type === "presence");
/** Makes the transport report `bytes` unsent (a client that is not reading). */
const setBuffered = (c: TestConnection, bytes: number) => {
  (c.transport as { bufferedAmount: number }).bufferedAmount = bytes;
};

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("coalescing window", () => {
  it("sends each member one frame per window with the net change, encoded once", () => {
    const app = testApp();
    const watchers = [1, 2, 3].map((i) => testConnection(app, `w${i}`));
    const leaver = testConnection(app, "leaver");
    for (const c of [...watchers, leaver]) subscribe(c);
    closeWindow();
    const before = watchers.map((w) => w.transport.frames.length);

    const a = testConnection(app, "a", { peerMetadata: { n: 1 } });
    const b = testConnection(app, "b");
    subscribe(a);
    vi.advanceTimersByTime(PRESENCE_WINDOW_MS - 1);
    subscribe(b);
    app.hub.removeConnection(leaver);
    expect(watchers.map((w) => w.transport.frames.length)).toEqual(before);
    vi.advanceTimersByTime(1); // the window opened by the first change closes 50 ms after it
    const frames = watchers.map((w, i) => w.transport.frames.slice(before[i]));
    expect(frames[0]).toEqual([
      {
        type: "presence",
        channel: "room",
        joined: [{ peerId: "a", metadata: { n: 1 } }, { peerId: "b" }],
        left: [{ peerId: "leaver" }],
      },
    ]);
    expect(frames[1]).toEqual(frames[0]);
    const bytes = watchers.map((w) => w.transport.sentBuffers.at(-1));
    expect(bytes[1]).toBe(bytes[0]);
    expect(bytes[2]).toBe(bytes[0]);
    // The newcomers got a snapshot instead, never themselves in it.
    expect(presenceOf(a)).toEqual([
      {
        type: "presence",
        channel: "room",
        joined: expect.arrayContaining([
          { peerId: "w1" },
          { peerId: "w2" },
          { peerId: "w3" },
          { peerId: "b" },
        ]),
        left: [],
      },
    ]);
    expect((presenceOf(a)[0] as { joined: unknown[] }).joined).toHaveLength(4);
    closeWindow();
    expect(watchers[0]?.transport.frames.length).toBe((before[0] ?? 0) + 1);
  });

  it("a peer that left and came back with the same metadata is in neither list", () => {
    const app = testApp();
    const watcher = testConnection(app, "w");
    const first = testConnection(app, "r", { peerMetadata: { v: 1 } });
    subscribe(watcher);
    subscribe(first);
    closeWindow();
    const before = watcher.transport.frames.length;
    app.hub.removeConnection(first);
    const again = testConnection(app, "r", { peerMetadata: { v: 1 } });
    subscribe(again);
    closeWindow();
    expect(watcher.transport.frames.length).toBe(before);
    expect(presenceOf(again)).toEqual([
      { type: "presence", channel: "room", joined: [{ peerId: "w" }], left: [] },
    ]);
  });

  it("with new metadata it is in both, left first", () => {
    const app = testApp();
    const watcher = testConnection(app, "w");
    const first = testConnection(app, "r", { peerMetadata: { v: 1 } });
    subscribe(watcher);
    subscribe(first);
    closeWindow();
    app.hub.removeConnection(first);
    subscribe(testConnection(app, "r", { peerMetadata: { v: 2 } }));
    closeWindow();
    expect(watcher.transport.frames.at(-1)).toEqual({
      type: "presence",
      channel: "room",
      joined: [{ peerId: "r", metadata: { v: 2 } }],
      left: [{ peerId: "r" }],
    });
  });

  it("a join undone within the window sends nothing; subscribers without presence get nothing", () => {
    const app = testApp();
    const watcher = testConnection(app, "w");
    const blind = testConnection(app, "blind", { scope: createScope(["**"], ["subscribe"]) });
    subscribe(watcher);
    subscribe(blind);
    closeWindow();
    const before = watcher.transport.frames.length;
    const flapper = testConnection(app, "f");
    subscribe(flapper);
    unsubscribe(flapper);
    closeWindow();
    expect(watcher.transport.frames.length).toBe(before);
    expect(presenceOf(flapper), "unsubscribed before its snapshot was due").toEqual([]);
    subscribe(flapper);
    closeWindow();
    expect(watcher.transport.frames.at(-1)).toMatchObject({ joined: [{ peerId: "f" }], left: [] });
    expect(presenceOf(blind)).toEqual([]);
  });
});

describe("snapshots", () => {
  it("comes first: the channel's messages published before it wait behind it", () => {
    const app = testApp();
    const publisher = testConnection(app, "pub");
    subscribe(publisher);
    closeWindow();
    const late = testConnection(app, "late");
    subscribe(late);
    send(publisher, { type: "publish", channel: "room", data: 1 });
    send(publisher, { type: "send", to: "late", data: "direct" });
    expect(late.transport.frames, "direct messages are not of the channel").toEqual([
      { type: "direct", from: "pub", data: "direct" },
    ]);
    closeWindow();
    expect(late.transport.frames.slice(1)).toEqual([
      { type: "presence", channel: "room", joined: [{ peerId: "pub" }], left: [] },
      { type: "message", channel: "room", from: "pub", data: 1 },
    ]);
    send(publisher, { type: "publish", channel: "room", data: 2 });
    expect(late.transport.frames.at(-1)).toMatchObject({ type: "message", data: 2 });
    expect(app.hub.listChannels()).toEqual([{ channel: "room", subscribers: 2, peers: 2 }]);
  });

  it("a second socket of a present peer gets its snapshot at once", () => {
    const app = testApp();
    const other = testConnection(app, "o");
    const one = testConnection(app, "p");
    subscribe(other);
    subscribe(one);
    closeWindow();
    const two = testConnection(app, "p");
    subscribe(two);
    expect(presenceOf(two)).toEqual([
      { type: "presence", channel: "room", joined: [{ peerId: "o" }], left: [] },
    ]);
  });

  it("too large for one frame: consecutive frames, written as the socket drains, then what waited", () => {
    const app = testApp();
    const metadata = { pad: "x".repeat(4_000) };
    const members = Array.from({ length: 100 }, (_, i) =>
      testConnection(app, `m${i}`, { peerMetadata: metadata }),
    );
    for (const m of members) subscribe(m);
    closeWindow();
    const late = testConnection(app, "late");
    subscribe(late);
    setBuffered(late, OUTBOX_WRITE_BELOW_BYTES); // not reading yet
    closeWindow();
    expect(late.transport.frames).toEqual([]);
    send(members[0] as TestConnection, { type: "publish", channel: "room", data: "meanwhile" });
    app.hub.removeConnection(members[1] as TestConnection); // a change meanwhile
    setBuffered(late, 0);
    vi.advanceTimersByTime(10);
    closeWindow();
    const frames = late.transport.frames;
    const chunks = frames.filter((f) => f.type === "presence" && f.left.length === 0);
    expect(chunks.length).toBeGreaterThan(5);
    expect(late.transport.sentBuffers.every((b) => b.length <= 65_536 + 4)).toBe(true);
    const seen = chunks.flatMap((f) => (f as { joined: { peerId: string }[] }).joined.map((m) => m.peerId));
    expect(seen.sort()).toEqual(members.map((m) => m.peerId).sort());
    expect(frames.slice(chunks.length)).toEqual([
      { type: "message", channel: "room", from: "m0", data: "meanwhile" },
      { type: "presence", channel: "room", joined: [], left: [{ peerId: "m1" }] },
    ]);
    expect(late.transport.closed).toBeUndefined();
  });

  it("a reader that never drains is terminated once too much waits behind its snapshot", () => {
    const app = testApp();
    const publisher = testConnection(app, "pub");
    subscribe(publisher);
    closeWindow();
    const stuck = testConnection(app, "stuck");
    subscribe(stuck);
    setBuffered(stuck, OUTBOX_WRITE_BELOW_BYTES);
    closeWindow();
    const data = "y".repeat(60_000);
    for (let i = 0; i < 20 && !stuck.transport.closed; i++) {
      send(publisher, { type: "publish", channel: "room", data });
    }
    expect(stuck.transport.closed?.code).toBe(1006);
    app.hub.removeConnection(stuck);
    expect(app.hub.listChannels()).toEqual([{ channel: "room", subscribers: 1, peers: 1 }]);
  });

  it("what waits behind a snapshot is bounded by the socket's own send cap", () => {
    const publishesUntilTerminated = (sendBufferLimitBytes: number | undefined) => {
      const app = testApp();
      const publisher = testConnection(app, "pub");
      subscribe(publisher);
      closeWindow();
      const stuck = testConnection(app, "stuck");
      (stuck.transport as { sendBufferLimitBytes?: number }).sendBufferLimitBytes = sendBufferLimitBytes;
      subscribe(stuck);
      setBuffered(stuck, OUTBOX_WRITE_BELOW_BYTES);
      closeWindow();
      const data = "y".repeat(60_000);
      let n = 0;
      while (!stuck.transport.closed && n < 100) {
        send(publisher, { type: "publish", channel: "room", data });
        n++;
      }
      return n;
    };
    expect(publishesUntilTerminated(200_000)).toBe(4); // 4 × 60 KB > 200 KB
    expect(publishesUntilTerminated(2_000_000)).toBe(34); // 34 × 60 KB > 2 MB
    expect(publishesUntilTerminated(undefined)).toBe(18); // no cap of its own: 1 MiB
  });
});

describe("flapping", () => {
  it("one connection flapping as fast as it can gives each member at most 20 frames a second", () => {
    const app = testApp();
    const members = Array.from({ length: 1_000 }, (_, i) => testConnection(app, `m${i}`));
    for (const m of members) subscribe(m);
    closeWindow();
    const before = members.map((m) => m.transport.frames.length);
    // Enough tokens never to be limited: 2 frames every 2 ms for 1 s is 1,000 frames.
    const flapper = testConnection(app, "flapper", { rateFramesPerSec: 2_000 });
    for (let t = 0; t < 1_000; t += 2) {
      subscribe(flapper);
      vi.advanceTimersByTime(1);
      unsubscribe(flapper);
      vi.advanceTimersByTime(1);
    }
    closeWindow();
    const counts = members.map((m, i) => m.transport.frames.length - (before[i] ?? 0));
    expect(Math.max(...counts)).toBeLessThanOrEqual(20 + 1);
    const frames = (members[0] as TestConnection).transport.frames.slice(before[0]) as ServerFrame[];
    expect(frames.every((f) => f.type === "presence")).toBe(true);
  });
});
