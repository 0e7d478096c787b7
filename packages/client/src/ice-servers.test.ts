import { describe, expect, it, vi } from "vitest";
import { validateIceServers } from "./ice-servers.js";

describe("validateIceServers", () => {
  it("keeps valid entries as fresh objects with only the known fields", () => {
    const input = [
      { urls: "stun:stun.example.com:3478" },
      {
        urls: ["turn:t.example.com:3478?transport=udp", "TURNS:t.example.com:5349"],
        username: "1:p",
        credential: "c",
      },
      { urls: "stuns:s.example.com", extra: "dropped" },
    ];
    const out = validateIceServers(input);
    expect(out).toEqual([
      { urls: "stun:stun.example.com:3478" },
      {
        urls: ["turn:t.example.com:3478?transport=udp", "TURNS:t.example.com:5349"],
        username: "1:p",
        credential: "c",
      },
      { urls: "stuns:s.example.com" },
    ]);
    expect(out[1]?.urls).not.toBe(input[1]?.urls);
  });

  it("returns [] for anything but an array", () => {
    for (const v of [undefined, null, "stun:x", 42, { urls: "stun:x" }])
      expect(validateIceServers(v)).toEqual([]);
  });

  it("drops invalid entries and logs them at debug without secrets", () => {
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const secret = "s3cr3t-credential";
    const out = validateIceServers(
      [
        null,
        "stun:x",
        { urls: [] },
        { urls: ["stun:ok", 5] },
        { urls: "http://x" },
        { urls: `stun:${"a".repeat(508)}` }, // 513 chars
        { urls: "turn:x", credential: "c".repeat(1025) },
        { urls: "turn:x", username: 7 },
        { urls: "turn:x", username: "u", credential: secret, password: "x" },
        { urls: `stun:${"a".repeat(507)}` }, // exactly 512
      ],
      logger,
    );
    expect(out).toEqual([
      { urls: "turn:x", username: "u", credential: secret },
      { urls: `stun:${"a".repeat(507)}` },
    ]);
    expect(logger.debug).toHaveBeenCalledTimes(8);
    expect(JSON.stringify(logger.debug.mock.calls)).not.toContain("c".repeat(20));
    expect(logger.info).not.toHaveBeenCalled();
  });

  it("considers at most 16 entries", () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ urls: `stun:s${i}` }));
    const out = validateIceServers(many);
    expect(out).toHaveLength(16);
    expect(out[15]).toEqual({ urls: "stun:s15" });
  });
});
