/**
 * sdk.md `iceServers` / protocol.md §12: `welcome.metadata.iceServers` is validated (≤ 16 entries;
 * `{urls: string | string[], username?, credential?}`; each URL ≤ 512 chars with scheme stun:,
 * stuns:, turn: or turns:; each credential ≤ 1024 chars); invalid entries are dropped.
 */
import { describe, expect, it } from "vitest";
import {
  connected,
  dropConnected,
  FakeServer,
  flush,
  nextSocket,
  useFakeClock,
  type WelcomeOverrides,
} from "./fake-server.js";

useFakeClock();

async function withIce(iceServers: unknown, extra: WelcomeOverrides = {}) {
  const server = new FakeServer();
  server.welcomeDefaults = { ...extra, metadata: { iceServers } };
  return connected({}, server);
}

const stun = { urls: "stun:stun.example.com:3478" };
const turn = {
  urls: ["turn:turn.example.com:3478?transport=udp", "turns:turn.example.com:5349"],
  username: "1700003600:alice",
  credential: "c2VjcmV0LWNyZWRlbnRpYWw=",
};

describe("valid iceServers pass through", () => {
  it("to client.iceServers and the connected event", async () => {
    const { client, events } = await withIce([stun, turn, { urls: "stuns:s.example.com" }]);
    const expected = [stun, turn, { urls: "stuns:s.example.com" }];
    expect(client.iceServers).toEqual(expected);
    expect(events.of("connected")[0]?.iceServers).toEqual(expected);
  });

  it("none in metadata → []", async () => {
    const { client, events } = await connected();
    expect(client.iceServers).toEqual([]);
    expect(events.of("connected")[0]?.iceServers).toEqual([]);
  });

  it("exactly 16 entries and limits at their maximum are accepted", async () => {
    const edge = {
      urls: `turn:${"a".repeat(512 - "turn:".length)}`,
      username: "u",
      credential: "c".repeat(1024),
    };
    expect(edge.urls.length).toBe(512);
    const list = [edge, ...Array.from({ length: 15 }, (_, i) => ({ urls: `stun:s${i}.example.com` }))];
    const { client } = await withIce(list);
    expect(client.iceServers).toEqual(list);
  });

  it("are refreshed from each welcome on reconnect", async () => {
    const { client, server, events } = await withIce([stun]);
    server.welcomeDefaults = { metadata: { iceServers: [turn] } };
    await dropConnected(server);
    await nextSocket(server, Date.now());
    await flush();
    expect(client.iceServers).toEqual([turn]);
    expect(events.of("connected")[1]?.iceServers).toEqual([turn]);
  });
});

describe("invalid entries are dropped, valid ones kept", () => {
  it.each([
    ["an http: URL", { urls: "http://turn.example.com" }],
    ["a javascript: URL", { urls: "javascript:alert(1)" }],
    ["no scheme", { urls: "turn.example.com:3478" }],
    ["one bad URL in the list", { urls: ["stun:ok.example.com", "ftp://bad.example.com"] }],
    ["a URL over 512 chars", { urls: `turn:${"a".repeat(508)}` }],
    [
      "a credential over 1024 chars",
      { urls: "turn:t.example.com", username: "u", credential: "c".repeat(1025) },
    ],
    ["urls missing", { username: "u", credential: "c" }],
    ["urls not a string", { urls: 42 }],
    ["urls with a non-string item", { urls: ["stun:ok.example.com", 7] }],
    ["null", null],
    ["a string", "stun:stun.example.com"],
    ["an array", [stun]],
  ])("%s", async (_what, bad) => {
    const { client, events } = await withIce([stun, bad, turn]);
    expect(client.iceServers).toEqual([stun, turn]);
    expect(events.of("connected")[0]?.iceServers).toEqual([stun, turn]);
  });

  it("iceServers that is not an array → []", async () => {
    const { client } = await withIce({ urls: "stun:stun.example.com" });
    expect(client.iceServers).toEqual([]);
  });

  it("more than 16 entries: never more than 16 are used, all of them from the list", async () => {
    const list = Array.from({ length: 20 }, (_, i) => ({ urls: `stun:s${i}.example.com` }));
    const { client } = await withIce(list);
    expect(client.iceServers.length).toBeLessThanOrEqual(16);
    for (const entry of client.iceServers) expect(list).toContainEqual(entry);
  });

  it("the dropped entries are logged at debug, without their credentials", async () => {
    const { logger } = await withIce([
      stun,
      { urls: "http://bad.example.com", username: "u", credential: "DROPPED-CRED-77" },
    ]);
    expect(logger.entries.some((e) => e.level === "debug")).toBe(true);
    expect(logger.text()).not.toContain("DROPPED-CRED-77");
  });
});
