/**
 * protocol.md §3 (wildcard subscribe) and §8 (patterns) as seen on the wire: what a pattern
 * subscription receives, that it gets no presence and is not announced, coverage by the
 * connection's patterns, and `invalid_channel` for publishing to a name with an unescaped `*`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, peer, startServer, type TestServer, uniq } from "./helpers.js";

let ts: TestServer;
let pub: Client;
beforeAll(async () => {
  ts = await startServer({ rateFramesPerSec: 1000, rateBurst: 1000 });
  pub = await ts.connectJwt({ sub: peer("publisher") });
});
afterAll(async () => {
  await ts?.stop();
});

/**
 * Publishes each name in turn, then `end` (a name the subscription is known to match), and returns
 * the channels `sub` received before `end`, in order.
 */
async function receivedChannels(sub: Client, names: string[], end: string): Promise<string[]> {
  for (const name of [...names, end]) await pub.publish(name, name);
  const seen: string[] = [];
  for (;;) {
    const f = await sub.next();
    expect(f).toMatchObject({ type: "message", from: pub.welcome?.peerId });
    expect(f.data, "data belongs to the concrete channel").toBe(f.channel);
    if (f.channel === end) break;
    seen.push(f.channel as string);
  }
  await sub.quiet();
  return seen;
}

describe("what a pattern subscription receives", () => {
  it("room-* gets room-42 and room- (empty run) with the concrete channel, not admin-1 nor room/42/main", async () => {
    const p = uniq("room");
    const sub = await ts.connectPk();
    await sub.subscribe(`${p}-*`, { snapshot: false });
    const seen = await receivedChannels(
      sub,
      [`${p}-42`, `admin-1`, `${p}/42/main`, `${p}-`, `${p}`, `${p}-a-b`],
      `${p}-end`,
    );
    expect(seen).toEqual([`${p}-42`, `${p}-`, `${p}-a-b`]);
  });

  it("x/** gets every path under x/ but not x itself", async () => {
    const p = uniq("app");
    const sub = await ts.connectPk();
    await sub.subscribe(`${p}/**`, { snapshot: false });
    const seen = await receivedChannels(sub, [`${p}/a`, `${p}/a/b/c`, p, `${p}x/a`, `${p}/`], `${p}/end`);
    expect(seen).toEqual([`${p}/a`, `${p}/a/b/c`, `${p}/`]);
  });

  it("* inside a segment and several patterns on one socket", async () => {
    const p = uniq("w");
    const sub = await ts.connectPk();
    await sub.subscribe(`${p}/*/chat`, { snapshot: false });
    await sub.subscribe(`${p}-*-end`, { snapshot: false });
    const seen = await receivedChannels(
      sub,
      [`${p}/7/chat`, `${p}/7/8/chat`, `${p}/chat`, `${p}--end`, `${p}-q-ends`],
      `${p}/end/chat`,
    );
    expect(seen).toEqual([`${p}/7/chat`, `${p}--end`]);
  });

  it("** gets every channel", async () => {
    const sub = await ts.connectJwt({ sub: peer("all") });
    await sub.subscribe("**", { snapshot: false });
    const names = [uniq("a"), `${uniq("b")}/c/d`, "x"];
    expect(await receivedChannels(sub, names, uniq("end"))).toEqual(names);
  });

  it("matching is case-sensitive", async () => {
    const p = uniq("case");
    const sub = await ts.connectPk();
    await sub.subscribe(`${p}-*`, { snapshot: false });
    expect(await receivedChannels(sub, [`${p.toUpperCase()}-1`, `${p}-1`], `${p}-end`)).toEqual([`${p}-1`]);
  });

  it("the publishing socket is excluded through a pattern too", async () => {
    const p = uniq("self");
    const me = await ts.connectPk();
    const other = await ts.connectPk();
    await me.subscribe(`${p}-*`, { snapshot: false });
    await other.subscribe(`${p}-*`, { snapshot: false });
    await me.publish(`${p}-1`, "mine");
    expect(await other.next()).toEqual({
      type: "message",
      channel: `${p}-1`,
      from: me.welcome?.peerId,
      data: "mine",
    });
    await me.quiet();
  });

  it("after unsubscribing the pattern nothing more arrives", async () => {
    const p = uniq("u");
    const sub = await ts.connectPk();
    await sub.subscribe(`${p}-*`, { snapshot: false });
    await sub.ok({ type: "unsubscribe", channel: `${p}-*` });
    await pub.publish(`${p}-1`, "late");
    await sub.quiet();
  });
});

