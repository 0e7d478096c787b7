import { createHmac } from "node:crypto";
import type { JsonObject } from "@switchboard/protocol";
import { describe, expect, it } from "vitest";
import { defaults } from "../config.js";
import type { KeyRecord } from "../store/types.js";
import type { Identity } from "./authenticate.js";
import { turnSettingsOf, welcomeMetadata } from "./ice-servers.js";
import { createScope } from "./scope.js";

const SECRET = "coturn-shared-secret";
const turn = {
  secret: SECRET,
  urls: ["stun:turn.example:3478", "turn:turn.example:3478?transport=udp", "turns:turn.example:5349"],
  ttlSec: 3_600,
};
const NOW_MS = 1_700_000_000_250; // deliberately not on a whole second
const NOW = Math.floor(NOW_MS / 1000);

function identity(options: {
  expiresAt: number | null;
  metadata?: JsonObject;
  autoInjectTurn?: boolean;
  peerId?: string;
}): Identity {
  const record: KeyRecord = {
    id: options.expiresAt === null ? "pk_live_x" : "sk_id_x",
    type: options.expiresAt === null ? "publishable" : "secret",
    appId: "app_1",
    channelPatterns: ["**"],
    actions: ["subscribe"],
    allowedOrigins: [],
    autoInjectTurn: options.autoInjectTurn ?? true,
    revoked: false,
    createdAt: 0,
    revokedAt: null,
  };
  return {
    key: { record, scope: createScope(["**"], ["subscribe"]) },
    appId: "app_1",
    peerId: options.peerId ?? "alice",
    scope: createScope(["**"], ["subscribe"]),
    expiresAt: options.expiresAt,
    metadata: options.metadata ?? {},
    peerMetadata: undefined,
  };
}

const hmac = (username: string) => createHmac("sha1", SECRET).update(username).digest("base64");

/** The iceServers expected for `peerId` expiring at `expiry` with the URLs of {@link turn}. */
const expected = (expiry: number, peerId = "alice") => [
  { urls: ["stun:turn.example:3478"] },
  {
    urls: ["turn:turn.example:3478?transport=udp", "turns:turn.example:5349"],
    username: `${expiry}:${peerId}`,
    credential: hmac(`${expiry}:${peerId}`),
  },
];

describe("welcome metadata with TURN injection", () => {
  it("injects credentials that expire with the token", () => {
    const metadata = welcomeMetadata(identity({ expiresAt: NOW + 600 }), turn, NOW_MS);
    expect(metadata).toEqual({ iceServers: expected(NOW + 600) });
  });

  it("rounds the token's remaining life up (a token with 0.75 s left gets 1 s)", () => {
    const metadata = welcomeMetadata(identity({ expiresAt: NOW + 1 }), turn, NOW_MS);
    expect(metadata).toEqual({ iceServers: expected(NOW + 1) });
  });

  it("caps the lifetime at the configured TTL", () => {
    const metadata = welcomeMetadata(identity({ expiresAt: NOW + 86_400 }), turn, NOW_MS);
    expect(metadata).toEqual({ iceServers: expected(NOW + 3_600) });
  });

  it("gives publishable-key connections (no exp) the configured TTL, for their own peerId", () => {
    const metadata = welcomeMetadata(identity({ expiresAt: null, peerId: "0b7c-uuid" }), turn, NOW_MS);
    expect(metadata).toEqual({ iceServers: expected(NOW + 3_600, "0b7c-uuid") });
  });

  it("gives publishable-key connections at most publishableTtlSec, itself capped by the TTL", () => {
    const short = welcomeMetadata(
      identity({ expiresAt: null, peerId: "pk-peer" }),
      { ...turn, publishableTtlSec: 120 },
      NOW_MS,
    );
    expect(short).toEqual({ iceServers: expected(NOW + 120, "pk-peer") });
    const long = welcomeMetadata(
      identity({ expiresAt: null, peerId: "pk-peer" }),
      { ...turn, publishableTtlSec: 99_999 },
      NOW_MS,
    );
    expect(long).toEqual({ iceServers: expected(NOW + 3_600, "pk-peer") });
  });

  it("keeps the rest of the JWT metadata", () => {
    const jwt = { room: "r1", nested: { a: [1, 2] } };
    const metadata = welcomeMetadata(identity({ expiresAt: NOW + 60, metadata: jwt }), turn, NOW_MS);
    expect(metadata).toEqual({ room: "r1", nested: { a: [1, 2] }, iceServers: expected(NOW + 60) });
    expect(jwt).toEqual({ room: "r1", nested: { a: [1, 2] } });
  });

  it("passes a JWT's own iceServers through untouched, whatever their value", () => {
    for (const own of [[{ urls: "turn:mine.example" }], [], null, "not even a list"]) {
      const jwt = { iceServers: own, room: "r1" } as JsonObject;
      expect(welcomeMetadata(identity({ expiresAt: NOW + 60, metadata: jwt }), turn, NOW_MS)).toBe(jwt);
    }
  });

  it("injects nothing for keys without autoInjectTurn", () => {
    const jwt = { room: "r1" };
    const id = identity({ expiresAt: NOW + 60, metadata: jwt, autoInjectTurn: false });
    expect(welcomeMetadata(id, turn, NOW_MS)).toBe(jwt);
    expect(welcomeMetadata(identity({ expiresAt: null, autoInjectTurn: false }), turn, NOW_MS)).toEqual({});
  });

  it("injects nothing when TURN is not configured", () => {
    const off = turnSettingsOf(defaults);
    expect(off.secret).toBeUndefined();
    expect(welcomeMetadata(identity({ expiresAt: NOW + 60 }), off, NOW_MS)).toEqual({});
  });

  it("maps the server config onto TURN settings", () => {
    const config = { turnSecret: "s", turnUrls: ["turn:a:3478"], turnTtlSec: 60, turnTtlPublishableSec: 30 };
    expect(turnSettingsOf(config)).toEqual({
      secret: "s",
      urls: ["turn:a:3478"],
      ttlSec: 60,
      publishableTtlSec: 30,
    });
  });
});
