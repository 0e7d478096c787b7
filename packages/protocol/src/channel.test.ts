import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  channelError,
  hasWildcard,
  isReservedChannel,
  isValidPeerId,
  literalName,
  utf8Length,
} from "./channel.js";

describe("utf8Length", () => {
  it.each([
    ["", 0],
    ["abc", 3],
    ["é", 2], // U+00E9
    ["߿", 2], // U+07FF, last 2-byte code point
    ["ࠀ", 3], // U+0800
    ["€", 3],
    ["😀", 4], // surrogate pair
    ["a😀b", 6],
    ["\ud800", 3], // lone high surrogate
    ["\udc00", 3], // lone low surrogate
    ["\udc00\ud800", 6], // reversed pair is two lone surrogates
    ["\ud800a", 4],
  ])("%j is %i bytes", (s, bytes) => {
    expect(utf8Length(s)).toBe(bytes);
  });

  it("agrees with TextEncoder on well-formed strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
      }),
    );
  });

  it("agrees with TextEncoder on arbitrary UTF-16 (lone surrogates become 3-byte U+FFFD)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme-composite" }),
        fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) }),
        (s, surrogates) => {
          const mixed = s + surrogates + s;
          expect(utf8Length(mixed)).toBe(new TextEncoder().encode(mixed).length);
        },
      ),
    );
  });
});

describe("channelError", () => {
  it("accepts ordinary names and patterns", () => {
    for (const name of [
      "room-42",
      "a",
      "app_x/**",
      "room-*",
      "ünïcødé/😀",
      "with space",
      "~!@#$%^&()",
      "\\*",
    ]) {
      expect(channelError(name)).toBeNull();
    }
  });

  it("rejects the empty name", () => {
    expect(channelError("")).toBe("invalid_channel");
  });

  it("counts the 256-byte limit in UTF-8 bytes, not characters", () => {
    expect(channelError("a".repeat(256))).toBeNull();
    expect(channelError("a".repeat(257))).toBe("invalid_channel");
    expect(channelError("é".repeat(128))).toBeNull(); // 128 chars, 256 bytes
    expect(channelError(`${"é".repeat(128)}a`)).toBe("invalid_channel"); // 257 bytes
    expect(channelError(`${"€".repeat(85)}a`)).toBeNull(); // 255 + 1
    expect(channelError(`${"€".repeat(85)}é`)).toBe("invalid_channel"); // 255 + 2
    expect(channelError("😀".repeat(64))).toBeNull(); // 64 pairs = 128 UTF-16 units, 256 bytes
    expect(channelError(`${"😀".repeat(64)}a`)).toBe("invalid_channel");
  });

  it("rejects C0 controls and DEL, but not their neighbours", () => {
    for (let c = 0; c <= 0x1f; c++)
      expect(channelError(`a${String.fromCharCode(c)}b`)).toBe("invalid_channel");
    expect(channelError("a\u007fb")).toBe("invalid_channel");
    expect(channelError("\u0000")).toBe("invalid_channel");
    expect(channelError("a\u0020b")).toBeNull();
    expect(channelError("a~b")).toBeNull();
    expect(channelError("a\u0080b")).toBeNull(); // C1 controls are not in the spec's list
  });

  it("rejects lone surrogates anywhere, accepts proper pairs", () => {
    expect(channelError("\ud83d")).toBe("invalid_channel");
    expect(channelError("a\ude00")).toBe("invalid_channel");
    expect(channelError("\ude00\ud83d")).toBe("invalid_channel");
    expect(channelError("x\ud83d\ud83d\ude00")).toBe("invalid_channel"); // one lone high before a pair
    expect(channelError("\ud83d\ude00")).toBeNull();
  });

  it("flags reserved prefixes, for names and patterns", () => {
    for (const name of ["_metered/x", "_internal/", "_system/a/b", "_system/**", "_internal/*"]) {
      expect(channelError(name)).toBe("channel_reserved");
    }
    for (const name of ["_metered", "_system", "x/_system/", "_System/x", "_systemx/", "\\_system/"]) {
      expect(channelError(name)).toBeNull();
    }
  });

  it("reports invalidity before reservation", () => {
    expect(channelError("_system/\u0000")).toBe("invalid_channel");
    expect(channelError(`_system/${"a".repeat(250)}`)).toBe("invalid_channel");
  });

  it("never throws", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        expect([null, "invalid_channel", "channel_reserved"]).toContain(channelError(s));
      }),
    );
  });
});

describe("isReservedChannel", () => {
  it("checks the prefixes only", () => {
    expect(isReservedChannel("_metered/a")).toBe(true);
    expect(isReservedChannel("_internal/")).toBe(true);
    expect(isReservedChannel("_system/")).toBe(true);
    expect(isReservedChannel("_system")).toBe(false);
    expect(isReservedChannel("a/_system/")).toBe(false);
  });
});

describe("hasWildcard", () => {
  it.each([
    ["room", false],
    ["room-*", true],
    ["**", true],
    ["\\*", false],
    ["a\\*b", false],
    ["\\\\*", true], // literal backslash, then a wildcard
    ["\\\\\\*", false], // literal backslash, then literal star
    ["\\a*", true], // a backslash before `a` escapes nothing
    ["\\", false],
    ["a\\", false],
    ["", false],
  ])("%j → %s", (name, expected) => {
    expect(hasWildcard(name)).toBe(expected);
  });
});

describe("literalName", () => {
  it.each([
    ["room-42", "room-42"],
    ["a\\*b", "a*b"],
    ["a\\\\b", "a\\b"],
    ["\\\\\\*", "\\*"],
    ["a\\b", "a\\b"], // other backslashes stay
    ["a\\", "a\\"], // trailing backslash stays
    ["\\\\\\", "\\\\"],
    ["", ""],
  ])("%j → %j", (name, literal) => {
    expect(literalName(name)).toBe(literal);
  });

  it("leaves unescaped stars alone (patterns are not names)", () => {
    expect(literalName("a*\\*")).toBe("a**");
  });
});

describe("isValidPeerId", () => {
  it("accepts printable ASCII of 1..128 chars", () => {
    expect(isValidPeerId("a")).toBe(true);
    expect(isValidPeerId(" ")).toBe(true);
    expect(isValidPeerId("~")).toBe(true);
    expect(isValidPeerId("user:42 <x@y>")).toBe(true);
    expect(isValidPeerId("a".repeat(128))).toBe(true);
  });

  it("rejects empty, too long, non-ASCII, controls and non-strings", () => {
    expect(isValidPeerId("")).toBe(false);
    expect(isValidPeerId("a".repeat(129))).toBe(false);
    expect(isValidPeerId("é")).toBe(false);
    expect(isValidPeerId("a\u007f")).toBe(false);
    expect(isValidPeerId("a\u001f")).toBe(false);
    expect(isValidPeerId("a\n")).toBe(false);
    expect(isValidPeerId("😀")).toBe(false);
    for (const value of [undefined, null, 42, {}, ["a"], true]) expect(isValidPeerId(value)).toBe(false);
  });
});