describe("no presence for pattern subscriptions", () => {
  it("no snapshot, no presence frames, not announced, not in snapshots", async () => {
    const p = uniq("room");
    const channel = `${p}-1`;
    const member = await ts.connectPk();
    await member.subscribe(channel);
    const watcher = await ts.connectJwt({ sub: peer("watcher") });
    await watcher.subscribe(`${p}-*`, { snapshot: false });
    await watcher.quiet();
    await member.quiet();

    const newcomer = await ts.connectPk();
    expect(await newcomer.subscribe(channel)).toEqual({
      type: "presence",
      channel,
      joined: [{ peerId: member.welcome?.peerId }],
      left: [],
    });
    expect(await member.next()).toMatchObject({
      type: "presence",
      joined: [{ peerId: newcomer.welcome?.peerId }],
    });
    await newcomer.close();
    expect(await member.next()).toMatchObject({
      type: "presence",
      left: [{ peerId: newcomer.welcome?.peerId }],
    });
    await watcher.quiet();

    await watcher.ok({ type: "unsubscribe", channel: `${p}-*` });
    watcher.terminate();
    await member.quiet();
  });
});

describe("coverage by the connection's patterns", () => {
  let scoped: Client;
  beforeAll(async () => {
    scoped = await ts.connectJwt({ sub: peer("scoped"), channels: ["room-*", "app_x/**", "lobby"] });
  });

  it.each(["room-*", "room-4*", "room-*5", "app_x/**", "app_x/*", "app_x/*/y", "app_x/a/**"])(
    "%s is covered → ack",
    async (pattern) => {
      await scoped.subscribe(pattern, { snapshot: false });
      await scoped.ok({ type: "unsubscribe", channel: pattern });
    },
  );

  it.each(["*", "**", "room-**", "lobby*", "app_*", "app_x*", "r*", "room-*/x"])(
    "%s matches names outside the patterns → channel_not_authorized",
    async (pattern) => {
      await scoped.fails({ type: "subscribe", channel: pattern }, "channel_not_authorized");
      await scoped.quiet();
    },
  );

  it("publishable key patterns bound pattern subscriptions too", async () => {
    const pk = await ts.createPk({ channelPatterns: ["game-*"] });
    const p = await ts.connectPk(pk);
    await p.subscribe("game-*", { snapshot: false });
    await p.fails({ type: "subscribe", channel: "**" }, "channel_not_authorized");
  });

  it.each([
    ["over 256 bytes", `${"r".repeat(256)}*`],
    ["a control character", "room-*\n"],
  ])("a pattern with %s → invalid_channel", async (_name, pattern) => {
    const all = await ts.connectJwt({ sub: peer("all") });
    await all.fails({ type: "subscribe", channel: pattern }, "invalid_channel");
  });

  it("patterns under a reserved prefix → channel_reserved", async () => {
    const all = await ts.connectJwt({ sub: peer("all") });
    await all.fails({ type: "subscribe", channel: "_internal/*" }, "channel_reserved");
    await all.fails({ type: "subscribe", channel: "_system/**" }, "channel_reserved");
    await all.quiet();
  });
});

describe("publishing to a name with an unescaped *", () => {
  it.each(["room-*", "*", "**", "a*b", "a/**", "a\\\\*"])("%s → invalid_channel", async (name) => {
    await pub.fails({ type: "publish", channel: name, data: 1 }, "invalid_channel");
    await pub.quiet();
  });

  it("an escaped \\* is a literal star: publishing is accepted and pattern subscribers get the literal name", async () => {
    const p = uniq("lit");
    const name = `${p}-\\*`; // the name is: <p>-\*
    const sub = await ts.connectPk();
    await sub.subscribe(`${p}-*`, { snapshot: false });
    await pub.publish(name, "star");
    expect(await sub.next()).toMatchObject({ type: "message", channel: name, data: "star" });
  });
});
