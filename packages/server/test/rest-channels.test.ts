/**
 * protocol.md §11 channel routes: `GET /v1/channels/:channel/peers` (presence, one entry per
 * peerId) and `POST /v1/channels/:channel/publish` (an ordinary `message` to real WebSocket
 * subscribers, `fromMetadata` only for those that asked, charged to the app's quota); channel
 * path parameters are URL-decoded and accept the full 256 bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  eventually,
  type Frame,
  peer,
  type SecretKey,
  startServer,
  type TestServer,
  uniq,
} from "./helpers.js";
import { enc, type RestResponse, rest } from "./rest-client.js";

function expectError(response: RestResponse, status: number, error: string): void {
  expect(response.status, response.text).toBe(status);
  expect(response.body).toEqual({ error, message: expect.any(String) });
}

const peersOf = (ts: TestServer, channel: string, auth?: SecretKey) =>
  rest(ts, "GET", `/v1/channels/${enc(channel)}/peers`, auth ? { auth } : {});
const publish = (ts: TestServer, channel: string, body: unknown, auth?: SecretKey) =>
  rest(ts, "POST", `/v1/channels/${enc(channel)}/publish`, auth ? { body, auth } : { body });

const byPeerId = (a: { peerId: string }, b: { peerId: string }) => a.peerId.localeCompare(b.peerId);

/** A 256-byte channel name with characters that all need URL-encoding. */
const LONGEST_CHANNEL = `a/b c?d#e%f&g+h\\x/${"é".repeat(119)}`;

