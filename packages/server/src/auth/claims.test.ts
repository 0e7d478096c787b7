import { describe, expect, it } from "vitest";
import { parseConnectClaims } from "./claims.js";

const base = { sub: "alice", exp: 2_000_000_000, channels: ["room-*"], permissions: ["subscribe"] };

describe("connect claims", () => {
  it("accepts the required claims and keeps the optional ones", () => {
    expect(
      parseConnectClaims({ ...base, peerMetadata: { n: "A" }, metadata: {}, nbf: 1, iat: 1, iss: "x" }),
    ).toEqual({
      ...base,
      nbf: 1,
      iat: 1,
      metadata: {},
      peerMetadata: { n: "A" },
    });
  });

  it.each([
    ["missing sub", { ...base, sub: undefined }],
    ["empty sub", { ...base, sub: "" }],
    ["non-ASCII sub", { ...base, sub: "é" }],
    ["129-byte sub", { ...base, sub: "a".repeat(129) }],
    ["string exp", { ...base, exp: "2000000000" }],
    ["missing channels", { ...base, channels: undefined }],
    ["non-string channel", { ...base, channels: [1] }],
    ["empty channel pattern", { ...base, channels: [""] }],
    ["101 channels", { ...base, channels: Array.from({ length: 101 }, (_, i) => `c${i}`) }],
    ["unknown permission", { ...base, permissions: ["admin"] }],
    ["permissions not an array", { ...base, permissions: "subscribe" }],
    ["metadata array", { ...base, metadata: [] }],
    ["metadata over 8192 bytes", { ...base, metadata: { x: "a".repeat(8190) } }],
    ["peerMetadata over 4096 bytes", { ...base, peerMetadata: { x: "é".repeat(2045) } }],
    ["string nbf", { ...base, nbf: "1" }],
    ["numeric iss", { ...base, iss: 1 }],
  ])("refuses %s", (_, payload) => {
    expect(parseConnectClaims(payload)).toBeUndefined();
  });

  it("measures metadata caps in UTF-8 bytes of the JSON text", () => {
    const exactly4096 = { x: "a".repeat(4096 - '{"x":""}'.length) };
    expect(parseConnectClaims({ ...base, peerMetadata: exactly4096 })).toBeDefined();
    const oneOver = { x: "a".repeat(4097 - '{"x":""}'.length) };
    expect(parseConnectClaims({ ...base, peerMetadata: oneOver })).toBeUndefined();
  });
});
