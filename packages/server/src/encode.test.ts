import { createRequire } from "node:module";
import type { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { frameBytes, payloadOf, stampFrame } from "./encode.js";

// ws's frame parser, as its client side uses it (exported at runtime, absent from @types/ws).
const { Receiver } = createRequire(import.meta.url)("ws") as {
  Receiver: new (options: { isServer: boolean }) => Writable;
};

/** Decodes `bytes` as a client would (ws's own parser); resolves the text of the one frame in it. */
function readAsClient(bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const receiver = new Receiver({ isServer: false });
    receiver.on("message", (data: Buffer, isBinary: boolean) =>
      isBinary ? reject(new Error("binary")) : resolve(data.toString("utf8")),
    );
    receiver.on("error", reject);
    receiver.write(bytes);
  });
}

describe("frameBytes", () => {
  // Payload lengths on both sides of the 7-bit / 16-bit / 64-bit length boundaries.
  for (const size of [0, 1, 125, 126, 127, 65_535, 65_536, 70_000]) {
    it(`builds one complete unmasked text frame around a ${size}-char data string`, async () => {
      const data = "é".repeat(Math.floor(size / 2)) + "x".repeat(size % 2);
      const frame = frameBytes({ type: "message", channel: "c", from: "p", data });
      const text = await readAsClient(frame.bytes);
      expect(JSON.parse(text)).toEqual({ type: "message", channel: "c", from: "p", data });
      expect(payloadOf(frame).toString("utf8")).toBe(text);
      expect(frame.bytes[0]).toBe(0x81);
      expect((frame.bytes[1] ?? 0) & 0x80).toBe(0);
    });
  }
});

describe("stampFrame", () => {
  it.each([
    ["short", "hi", { n: "x" }],
    ["medium", "x".repeat(200), { n: "y".repeat(10) }],
    ["crossing 64 KiB", "z".repeat(65_500), { name: "é".repeat(40) }],
  ])("equals the frame encoded with fromMetadata (%s payload)", async (_, data, fromMetadata) => {
    const message = { type: "message", channel: "room/1", from: "p1", data } as const;
    const stamped = stampFrame(frameBytes(message), Buffer.from(JSON.stringify(fromMetadata)));
    expect(stamped.bytes.equals(frameBytes({ ...message, fromMetadata }).bytes)).toBe(true);
    expect(JSON.parse(await readAsClient(stamped.bytes))).toEqual({ ...message, fromMetadata });
  });
});
