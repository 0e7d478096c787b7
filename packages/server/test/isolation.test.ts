/**
 * protocol.md §1 tenancy and the bad-input rows: nothing crosses apps (channels, presence, peers),
 * nothing crosses channels, internal traffic never reaches a `**` subscriber, and garbage frames
 * neither crash the server nor disturb anybody else.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, peer, type SecretKey, startServer, type TestServer, uniq } from "./helpers.js";

let ts: TestServer;
let skA: SecretKey;
let skB: SecretKey;
let pkB: string;
beforeAll(async () => {
  ts = await startServer({ rateFramesPerSec: 1000, rateBurst: 1000 });
  skA = ts.sk;
  const appB = await ts.createApp();
  skB = await ts.createSk({ appId: appB.id });
  pkB = await ts.createPk({ appId: appB.id, actions: ["subscribe", "publish", "presence", "send"] });
});
afterAll(async () => {
  await ts?.stop();
});

const id = (c: Client): string => c.welcome?.peerId as string;

describe("apps are isolated", () => {
  it("the same channel name in two apps is two channels (messages)", async () => {
    const channel = uniq("lobby");
    const a = await ts.connectJwt({ sub: peer("a") }, skA);
    const aPub = await ts.connectJwt({ sub: peer("a-pub") }, skA);
    const b = await ts.connectJwt({ sub: peer("b") }, skB);
    const bPub = await ts.connectPk(pkB);
    await a.subscribe(channel);
    expect(await b.subscribe(channel), "app B's snapshot does not list app A's peer").toEqual({
      type: "presence",
      channel,
      joined: [],
      left: [],
    });
    await a.quiet();

    await aPub.publish(channel, "for A");
    expect(await a.next()).toMatchObject({ type: "message", channel, data: "for A" });
    await b.quiet();
    await bPub.publish(channel, "for B");
    expect(await b.next()).toMatchObject({ type: "message", channel, data: "for B" });
    await a.quiet();
  });

  it("presence does not cross apps (joins and leaves)", async () => {
    const channel = uniq("lobby");
    const a = await ts.connectJwt({ sub: peer("a") }, skA);
    await a.subscribe(channel);
    const b = await ts.connectJwt({ sub: peer("b") }, skB);
    await b.subscribe(channel);
    await b.close();
    await a.quiet();
  });

  it("a pattern subscriber in one app gets nothing from the other", async () => {
    const p = uniq("room");
    const wA = await ts.connectJwt({ sub: peer("w") }, skA);
    await wA.subscribe(`${p}-*`, { snapshot: false });
    const wAll = await ts.connectJwt({ sub: peer("wall") }, skA);
    await wAll.subscribe("**", { snapshot: false });
    const bPub = await ts.connectJwt({ sub: peer("b") }, skB);
    await bPub.publish(`${p}-1`, "B only");
    await wA.quiet();
    await wAll.quiet();
  });

  it("send to a peer that exists only in another app → peer_not_found", async () => {
    const a = await ts.connectJwt({ sub: peer("a") }, skA);
    const bJwt = await ts.connectJwt({ sub: peer("b") }, skB);
    const bPk = await ts.connectPk(pkB);
    await a.fails({ type: "send", to: id(bJwt), data: 1 }, "peer_not_found");
    await a.fails({ type: "send", to: id(bPk), data: 1 }, "peer_not_found");
    await bPk.fails({ type: "send", to: id(a), data: 1 }, "peer_not_found");
    await bJwt.quiet();
    await bPk.quiet();
    await a.quiet();
  });

  it("the same peerId in two apps is two peers", async () => {
    const sub = peer("twin");
    const inA = await ts.connectJwt({ sub }, skA);
    const inB = await ts.connectJwt({ sub }, skB);
    const senderA = await ts.connectJwt({ sub: peer("sender") }, skA);
    await senderA.ok({ type: "send", to: sub, data: "to A's twin" });
    expect(await inA.next()).toMatchObject({ type: "direct", data: "to A's twin" });
    await inB.quiet();

    const channel = uniq("lobby");
    await inA.subscribe(channel);
    expect(await inB.subscribe(channel)).toMatchObject({ joined: [] });
    await inB.close();
    await inA.quiet();
  });
});

describe("channels are isolated", () => {
  it("publishes reach exactly the channel's subscribers", async () => {
    const base = uniq("c");
    const near = [`${base}/b`, base.toUpperCase(), `${base} `, ` ${base}`, `${base}x`, base.slice(0, -1)];
    const subs = await Promise.all(near.map(() => ts.connectPk()));
    for (const [i, s] of subs.entries()) await s.subscribe(near[i] as string);
    const target = await ts.connectPk();
    await target.subscribe(base);
    const pub = await ts.connectPk();
    await pub.publish(base, "exact");
    expect(await target.next()).toMatchObject({ type: "message", channel: base, data: "exact" });
    for (const s of subs) await s.quiet();
  });

  it("a ** subscriber sees no internal traffic (direct messages, presence, kicks of others)", async () => {
    const all = await ts.connectJwt({ sub: peer("all") });
    await all.subscribe("**", { snapshot: false });
    const x = await ts.connectJwt({ sub: peer("x") });
    const y = await ts.connectJwt({ sub: peer("y") });
    await x.ok({ type: "send", to: id(y), data: "secret" });
    expect(await y.next()).toMatchObject({ type: "direct", data: "secret" });
    const channel = uniq("room");
    await x.subscribe(channel);
    await y.subscribe(channel);
    await y.close();
    const pk = await ts.createPk();
    const z = await ts.connectPk(pk);
    await ts.store.revokeKey(pk);
    await z.waitClose(4_000);
    await all.quiet();
  });
});

/**
 * Frames a confused or hostile client might send, with the error code each must get when the
 * answer is fixed by protocol.md (`undefined`: a valid or borderline frame; at most a snapshot).
 */
