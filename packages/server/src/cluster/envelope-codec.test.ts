import { describe, expect, it } from "vitest";
import { CODEC_VERSION, decodeEnvelope, encodeEnvelope } from "./envelope-codec.js";
import type { Envelope } from "./types.js";

const origin = { from: "node-é", epoch: 0xdeadbeef, seq: 2 ** 47 + 5 };

describe("envelope codec", () => {
  it("round-trips every kind, with the frame as raw bytes after a small header", () => {
    const frame = Buffer.from([0, 1, 2, 255, 0x81, 0x7e]);
    const envelopes: Envelope[] = [
      { kind: "message", appId: "app_1", channel: "a:b", frame },
      { kind: "message", appId: "app_1", channel: "a", frame, fromMetadata: Buffer.from('{"k":1}') },
      { kind: "direct", appId: "app_1", to: "peer", frame },
      { kind: "presence", appId: "app_1", channel: "c", about: "peer", frame },
      { kind: "control", op: { type: "revoke", appId: "app_1", keyId: "pk_live_1" } },
    ];
    for (const envelope of envelopes) {
      const bytes = encodeEnvelope(envelope, origin);
      expect(bytes[0]).toBe(CODEC_VERSION);
      expect(decodeEnvelope(bytes)).toEqual({ ...origin, envelope });
    }
    const plain = encodeEnvelope({ kind: "message", appId: "app_1", channel: "a", frame }, origin);
    expect(plain.subarray(plain.length - frame.length)).toEqual(frame);
    expect(plain.length).toBe(14 + Buffer.byteLength(origin.from) + 2 + 5 + 2 + 1 + frame.length);
  });

  it("returns views of the input, not copies", () => {
    const bytes = encodeEnvelope({ kind: "direct", appId: "a", to: "b", frame: Buffer.from("xyz") }, origin);
    const { envelope } = decodeEnvelope(bytes);
    if (envelope.kind !== "direct") throw new Error("kind");
    expect(envelope.frame.buffer).toBe(bytes.buffer);
  });

  it("rejects malformed input with RangeError", () => {
    const good = encodeEnvelope(
      { kind: "presence", appId: "app", channel: "c", about: "p", frame: Buffer.from("f") },
      origin,
    );
    const bad = [
      Buffer.alloc(0),
      Buffer.from([9, ...good.subarray(1)]),
      Buffer.from([CODEC_VERSION, 99, ...good.subarray(2)]),
      good.subarray(0, 20),
      encodeEnvelope({ kind: "control", op: { type: "suspend", appId: "a" } }, origin).subarray(0, -1),
    ];
    for (const bytes of bad) expect(() => decodeEnvelope(bytes)).toThrow(RangeError);
  });

  it("refuses fields too long for the layout", () => {
    const long = "x".repeat(70_000);
    expect(() =>
      encodeEnvelope({ kind: "message", appId: "a", channel: long, frame: Buffer.alloc(0) }, origin),
    ).toThrow(RangeError);
    expect(() =>
      encodeEnvelope({ kind: "control", op: { type: "suspend", appId: "a" } }, { ...origin, from: long }),
    ).toThrow(RangeError);
  });
});
