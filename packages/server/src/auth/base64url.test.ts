import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeBase64url } from "./base64url.js";

describe("decodeBase64url", () => {
  it("decodes what Buffer encodes, for every length remainder", () => {
    for (let n = 0; n <= 40; n++) {
      const bytes = randomBytes(n);
      expect(decodeBase64url(bytes.toString("base64url"))).toEqual(bytes);
    }
  });

  it.each([
    ["a length that leaves one character over", "abcde"],
    ["padding", "YQ=="],
    ["standard-alphabet +", "a+bc"],
    ["standard-alphabet /", "a/bc"],
    ["a space", "ab c"],
    ["a dot", "ab.c"],
    ["non-ASCII", "abcé"],
    ["non-zero unused bits (2 characters)", "YR"], // "YQ" is the one spelling of "a"
    ["non-zero unused bits (3 characters)", "YWJ"], // "YWI" is the one spelling of "ab"
  ])("refuses %s", (_name, input) => {
    expect(decodeBase64url(input)).toBeUndefined();
  });

  it("accepts the canonical spellings next to the refused ones", () => {
    expect(decodeBase64url("YQ")?.toString()).toBe("a");
    expect(decodeBase64url("YWI")?.toString()).toBe("ab");
    expect(decodeBase64url("-_-_")).toEqual(Buffer.from([0xfb, 0xff, 0xbf]));
  });
});
