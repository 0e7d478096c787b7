import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { mintIceServers } from "./turn.js";

const turn = {
  secret: "s3cret",
  urls: ["stun:127.0.0.1:3478", "turn:127.0.0.1:3478?transport=udp"],
  ttlSec: 600,
};

describe("TURN REST credentials", () => {
  it("follows the coturn use-auth-secret convention", () => {
    const minted = mintIceServers(turn, "alice", 300, 1_000);
    const username = "1300:alice";
    expect(minted).toEqual({
      expiresAt: 1300,
      iceServers: [
        { urls: ["stun:127.0.0.1:3478"] },
        {
          urls: ["turn:127.0.0.1:3478?transport=udp"],
          username,
          credential: createHmac("sha1", "s3cret").update(username).digest("base64"),
        },
      ],
    });
  });

  it("caps the lifetime at the configured TTL", () => {
    expect(mintIceServers(turn, "bob", 86_400, 1_000)?.expiresAt).toBe(1_600);
  });

  it("is off without a secret", () => {
    expect(mintIceServers({ ...turn, secret: undefined }, "alice", 60)).toBeUndefined();
  });
});
