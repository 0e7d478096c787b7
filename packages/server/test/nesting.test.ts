/**
 * JSON nested deeper than the server can re-serialise (protocol limit `maxJsonDepth`, [ours]) is
 * refused as `malformed_message` before anything is accepted, and never takes the process down.
 */
import { Limits } from "@switchboard/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { peer, rid, startServer, type TestServer, uniq } from "./helpers.js";

let ts: TestServer;
beforeAll(async () => {
  ts = await startServer();
});
afterAll(async () => {
  await ts?.stop();
});

const nested = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;

describe("deeply nested data", () => {
  it("publish and send with 20,000 levels get malformed_message; the subscriber gets nothing", async () => {
    const channel = uniq("deep");
    const subscriber = await ts.connectJwt({ sub: peer("sub") });
    await subscriber.subscribe(channel);
    const sender = await ts.connectJwt({ sub: peer("sender") });
    for (const frame of [
      `{"type":"publish","channel":"${channel}","requestId":"p","data":${nested(20_000)}}`,
      `{"type":"send","to":"${subscriber.welcome?.peerId}","requestId":"s","data":${nested(20_000)}}`,
    ]) {
      sender.sendRaw(frame);
      expect(await sender.next()).toMatchObject({ type: "error", code: "malformed_message" });
    }
    await subscriber.quiet();
    // Still serving.
    await sender.publish(channel, "after");
    expect(await subscriber.next()).toMatchObject({ type: "message", data: "after" });
  });

  it("data nested just within the limit is delivered intact", async () => {
    const channel = uniq("deep-ok");
    const subscriber = await ts.connectJwt({ sub: peer("sub") });
    await subscriber.subscribe(channel);
    const sender = await ts.connectJwt({ sub: peer("sender") });
    // The frame object is level 1, so data may open maxJsonDepth − 1 levels.
    const data = JSON.parse(nested(Limits.maxJsonDepth - 1));
    const requestId = rid();
    sender.send({ type: "publish", channel, requestId, data });
    expect(await sender.next()).toEqual({ type: "ack", requestId });
    expect(await subscriber.next()).toEqual({ type: "message", channel, from: sender.welcome?.peerId, data });
  });
});
