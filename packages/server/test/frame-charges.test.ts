/**
 * protocol.md §3 "every frame pays" (hardening): a `ping` of at most 256 bytes is free, its size
 * checked before it is parsed; larger pings and every binary frame are charged to the connection's
 * rate bucket like any other frame (before: 400 of each went through with no 4011).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer, uniq } from "./helpers.js";

/** A ping frame whose JSON text is exactly `bytes` long (padded with an unknown field). */
function pingOfSize(bytes: number, requestId: string): string {
  const base = JSON.stringify({ type: "ping", requestId, pad: "" });
  const frame = JSON.stringify({ type: "ping", requestId, pad: "x".repeat(bytes - base.length) });
  expect(Buffer.byteLength(frame)).toBe(bytes);
  return frame;
}

describe("rate charges (burst 20, 1 frame/s)", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer({ rateFramesPerSec: 1, rateBurst: 20 });
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("400 binary frames close the socket with 4011", async () => {
    const c = await ts.connectPk();
    for (let i = 0; i < 400; i++) c.sendRaw(Buffer.from([0x7b, i & 0xff]), true);
    expect((await c.waitCloseFrame(5_000)).code).toBe(4011);
    // The ones within the burst were answered before the close.
    expect(c.queue.length).toBeGreaterThan(0);
    expect(c.queue.every((f) => f.type === "error" && f.code === "malformed_message")).toBe(true);
  });

  it("400 pings of 257 bytes close the socket with 4011", async () => {
    const c = await ts.connectPk();
    for (let i = 0; i < 400; i++) c.sendRaw(pingOfSize(257, `big${i}`));
    expect((await c.waitCloseFrame(5_000)).code).toBe(4011);
  });

  it("a 257-byte ping costs a token: 20 of them spend the burst, the next publish closes with 4011", async () => {
    const c = await ts.connectPk();
    for (let i = 0; i < 20; i++) c.sendRaw(pingOfSize(257, `p${i}`));
    for (let i = 0; i < 20; i++) expect(await c.next()).toEqual({ type: "pong", requestId: `p${i}` });
    c.send({ type: "publish", channel: uniq("after"), data: 1 });
    expect((await c.waitCloseFrame(5_000)).code).toBe(4011);
  });

  it("400 pings of exactly 256 bytes are free: every one gets its pong and the burst is untouched", async () => {
    const c = await ts.connectPk();
    for (let i = 0; i < 400; i++) c.sendRaw(pingOfSize(256, `s${i}`));
    for (let i = 0; i < 400; i++) expect(await c.next()).toEqual({ type: "pong", requestId: `s${i}` });
    const channel = uniq("burst");
    for (let i = 0; i < 15; i++) c.send({ type: "publish", channel, data: i });
    await c.quiet();
    expect(c.isOpen).toBe(true);
  });

  it("a small frame that is not a ping still pays (garbage under 256 bytes)", async () => {
    const c = await ts.connectPk();
    for (let i = 0; i < 400; i++) c.sendRaw("garbage");
    expect((await c.waitCloseFrame(5_000)).code).toBe(4011);
  });
});
