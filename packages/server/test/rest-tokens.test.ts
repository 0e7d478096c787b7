/**
 * protocol.md §11 `POST /v1/tokens`: minted tokens carry the §2 claims, are signed with the
 * calling key (`kid`), connect over WebSocket, default to the key's scope, and every cap or
 * out-of-scope request is refused (400 / 403 / 413) with `{error, message}`.
 */
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ALL_ACTIONS,
  asciiOfLength,
  nowSec,
  peer,
  type SecretKey,
  startServer,
  type TestServer,
} from "./helpers.js";
import { type RestResponse, rest } from "./rest-client.js";

const mint = (ts: TestServer, body: unknown, auth?: SecretKey): Promise<RestResponse> =>
  rest(ts, "POST", "/v1/tokens", auth ? { body, auth } : { body });

function expectError(response: RestResponse, status: number, error: string): void {
  expect(response.status, response.text).toBe(status);
  expect(response.body).toEqual({ error, message: expect.any(String) });
}

/** A JSON object whose serialization is exactly `bytes` long. */
const objectOfSize = (bytes: number): Record<string, string> => ({ a: "x".repeat(bytes - 8) });

describe("POST /v1/tokens", () => {
  let ts: TestServer;
  let narrow: SecretKey;
  beforeAll(async () => {
    ts = await startServer();
    narrow = await ts.createSk({ channelPatterns: ["room-*", "chat/**"], actions: ["subscribe", "publish"] });
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("mints an HS256 token with the key's kid, the claims asked for, and the default 3600 s", async () => {
    const before = nowSec();
    const response = await mint(ts, {
      peerId: "alice",
      channels: ["room-1", "lobby"],
      permissions: ["subscribe", "presence"],
      metadata: { role: "host" },
      peerMetadata: { name: "Alice" },
    });
    expect(response.status, response.text).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(["expiresAt", "token"]);
    const { token, expiresAt } = response.body;
    expect(decodeProtectedHeader(token)).toEqual({ alg: "HS256", kid: ts.sk.id });
    const claims = decodeJwt(token);
    expect(claims).toEqual({
      sub: "alice",
      channels: ["room-1", "lobby"],
      permissions: ["subscribe", "presence"],
      metadata: { role: "host" },
      peerMetadata: { name: "Alice" },
      iat: expect.any(Number),
      exp: expiresAt,
    });
    expect(expiresAt - (claims.iat as number)).toBe(3600);
    expect(claims.iat).toBeGreaterThanOrEqual(before);
  });

  it("a minted token connects over WebSocket with its peerId, expiry and metadata", async () => {
    const peerId = peer("ws");
    const { body } = await mint(ts, { peerId, metadata: { room: 7 } });
    const client = await ts.connect({ token: body.token });
    expect(client.welcome).toMatchObject({
      type: "welcome",
      peerId,
      expiresAt: body.expiresAt,
      metadata: { room: 7 },
    });
    await client.subscribe("anything");
  });

  it("defaults channels and permissions to the key's, and the token is bound to them", async () => {
    const response = await mint(ts, { peerId: "bob" }, narrow);
    expect(response.status, response.text).toBe(200);
    const claims = decodeJwt(response.body.token);
    expect(claims).toMatchObject({ channels: ["room-*", "chat/**"], permissions: ["subscribe", "publish"] });
    expect(decodeProtectedHeader(response.body.token).kid).toBe(narrow.id);
    expect(claims).not.toHaveProperty("metadata");
    expect(claims).not.toHaveProperty("peerMetadata");

    const client = await ts.connect({ token: response.body.token });
    await client.subscribe("room-9", { snapshot: false });
    await client.fails({ type: "subscribe", channel: "lobby" }, "channel_not_authorized");
  });

  it("a secret key with all defaults grants every action and ** by default", async () => {
    const claims = decodeJwt((await mint(ts, { peerId: "carol" })).body.token);
    expect(claims).toMatchObject({ channels: ["**"], permissions: ALL_ACTIONS });
  });

  it('expiresInSec: 1 and 86400 are accepted; 0, 86401, 1.5 and "60" are 400', async () => {
    for (const seconds of [1, 86_400]) {
      const { status, body } = await mint(ts, { peerId: "dave", expiresInSec: seconds });
      expect(status).toBe(200);
      const claims = decodeJwt(body.token);
      expect(body.expiresAt - (claims.iat as number)).toBe(seconds);
    }
    for (const seconds of [0, 86_401, 1.5, "60", null]) {
      expectError(await mint(ts, { peerId: "dave", expiresInSec: seconds }), 400, "invalid_request");
    }
  });

  it("peerId must be 1–128 printable ASCII characters", async () => {
    const longest = asciiOfLength(128, "~ /?%#");
    const ok = await mint(ts, { peerId: longest });
    expect(ok.status).toBe(200);
    expect(decodeJwt(ok.body.token).sub).toBe(longest);
    for (const peerId of ["", asciiOfLength(129), "é", "tab\there", "new\nline", "\u007f", 42, null]) {
      expectError(await mint(ts, { peerId }), 400, "invalid_request");
    }
    expectError(await mint(ts, {}), 400, "invalid_request");
  });

  it("channels: at most 100 valid names or patterns", async () => {
    const hundred = Array.from({ length: 100 }, (_, i) => `room-${i}`);
    expect((await mint(ts, { peerId: "e", channels: hundred })).status).toBe(200);
    expect((await mint(ts, { peerId: "e", channels: [] })).status).toBe(200);
    const longest = "é".repeat(128); // 256 bytes
    expect((await mint(ts, { peerId: "e", channels: [longest] })).status).toBe(200);
    expectError(await mint(ts, { peerId: "e", channels: [...hundred, "room-x"] }), 400, "invalid_request");
    for (const channel of ["", `${longest}x`, "bad\u0000name", 7]) {
      expectError(await mint(ts, { peerId: "e", channels: [channel] }), 400, "invalid_request");
    }
    expectError(await mint(ts, { peerId: "e", channels: "room-1" }), 400, "invalid_request");
    expectError(await mint(ts, { peerId: "e", channels: ["_system/x"] }), 400, "channel_reserved");
  });

  it("permissions: at most 16 entries, each one of the four actions", async () => {
    const sixteen = Array.from({ length: 16 }, () => "publish");
    const ok = await mint(ts, { peerId: "f", permissions: sixteen });
    expect(ok.status).toBe(200);
    expect(decodeJwt(ok.body.token).permissions).toEqual(["publish"]);
    expectError(
      await mint(ts, { peerId: "f", permissions: [...sixteen, "publish"] }),
      400,
      "invalid_request",
    );
    for (const permissions of [["admin"], ["Publish"], [1], "publish"]) {
      expectError(await mint(ts, { peerId: "f", permissions }), 400, "invalid_request");
    }
  });

  it("channels outside the key's patterns → 403 channel_not_authorized", async () => {
    expect((await mint(ts, { peerId: "g", channels: ["room-*", "chat/a/b"] }, narrow)).status).toBe(200);
    for (const channels of [["lobby"], ["**"], ["room-1", "room/1"], ["chat*"]]) {
      expectError(await mint(ts, { peerId: "g", channels }, narrow), 403, "channel_not_authorized");
    }
  });

  it("permissions outside the key's actions → 403 action_not_permitted", async () => {
    expectError(
      await mint(ts, { peerId: "h", permissions: ["presence"] }, narrow),
      403,
      "action_not_permitted",
    );
    expectError(
      await mint(ts, { peerId: "h", permissions: ["subscribe", "send"] }, narrow),
      403,
      "action_not_permitted",
    );
  });

  it("metadata ≤ 8192 and peerMetadata ≤ 4096 bytes of JSON; objects only", async () => {
    expect((await mint(ts, { peerId: "i", metadata: objectOfSize(8192) })).status).toBe(200);
    expect((await mint(ts, { peerId: "i", peerMetadata: objectOfSize(4096) })).status).toBe(200);
    expectError(await mint(ts, { peerId: "i", metadata: objectOfSize(8193) }), 400, "invalid_request");
    expectError(await mint(ts, { peerId: "i", peerMetadata: objectOfSize(4097) }), 400, "invalid_request");
    // Multi-byte characters count as their UTF-8 bytes.
    expectError(
      await mint(ts, { peerId: "i", peerMetadata: { a: "é".repeat(2045) } }),
      400,
      "invalid_request",
    );
    for (const value of [[], "text", 1, null]) {
      expectError(await mint(ts, { peerId: "i", metadata: value }), 400, "invalid_request");
      expectError(await mint(ts, { peerId: "i", peerMetadata: value }), 400, "invalid_request");
    }
  });

  it("unknown fields, malformed JSON, non-objects and non-JSON content types → 400", async () => {
    expectError(await mint(ts, { peerId: "j", admin: true }), 400, "invalid_request");
    expectError(await mint(ts, { peerId: "j", sub: "k" }), 400, "invalid_request");
    for (const raw of ["{", "", "[]", '"peer"', "null"]) {
      expectError(await rest(ts, "POST", "/v1/tokens", { raw }), 400, "invalid_request");
    }
    expectError(
      await rest(ts, "POST", "/v1/tokens", { raw: '{"peerId":"j"}', contentType: "text/plain" }),
      400,
      "invalid_request",
    );
    expectError(await rest(ts, "POST", "/v1/tokens"), 400, "invalid_request");
  });

  it("a body over 32 KB → 413 invalid_request", async () => {
    const raw = JSON.stringify({ peerId: "k", metadata: { a: "x".repeat(33 * 1024) } });
    expectError(await rest(ts, "POST", "/v1/tokens", { raw }), 413, "invalid_request");
  });
});