describe("channel routes", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer();
  });
  afterAll(async () => {
    await ts?.stop();
  });

  describe("GET /v1/channels/:channel/peers", () => {
    it("lists each present peer once, with its peerMetadata when it has some", async () => {
      const channel = uniq("room");
      const alice = peer("alice");
      const bob = peer("bob");
      const a1 = await ts.connectJwt({ sub: alice, peerMetadata: { name: "Alice" } });
      const a2 = await ts.connectJwt({ sub: alice, peerMetadata: { name: "Alice" } });
      const b = await ts.connectJwt({ sub: bob });
      // Without the presence action a subscriber is not announced (protocol.md §5).
      const quiet = await ts.connectJwt({ permissions: ["subscribe"] });
      await a1.subscribe(channel);
      await a2.subscribe(channel);
      await b.subscribe(channel);
      await quiet.subscribe(channel, { snapshot: false });

      const response = await peersOf(ts, channel);
      expect(response.status, response.text).toBe(200);
      expect(response.body.channel).toBe(channel);
      expect(response.body.peers.sort(byPeerId)).toEqual(
        [{ peerId: alice, metadata: { name: "Alice" } }, { peerId: bob }].sort(byPeerId),
      );

      await b.close();
      await a1.close();
      // The server forgets a socket on its own close event, which may trail the client's.
      const after = await eventually(async () => {
        const { body } = await peersOf(ts, channel);
        return body.peers.length === 1 ? body.peers : undefined;
      });
      expect(after).toEqual([{ peerId: alice, metadata: { name: "Alice" } }]);
    });

    it("an empty channel has no peers", async () => {
      const response = await peersOf(ts, uniq("empty"));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ channel: expect.any(String), peers: [] });
    });

    it("needs the presence action → else 403 action_not_permitted", async () => {
      const key = await ts.createSk({ actions: ["subscribe", "publish"] });
      expectError(await peersOf(ts, "lobby", key), 403, "action_not_permitted");
    });
  });

  describe("POST /v1/channels/:channel/publish", () => {
    it("reaches real subscribers as an ordinary message; fromMetadata only for those who asked", async () => {
      const channel = uniq("news");
      // Without the presence action no presence frames interleave with the messages.
      const plain = await ts.connectJwt({ permissions: ["subscribe"] });
      const stamped = await ts.connectJwt({ permissions: ["subscribe"] });
      const pattern = await ts.connectPk();
      await plain.subscribe(channel, { snapshot: false });
      await stamped.subscribe(channel, { includeSenderMetadata: true, snapshot: false });
      await pattern.subscribe(`${channel}*`, { snapshot: false });

      const response = await publish(ts, channel, {
        data: { text: "hi", n: [1, 2] },
        from: "backend",
        peerMetadata: { role: "bot" },
      });
      expect(response.status, response.text).toBe(200);
      expect(response.body).toEqual({ channel, published: true });

      const message: Frame = { type: "message", channel, from: "backend", data: { text: "hi", n: [1, 2] } };
      expect(await plain.next()).toEqual(message);
      expect(await stamped.next()).toEqual({ ...message, fromMetadata: { role: "bot" } });
      expect(await pattern.next()).toEqual(message);
      await plain.quiet();
    });

    it('defaults from to "server", carries null data, and stamps nothing without peerMetadata', async () => {
      const channel = uniq("null");
      const sub = await ts.connectJwt();
      await sub.subscribe(channel, { includeSenderMetadata: true });
      expect((await publish(ts, channel, { data: null })).status).toBe(200);
      expect(await sub.next()).toEqual({ type: "message", channel, from: "server", data: null });
    });

    it("needs the publish action → else 403 action_not_permitted", async () => {
      const key = await ts.createSk({ actions: ["subscribe", "presence"] });
      expectError(await publish(ts, "lobby", { data: 1 }, key), 403, "action_not_permitted");
    });

    it("validates the body: data required, from printable ASCII ≤ 128, peerMetadata an object ≤ 4096 bytes", async () => {
      const channel = uniq("v");
      expectError(await publish(ts, channel, {}), 400, "invalid_request");
      expectError(await publish(ts, channel, { from: "x" }), 400, "invalid_request");
      expectError(await rest(ts, "POST", `/v1/channels/${channel}/publish`), 400, "invalid_request");
      for (const from of ["", "x".repeat(129), "é", "a\nb", 5, null]) {
        expectError(await publish(ts, channel, { data: 1, from }), 400, "invalid_request");
      }
      expect((await publish(ts, channel, { data: 1, from: "x".repeat(128) })).status).toBe(200);
      for (const peerMetadata of [[], "x", 1, null, { a: "x".repeat(4089) }]) {
        expectError(await publish(ts, channel, { data: 1, peerMetadata }), 400, "invalid_request");
      }
      expect((await publish(ts, channel, { data: 1, peerMetadata: { a: "x".repeat(4088) } })).status).toBe(
        200,
      );
      expectError(await publish(ts, channel, { data: 1, channel }), 400, "invalid_request");
      expectError(
        await rest(ts, "POST", `/v1/channels/${channel}/publish`, { raw: '{"data":' }),
        400,
        "invalid_request",
      );
    });

    it("a body of exactly 32 KB is accepted; one byte more → 413", async () => {
      const channel = uniq("size");
      const base = JSON.stringify({ data: "" }).length;
      const exact = JSON.stringify({ data: "x".repeat(32 * 1024 - base) });
      expect(exact.length).toBe(32 * 1024);
      const path = `/v1/channels/${channel}/publish`;
      expect((await rest(ts, "POST", path, { raw: exact })).status).toBe(200);
      const over = JSON.stringify({ data: "x".repeat(32 * 1024 - base + 1) });
      expectError(await rest(ts, "POST", path, { raw: over }), 413, "invalid_request");
    });
  });

  describe(":channel path parameter", () => {
    it("is URL-decoded and accepts the full 256 bytes", async () => {
      expect(Buffer.byteLength(LONGEST_CHANNEL)).toBe(256);
      const sub = await ts.connectJwt({ peerMetadata: { n: 1 } });
      await sub.subscribe(LONGEST_CHANNEL);
      const peers = await peersOf(ts, LONGEST_CHANNEL);
      expect(peers.status, peers.text).toBe(200);
      expect(peers.body.channel).toBe(LONGEST_CHANNEL);
      expect(peers.body.peers).toEqual([{ peerId: sub.welcome?.peerId, metadata: { n: 1 } }]);

      const published = await publish(ts, LONGEST_CHANNEL, { data: "long" });
      expect(published.body).toEqual({ channel: LONGEST_CHANNEL, published: true });
      expect(await sub.next()).toEqual({
        type: "message",
        channel: LONGEST_CHANNEL,
        from: "server",
        data: "long",
      });
    });

    it("invalid names → 400 invalid_request: over 256 bytes, control characters, bad encoding", async () => {
      for (const channel of [`${LONGEST_CHANNEL}x`, "a\nb", "tab\there", "\u007f"]) {
        expectError(await peersOf(ts, channel), 400, "invalid_request");
        expectError(await publish(ts, channel, { data: 1 }), 400, "invalid_request");
      }
      expectError(await rest(ts, "GET", "/v1/channels/%E0%A4%A/peers"), 400, "invalid_request");
      expectError(await rest(ts, "GET", `/v1/channels/${"a".repeat(2000)}/peers`), 400, "invalid_request");
    });

    it("reserved prefixes → 400 channel_reserved", async () => {
      for (const channel of ["_system/x", "_internal/y", "_metered/z"]) {
        expectError(await peersOf(ts, channel), 400, "channel_reserved");
        expectError(await publish(ts, channel, { data: 1 }), 400, "channel_reserved");
      }
    });

    it("a pattern (unescaped *) → 400 invalid_request; an escaped \\* is a concrete name", async () => {
      for (const channel of ["room-*", "**", "a\\\\*"]) {
        expectError(await peersOf(ts, channel), 400, "invalid_request");
        expectError(await publish(ts, channel, { data: 1 }), 400, "invalid_request");
      }
      const escaped = `${uniq("star")}\\*`;
      const sub = await ts.connectPk();
      await sub.subscribe(escaped);
      expect((await publish(ts, escaped, { data: "*" })).status).toBe(200);
      expect(await sub.next()).toEqual({ type: "message", channel: escaped, from: "server", data: "*" });
    });

    it("a channel outside the key's patterns → 403 channel_not_authorized", async () => {
      const key = await ts.createSk({ channelPatterns: ["room-*", "lit\\*"] });
      expect((await peersOf(ts, "room-1", key)).status).toBe(200);
      expect((await publish(ts, "room-1", { data: 1 }, key)).status).toBe(200);
      expect((await publish(ts, "lit\\*", { data: 1 }, key)).status).toBe(200);
      for (const channel of ["lobby", "room/1", "lit"]) {
        expectError(await peersOf(ts, channel, key), 403, "channel_not_authorized");
        expectError(await publish(ts, channel, { data: 1 }, key), 403, "channel_not_authorized");
      }
    });
  });
});

describe("REST publish and the message quota", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer();
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("counts against the app's allowance shared with WebSocket publishes; over it → 429 over_message_quota", async () => {
    const app = await ts.createApp({ maxMessagesPerPeriod: 3 });
    const { key, secret } = await ts.store.createKey({ appId: app.id, type: "secret" });
    const sk = { id: key.id, secret: secret as string };
    const channel = uniq("quota");
    const sub = await ts.connectJwt({}, sk);
    await sub.subscribe(channel);
    const pub = await ts.connectJwt({}, sk);

    expect((await publish(ts, channel, { data: 1 }, sk)).status).toBe(200);
    await pub.publish(channel, 2);
    expect((await publish(ts, channel, { data: 3 }, sk)).status).toBe(200);
    expectError(await publish(ts, channel, { data: 4 }, sk), 429, "over_message_quota");
    await pub.fails({ type: "publish", channel, data: 5 }, "over_message_quota");

    expect((await sub.take(3)).map((m) => m.data)).toEqual([1, 2, 3]);
    await sub.quiet();
    const usage = await rest(ts, "GET", "/v1/usage", { auth: sk });
    expect(usage.body.messagesUsed).toBe(3);
  });
});
