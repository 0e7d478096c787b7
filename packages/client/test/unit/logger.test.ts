/**
 * sdk.md `logger`: logs never contain JWTs, secret keys or TURN credentials; a publishable key
 * appears at most as its first 12 characters. The whole log (messages and contexts, JSON-stringified)
 * is searched for distinctive secrets after runs that exercise every logging path we can reach.
 */
import { describe, expect, it } from "vitest";
import {
  API_KEY,
  advance,
  connected,
  dropConnected,
  FakeServer,
  flush,
  makeClient,
  nextSocket,
  type RecordingLogger,
  settle,
  stringify,
  stubRandom,
  useFakeClock,
} from "./fake-server.js";

useFakeClock();

const JWT_SIG = "SiGnAtUrE_9f8e7d6c5b4a";
const JWT = `eyJhbGciOiJIUzI1NiIsImtpZCI6InNrX2lkX3gifQ.eyJzdWIiOiJhbGljZSJ9.${JWT_SIG}`;
const TURN_CRED = "TuRnCrEd_0123456789abcdef";
const TURN_USER = "1700003600:alice-turn-user";

/** Fails unless `secret` (and every 8-character piece of it) is absent from the whole log. */
function expectAbsent(logger: RecordingLogger, secret: string): void {
  const text = logger.text();
  expect(text).not.toContain(secret);
  expect(text).not.toContain(encodeURIComponent(secret));
  for (let i = 0; i + 8 <= secret.length; i += 4) {
    expect(text, `a piece of a secret was logged: ${secret.slice(i, i + 8)}`).not.toContain(
      secret.slice(i, i + 8),
    );
  }
}

/** Drives a client through most paths that log: welcome with TURN, garbage, errors, drops, 4002. */
async function exercise(server: FakeServer, client: { subscribe(c: string): Promise<void> }): Promise<void> {
  server.last.deliverRaw("{not json");
  server.last.deliverRaw('{"type":"surprise"}');
  server.last.deliver({ type: "error", code: "internal_error", message: "boom" });
  await client.subscribe("room").catch(() => undefined);
  server.last.deliver({ type: "going_away", retryAfterMs: 100 });
  await dropConnected(server, 1001);
  await nextSocket(server, Date.now());
  await flush();
  server.last.serverClose(4002, "token expired");
  await nextSocket(server, Date.now());
  await flush();
  await dropConnected(server, "fail");
  await nextSocket(server, Date.now());
  await flush();
  server.autoPong = false;
  await advance(70_000); // keepalive ping, watchdog trip, reconnect
  server.autoPong = true;
  await advance(1_000);
}

describe("the logger never sees credentials", () => {
  it("tokenProvider path: no JWT, no TURN credential", async () => {
    stubRandom(0.5);
    const server = new FakeServer();
    server.welcomeDefaults = {
      metadata: { iceServers: [{ urls: "turn:t.example.com", username: TURN_USER, credential: TURN_CRED }] },
    };
    const { client, logger } = await connected({ tokenProvider: async () => JWT }, server);
    await exercise(server, client);
    await client.close();
    await flush();
    expect(logger.entries.length).toBeGreaterThan(0);
    expectAbsent(logger, JWT);
    expectAbsent(logger, JWT_SIG);
    expectAbsent(logger, TURN_CRED);
  });

  it("failing and hanging providers: the error paths do not log the previous token", async () => {
    stubRandom(0.5);
    let n = 0;
    const { client, server, logger } = await connected({
      tokenProvider: () => {
        n++;
        if (n === 1) return Promise.resolve(JWT);
        if (n === 2) return Promise.reject(new Error("mint failed"));
        return new Promise<string>(() => undefined);
      },
      tokenProviderTimeoutMs: 1_000,
    });
    await dropConnected(server);
    await advance(30_000);
    await client.close();
    expectAbsent(logger, JWT);
  });

  it("a publishable key appears at most as its first 12 characters", async () => {
    stubRandom(0.5);
    const server = new FakeServer();
    const { client, logger } = await connected({}, server);
    await exercise(server, client);
    server.queue({ close: 4001, reason: "invalid token" });
    await dropConnected(server);
    await advance(60_000);
    expect(client.state).toBe("closed");
    expect(logger.entries.length).toBeGreaterThan(0);
    const tail = API_KEY.slice(12);
    expect(tail.length).toBeGreaterThanOrEqual(8);
    expectAbsent(logger, tail);
  });

  it("a terminal failure before welcome (connect() rejects) does not log the token", async () => {
    const { client, server, logger } = makeClient({ tokenProvider: async () => JWT });
    server.queue({ close: 4001, reason: "invalid token" });
    const p = settle(client.connect());
    await flush();
    expect(p.status).toBe("rejected");
    expectAbsent(logger, JWT_SIG);
  });

  it("errors handed to the app do not carry the token either", async () => {
    const { client, server, events } = makeClient({ tokenProvider: async () => JWT });
    server.queue({ close: 4001, reason: "invalid token" });
    const p = settle(client.connect());
    await flush();
    expect(stringify(p.error)).not.toContain(JWT_SIG);
    expect(stringify(events.all)).not.toContain(JWT_SIG);
  });
});