function garbage(): [frame: string | Buffer, code: string | undefined][] {
  const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
  const deepObj = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
  const M = "malformed_message";
  return [
    ["", M],
    [" ", M],
    ["\u0000", M],
    ["{", M],
    ["}", M],
    ["[]", M],
    ["{}", M],
    ["true", M],
    ["1e999", M],
    ['"\\ud800"', M],
    [deep(20_000), M],
    [deepObj(8_000), M],
    ['{"__proto__":{"type":"ping"}}', M],
    ['{"type":"__proto__"}', "unknown_type"],
    ['{"type":"hasOwnProperty"}', "unknown_type"],
    ['{"type":"valueOf","requestId":"v"}', "unknown_type"],
    ['{"type":"subscribe","channel":{"toString":"x"}}', M],
    ['{"type":"send","to":"__proto__","data":1}', "peer_not_found"],
    ['{"type":"send","to":"constructor","data":1}', "peer_not_found"],
    [`{"type":"ping","requestId":"${"x".repeat(10_000)}"}`, M],
    [`{"type":"publish","channel":"${"c".repeat(60_000)}","data":1}`, "invalid_channel"],
    ['{"type":"ping","requestId":"a","requestId":{"b":1}}', M],
    [randomBytes(200).toString("latin1"), M],
    [`#${randomBytes(500).toString("base64")}`, M],
    ['{"type":"subscribe","channel":"x","__proto__":{"polluted":true}}', undefined],
    ['{"type":"subscribe","channel":"\\ud800"}', undefined],
    ['{"type":"publish","channel":"x","data":1,"data":2}', undefined],
    ['{"type":"publish","channel":"constructor","data":1}', undefined],
    ['{"type":"subscribe","channel":"__proto__"}', undefined],
    ['{"type":"unsubscribe","channel":"__proto__"}', undefined],
    [Buffer.from([0xff, 0xfe, 0x00, 0x01]), undefined], // invalid UTF-8 in a text frame
    [Buffer.from("binary garbage"), undefined], // sent as a binary frame
  ];
}

describe("garbage never crashes the server or leaks", () => {
  it("a barrage of garbage gets error frames (or a close), and others are unaffected", async () => {
    const channel = uniq("safe");
    const bystander = await ts.connectJwt({ sub: peer("bystander") });
    await bystander.subscribe(channel);
    const bystanderB = await ts.connectJwt({ sub: peer("bystander") }, skB);
    await bystanderB.subscribe("**", { snapshot: false });

    const attacker = await ts.connectJwt({ sub: peer("attacker") });
    const frames = garbage();
    for (const [i, [g]] of frames.entries()) attacker.sendRaw(g, i === frames.length - 1);
    attacker.send({ type: "ping", requestId: "done" });
    // Every reply must be a well-formed server frame; none may be a message from elsewhere.
    for (;;) {
      const f = await attacker.next(5_000).catch(() => undefined);
      if (!f) break; // closed: allowed for invalid UTF-8 / binary input
      if (f.type === "pong" && f.requestId === "done") break;
      expect(["error", "presence"]).toContain(f.type);
      if (f.type === "error") expect(typeof f.code).toBe("string");
    }
    // The server is alive and serving everybody else normally.
    const res = await fetch(`${ts.httpUrl}/healthz`);
    expect(res.status).toBe(200);
    await res.body?.cancel();
    const pub = await ts.connectPk();
    await pub.publish(channel, "still here");
    expect(await bystander.next()).toMatchObject({ type: "message", data: "still here" });
    await bystander.quiet();
    await bystanderB.quiet();
    expect(({} as Record<string, unknown>).polluted, "no prototype pollution").toBeUndefined();
  });

  it("each text garbage frame gets its error (at most one reply) and the socket stays open", async () => {
    const attacker = await ts.connectJwt({ sub: peer("attacker") });
    for (const [g, code] of garbage()) {
      if (typeof g !== "string") continue;
      attacker.sendRaw(g);
      const requestId = `after-${code}`;
      attacker.send({ type: "ping", requestId });
      const replies = [];
      for (;;) {
        const f = await attacker.next();
        if (f.type === "pong" && f.requestId === requestId) break;
        replies.push(f);
      }
      const what = `replies to ${JSON.stringify(g.slice(0, 60))}`;
      if (code !== undefined) {
        expect(replies, what).toEqual([
          expect.objectContaining({ type: "error", code, message: expect.any(String) }),
        ]);
      } else {
        expect(replies.length, what).toBeLessThanOrEqual(1);
        for (const f of replies) expect(["error", "presence"], what).toContain(f.type);
      }
    }
    await attacker.quiet();
  });

  it("a valid subscribe to channel names like __proto__ and constructor works normally", async () => {
    const a = await ts.connectPk();
    const b = await ts.connectPk();
    for (const channel of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      await a.subscribe(channel);
      await b.publish(channel, channel);
      expect(await a.next()).toMatchObject({ type: "message", channel, data: channel });
    }
  });

  it("send to peerIds like __proto__ → peer_not_found", async () => {
    const a = await ts.connectJwt({ sub: peer("a") });
    for (const to of ["__proto__", "constructor", "toString", "prototype"]) {
      await a.fails({ type: "send", to, data: 1 }, "peer_not_found");
    }
  });
});
