import { Limits } from "@switchboard/protocol";
import { describe, expect, it } from "vitest";
import { payloadOf } from "./encode.js";
import { encodeLeft, encodeMember, presenceFrames } from "./presence-frames.js";

const decode = (frames: Iterable<{ bytes: Buffer }>) =>
  [...frames].map((f) => JSON.parse(payloadOf(f).toString("utf8")) as Record<string, unknown>);

describe("presenceFrames", () => {
  it("is one frame, exactly as encodeFrame would write it, when it fits", () => {
    const frames = decode(
      presenceFrames(
        "room \u00e9",
        [encodeLeft("x")],
        [encodeMember("a", { n: 1 }), encodeMember("b", undefined)],
      ),
    );
    expect(frames).toEqual([
      {
        type: "presence",
        channel: "room \u00e9",
        joined: [{ peerId: "a", metadata: { n: 1 } }, { peerId: "b" }],
        left: [{ peerId: "x" }],
      },
    ]);
  });

  it("an empty change is still one frame (an empty snapshot)", () => {
    expect(decode(presenceFrames("c", [], []))).toEqual([
      { type: "presence", channel: "c", joined: [], left: [] },
    ]);
  });

  it("splits at the frame limit, every left before every joined, nothing lost or repeated", () => {
    const metadata = { blob: "é".repeat(1_800) }; // multi-byte: sizes are UTF-8 bytes, not characters
    const joined = Array.from({ length: 100 }, (_, i) => encodeMember(`peer-${i}`, metadata));
    const left = Array.from({ length: 3_000 }, (_, i) => encodeLeft(`gone-${i}`));
    const raw = [...presenceFrames("c", left, joined)];
    expect(raw.length).toBeGreaterThan(3);
    for (const frame of raw) expect(payloadOf(frame).length).toBeLessThanOrEqual(Limits.maxFrameBytes);
    const frames = decode(raw);
    const lefts = frames.flatMap((f) => f.left as { peerId: string }[]).map((m) => m.peerId);
    const joins = frames.flatMap((f) => f.joined as { peerId: string }[]).map((m) => m.peerId);
    expect(lefts).toEqual(left.map((m) => m.peerId));
    expect(joins).toEqual(joined.map((m) => m.peerId));
    const firstJoin = frames.findIndex((f) => (f.joined as unknown[]).length > 0);
    const lastLeave = frames.findLastIndex((f) => (f.left as unknown[]).length > 0);
    expect(lastLeave).toBeLessThanOrEqual(firstJoin);
  });

  it("fills frames up to the limit", () => {
    const joined = Array.from({ length: 300 }, (_, i) =>
      encodeMember(`p${i}`, { pad: "x".repeat(4_000 - 12) }),
    );
    const raw = [...presenceFrames("c", [], joined)];
    const total = raw.reduce((sum, f) => sum + payloadOf(f).length, 0);
    expect(raw.length).toBe(Math.ceil(total / Limits.maxFrameBytes));
  });
});
