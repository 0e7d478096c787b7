import { afterEach, describe, expect, it, vi } from "vitest";
import { createScope } from "./auth/scope.js";
import { PRESENCE_WINDOW_MS } from "./presence-coalescer.js";
import { dispatchFrame } from "./session/dispatch.js";
import { testApp, testConnection } from "./test-support.js";

const send = (c: Parameters<typeof dispatchFrame>[0], frame: object) =>
  dispatchFrame(c, JSON.stringify(frame));

/** Closes the presence coalescing window (fake timers): snapshots and changes go out. */
const closeWindow = () => vi.advanceTimersByTime(PRESENCE_WINDOW_MS);

describe("hub fan-out", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("writes the very same bytes to every subscriber of a message", () => {
    const app = testApp();
    const publisher = testConnection(app, "pub");
    const subs = [1, 2, 3].map((i) =>
      testConnection(app, `s${i}`, { scope: createScope(["**"], ["subscribe"]) }),
    );
    for (const s of subs) send(s, { type: "subscribe", channel: "c" });
    send(publisher, { type: "publish", channel: "c", data: { n: 1 } });
    const last = subs.map((s) => s.transport.sentBuffers.at(-1));
    expect(last[0]).toBeDefined();
    expect(last[1]).toBe(last[0]);
    expect(last[2]).toBe(last[0]);
    expect(subs[0]?.transport.frames.at(-1)).toEqual({
      type: "message",
      channel: "c",
      from: "pub",
      data: { n: 1 },
    });
  });

  it("stamps fromMetadata only for subscribers that asked, encoding each variant once", () => {
    vi.useFakeTimers();
    const app = testApp();
    const publisher = testConnection(app, "pub", { peerMetadata: { name: "P" } });
    const plain = testConnection(app, "a");
    const stamped1 = testConnection(app, "b");
    const stamped2 = testConnection(app, "c");
    send(plain, { type: "subscribe", channel: "x" });
    send(stamped1, { type: "subscribe", channel: "x", includeSenderMetadata: true });
    send(stamped2, { type: "subscribe", channel: "x", includeSenderMetadata: true });
    closeWindow();
    send(publisher, { type: "publish", channel: "x", data: 1 });
    expect(plain.transport.frames.at(-1)).toEqual({ type: "message", channel: "x", from: "pub", data: 1 });
    expect(stamped1.transport.frames.at(-1)).toMatchObject({ fromMetadata: { name: "P" } });
    expect(stamped2.transport.sentBuffers.at(-1)).toBe(stamped1.transport.sentBuffers.at(-1));
  });

  it("delivers once to a socket subscribed to a channel and to a pattern matching it", () => {
    vi.useFakeTimers();
    const app = testApp();
    const publisher = testConnection(app, "pub");
    const both = testConnection(app, "both");
    send(both, { type: "subscribe", channel: "room-1" });
    send(both, { type: "subscribe", channel: "room-*" });
    send(both, { type: "subscribe", channel: "**" });
    closeWindow();
    const before = both.transport.frames.length;
    send(publisher, { type: "publish", channel: "room-1", data: "hi" });
    expect(both.transport.frames.slice(before)).toEqual([
      { type: "message", channel: "room-1", from: "pub", data: "hi" },
    ]);
  });

  it("reaches exactly the sockets whose patterns match, whatever their leading segments", () => {
    const app = testApp();
    const publisher = testConnection(app, "pub");
    const patterns = ["**", "*/b/c", "a/**", "a/b/*", "a/b/c*", "a/*/c", "a/x/**", "b/**", "a/b/c/**", "*"];
    const subs = patterns.map((channel, i) => {
      const c = testConnection(app, `p${i}`);
      send(c, { type: "subscribe", channel });
      return c;
    });
    // Many per-user patterns that must not be hit (nor tested one by one).
    const users = Array.from({ length: 200 }, (_, i) => {
      const c = testConnection(app, `u${i}`);
      send(c, { type: "subscribe", channel: `user/${i}/**` });
      return c;
    });
    const before = subs.map((c) => c.transport.frames.length);
    send(publisher, { type: "publish", channel: "a/b/c", data: 1 });
    const reached = patterns.filter((_, i) => (subs[i]?.transport.frames.length ?? 0) > (before[i] ?? 0));
    expect(reached.sort()).toEqual(["*/b/c", "**", "a/**", "a/*/c", "a/b/*", "a/b/c*"].sort());
    expect(
      users.every((u) => u.transport.frames.every((f) => (f as { type: string }).type !== "message")),
    ).toBe(true);
    send(publisher, { type: "publish", channel: "user/7/inbox", data: 2 });
    const gotIt = users.filter((u) => u.transport.frames.some((f) => (f as { data?: unknown }).data === 2));
    expect(gotIt).toEqual([users[7]]);
    expect(app.hub.listPatterns()).toHaveLength(patterns.length + 200);
  });

  it("forgets a pattern with its last subscriber, and indexes it again when it comes back", () => {
    const app = testApp();
    const publisher = testConnection(app, "pub");
    const sub = testConnection(app, "s");
    send(sub, { type: "subscribe", channel: "a/b/**" });
    send(sub, { type: "unsubscribe", channel: "a/b/**" });
    expect(app.hub.listPatterns()).toEqual([]);
    const before = sub.transport.frames.length;
    send(publisher, { type: "publish", channel: "a/b/c", data: 1 });
    expect(sub.transport.frames.length).toBe(before);
    send(sub, { type: "subscribe", channel: "a/b/**" });
    send(publisher, { type: "publish", channel: "a/b/c", data: 2 });
    expect(sub.transport.frames.at(-1)).toEqual({ type: "message", channel: "a/b/c", from: "pub", data: 2 });
  });

  it("announces a peer once per channel however many sockets it has, and leaves with its last", () => {
    vi.useFakeTimers();
    const app = testApp();
    const watcher = testConnection(app, "w");
    send(watcher, { type: "subscribe", channel: "p" });
    closeWindow();
    const first = testConnection(app, "alice", { peerMetadata: { n: 1 } });
    const second = testConnection(app, "alice");
    send(first, { type: "subscribe", channel: "p" });
    send(second, { type: "subscribe", channel: "p" });
    expect(second.transport.frames, "the snapshot waits for the window to close").toEqual([]);
    closeWindow();
    expect(second.transport.frames.at(-1)).toEqual({
      type: "presence",
      channel: "p",
      joined: [{ peerId: "w" }],
      left: [],
    });
    app.hub.removeConnection(first);
    closeWindow();
    app.hub.removeConnection(second);
    closeWindow();
    const presence = watcher.transport.frames.filter((f) => f.type === "presence");
    expect(presence).toEqual([
      { type: "presence", channel: "p", joined: [], left: [] },
      { type: "presence", channel: "p", joined: [{ peerId: "alice", metadata: { n: 1 } }], left: [] },
      { type: "presence", channel: "p", joined: [], left: [{ peerId: "alice" }] },
    ]);
    expect(app.hub.channelCount).toBe(1);
    app.hub.removeConnection(watcher);
    expect(app.hub.channelCount).toBe(0);
  });

  it("finds a peer's sockets as they come and go, and sends direct to each", () => {
    const app = testApp();
    const sender = testConnection(app, "s");
    const [one, two, three] = [1, 2, 3].map(() => testConnection(app, "bob"));
    if (!one || !two || !three) throw new Error("unreachable");
    const direct = (data: number) => {
      send(sender, { type: "send", to: "bob", data });
      return [one, two, three].map((c) => c.transport.frames.filter((f) => f.type === "direct").length);
    };
    expect([...app.hub.socketsOf("bob")]).toEqual([one, two, three]);
    expect(direct(1)).toEqual([1, 1, 1]);
    app.hub.removeConnection(two);
    expect([...app.hub.socketsOf("bob")]).toEqual([one, three]);
    app.hub.removeConnection(one);
    expect([...app.hub.socketsOf("bob")]).toEqual([three]);
    expect(app.hub.hasPeer("bob")).toBe(true);
    expect(direct(2)).toEqual([1, 1, 2]);
    expect(app.hub.peerCount).toBe(2);
    app.hub.addConnection(one);
    expect([...app.hub.socketsOf("bob")]).toEqual([three, one]);
    app.hub.removeConnection(three);
    app.hub.removeConnection(one);
    expect(app.hub.hasPeer("bob")).toBe(false);
    expect(app.hub.socketsOf("bob").size).toBe(0);
    expect(app.hub.peerCount).toBe(1);
    send(sender, { type: "send", to: "bob", data: 3, requestId: "r" });
    expect(sender.transport.frames.at(-1)).toMatchObject({ type: "error", code: "peer_not_found" });
  });

  it("counts quota only for accepted messages and refuses past the allowance", () => {
    const app = testApp();
    app.record.plan.maxMessagesPerPeriod = 2;
    const c = testConnection(app, "a");
    send(c, { type: "send", to: "nobody", data: 1, requestId: "0" });
    send(c, { type: "publish", channel: "x", data: 1, requestId: "1" });
    send(c, { type: "send", to: "a", data: 2, requestId: "2" });
    send(c, { type: "publish", channel: "x", data: 3, requestId: "3" });
    const replies = c.transport.frames.filter((f) => f.type === "ack" || f.type === "error");
    expect(replies).toEqual([
      { type: "error", code: "peer_not_found", message: expect.any(String), requestId: "0" },
      { type: "ack", requestId: "1" },
      { type: "ack", requestId: "2" },
      { type: "error", code: "over_message_quota", message: expect.any(String), requestId: "3" },
    ]);
    expect(app.usage.messagesUsed).toBe(2);
  });

  it("closes with 4011 when the token bucket runs dry, and pings never drain it", () => {
    const app = testApp();
    // No refill, so the count is exact however slow the machine is.
    const c = testConnection(app, "a", { rateFramesPerSec: 0 });
    for (let i = 0; i < 1000; i++) send(c, { type: "ping" });
    expect(c.transport.closed).toBeUndefined();
    for (let i = 0; i < 200; i++) dispatchFrame(c, "not json");
    expect(c.transport.closed).toBeUndefined();
    dispatchFrame(c, "not json");
    expect(c.transport.closed?.code).toBe(4011);
  });
});
