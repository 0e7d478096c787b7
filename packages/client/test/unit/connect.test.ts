/**
 * sdk.md SignallingClient `connect()`: resolves on the first `welcome`; transient failures before it
 * are retried; it rejects with SignallingConnectError on a terminal close, with `reconnect: false`,
 * when attempts run out, and on `close()`. Also the state machine and the `connected` context.
 */
import { describe, expect, it } from "vitest";
import { SignallingConnectError } from "../../src/index.js";
import {
  advance,
  connected,
  FakeServer,
  flush,
  flushMicrotasks,
  makeClient,
  nextSocket,
  settle,
  stubRandom,
  T0,
  useFakeClock,
} from "./fake-server.js";

useFakeClock();

describe("connect() resolves on the first welcome", () => {
  it("not on open: stays pending, state connecting, until welcome arrives", async () => {
    const { client, server, events } = makeClient();
    server.behaviour = "open";
    const p = settle(client.connect());
    expect(client.state).toBe("connecting");
    await flush();
    expect(server.last.isOpen).toBe(true);
    expect(p.status).toBe("pending");
    expect(client.state).toBe("connecting");
    expect(events.of("connected")).toEqual([]);

    server.last.welcome({ peerId: "alice" });
    await flush();
    expect(p.status).toBe("resolved");
    expect(p.value).toBeUndefined();
    expect(client.state).toBe("connected");
    expect(client.peerId).toBe("alice");
  });

  it("state-change idle → connecting → connected, each with a reason", async () => {
    const { events } = await connected();
    expect(events.transitions()).toEqual([
      ["idle", "connecting"],
      ["connecting", "connected"],
    ]);
    for (const c of events.of("state-change")) expect(c.reason).toEqual(expect.any(String));
  });

  it("the connected event carries the welcome's fields, isReconnect false", async () => {
    const { client, server, events } = makeClient();
    server.behaviour = "open";
    settle(client.connect());
    await flush();
    server.last.welcome({
      peerId: "alice",
      serverTime: 1_700_000_123,
      expiresAt: 1_700_003_600,
      maxMessageSize: 32768,
      metadata: { feature: true },
    });
    await flush();
    expect(events.of("connected")).toEqual([
      {
        peerId: "alice",
        serverTime: 1_700_000_123,
        expiresAt: 1_700_003_600,
        isReconnect: false,
        maxMessageSize: 32768,
        iceServers: [],
      },
    ]);
  });

  it("expiresAt null (publishable key) is passed through as null", async () => {
    const { events } = await connected();
    expect(events.of("connected")[0]?.expiresAt).toBeNull();
  });

  it("connected is emitted after state became connected", async () => {
    const { client, server } = makeClient();
    const seen: unknown[] = [];
    (client as unknown as { on(n: string, h: () => void): unknown }).on("connected", () =>
      seen.push(client.state),
    );
    settle(client.connect());
    await flush();
    expect(server.count).toBe(1);
    expect(seen).toEqual(["connected"]);
  });
});

describe("connect() called more than once", () => {
  it("twice while connecting: one socket, both promises resolve on the welcome", async () => {
    const { client, server } = makeClient();
    const a = settle(client.connect());
    const b = settle(client.connect());
    await flush();
    expect(server.count).toBe(1);
    expect(a.status).toBe("resolved");
    expect(b.status).toBe("resolved");
  });

  it("when already connected: resolves, opens nothing new", async () => {
    const { client, server } = await connected();
    await expect(client.connect()).resolves.toBeUndefined();
    await flush();
    expect(server.count).toBe(1);
  });
});

describe("transient failures before the first welcome are retried", () => {
  it("a webSocketFactory that throws is a failed attempt, retried with backoff", async () => {
    stubRandom(0.5);
    const server = new FakeServer();
    let throws = 2;
    const flaky = (url: string) => {
      if (throws-- > 0) throw new Error("network unreachable");
      return server.factory(url);
    };
    const h = makeClient({ webSocketFactory: flaky }, server);
    const p = settle(() => h.client.connect());
    await flush();
    expect(p.status).toBe("pending");
    expect(server.count).toBe(0);
    await advance(1_499); // 500 + 1000
    expect(server.count).toBe(0);
    await advance(1);
    await flush();
    expect(server.count).toBe(1);
    expect(p.status).toBe("resolved");
  });

  it("a refused connection (1006) is retried; connect() resolves on the retry's welcome", async () => {
    stubRandom(0.5);
    const { client, server, events } = makeClient();
    server.queue("fail");
    const p = settle(client.connect());
    await flush();
    expect(server.count).toBe(1);
    expect(p.status).toBe("pending");
    expect(["connecting", "reconnecting"]).toContain(client.state);

    const { delay } = await nextSocket(server, server.socket(0).closedAt ?? T0);
    expect(delay).toBe(500);
    await flush();
    expect(p.status).toBe("resolved");
    expect(client.state).toBe("connected");
    expect(events.of("connected")).toHaveLength(1);
    expect(events.of("error")).toEqual([]);
  });

  it.each([1000, 1001, 1006, 1008, 1009, 1011, 4010, 4011])(
    "a %i close right after open (no welcome) is retried, connect() stays pending",
    async (code) => {
      const { client, server } = makeClient();
      server.queue({ close: code, reason: "nope" });
      const p = settle(client.connect());
      await flush();
      expect(server.count).toBe(1);
      expect(p.status).toBe("pending");
      await nextSocket(server, Date.now());
      await flush();
      expect(p.status).toBe("resolved");
    },
  );

  it("a socket that never opens is not a terminal failure: connect() is still pending", async () => {
    const { client, server } = makeClient();
    server.behaviour = "hang";
    const p = settle(client.connect());
    await advance(5_000);
    expect(p.status).toBe("pending");
    expect(client.state).not.toBe("closed");
  });
});

describe("connect() rejects with SignallingConnectError", () => {
  it.each([4001, 4003, 4012, 4020])("on terminal close %i before welcome", async (code) => {
    const { client, server, events } = makeClient();
    server.queue({ close: code, reason: "refused" });
    const p = settle(client.connect());
    await flush();
    expect(p.status).toBe("rejected");
    expect(p.error).toBeInstanceOf(SignallingConnectError);
    expect(p.error).toMatchObject({ closeCode: code, closeReason: "refused" });
    expect(client.state).toBe("closed");
    expect(events.of("error")).toHaveLength(1);
    expect(events.of("error")[0]?.error).toBeInstanceOf(Error);
    await advance(10 * 60_000);
    expect(server.count).toBe(1);
  });

  it("with reconnect: false, when the one attempt fails", async () => {
    const { client, server, events } = makeClient({ reconnect: false });
    server.queue("fail");
    const p = settle(client.connect());
    await flush();
    expect(p.status).toBe("rejected");
    expect(p.error).toBeInstanceOf(SignallingConnectError);
    expect(p.error).toMatchObject({ closeCode: 1006 });
    expect(client.state).toBe("closed");
    await advance(10 * 60_000);
    expect(server.count).toBe(1);
    expect(events.of("disconnected").every((c) => c.willReconnect === false)).toBe(true);
  });

  it("with reconnect: false, a server close before welcome carries its code and reason", async () => {
    const { client, server } = makeClient({ reconnect: false });
    server.queue({ close: 1011, reason: "internal" });
    const p = settle(client.connect());
    await flush();
    expect(p.status).toBe("rejected");
    expect(p.error).toMatchObject({ closeCode: 1011, closeReason: "internal" });
  });

  it("when attempts are exhausted; no socket after that", async () => {
    const { client, server, events } = makeClient({ reconnect: { maxAttempts: 3 } });
    server.behaviour = "fail";
    const p = settle(client.connect());
    await advance(10 * 60_000);
    expect(p.status).toBe("rejected");
    expect(p.error).toBeInstanceOf(SignallingConnectError);
    expect(client.state).toBe("closed");
    expect(events.of("error")).toHaveLength(1);
    // The first attempt plus the retries: 3 or 4 sockets depending on whether maxAttempts counts
    // the first one; never more, and none after closing.
    expect(server.count).toBeGreaterThanOrEqual(3);
    expect(server.count).toBeLessThanOrEqual(4);
    const n = server.count;
    await advance(10 * 60_000);
    expect(server.count).toBe(n);
  });

  it("on close() before welcome", async () => {
    const { client, server } = makeClient();
    server.behaviour = "open";
    const p = settle(client.connect());
    await flush();
    await client.close();
    await flush();
    expect(p.status).toBe("rejected");
    expect(p.error).toBeInstanceOf(SignallingConnectError);
    expect(client.state).toBe("closed");
  });

  it("on close() while waiting for a backoff before the first welcome", async () => {
    const { client, server } = makeClient();
    server.behaviour = "fail";
    const p = settle(client.connect());
    await flush();
    expect(server.count).toBe(1);
    await client.close();
    await flushMicrotasks();
    expect(p.status).toBe("rejected");
    expect(p.error).toBeInstanceOf(SignallingConnectError);
    await advance(10 * 60_000);
    expect(server.count).toBe(1);
  });
});

describe("reconnect: the connected event and states", () => {
  it("connected → reconnecting → connected, the second connected has isReconnect true", async () => {
    const { client, server, events } = await connected();
    events.clear();
    server.last.fail();
    await flushMicrotasks();
    expect(client.state).toBe("reconnecting");
    await nextSocket(server, Date.now());
    await flush();
    expect(client.state).toBe("connected");
    expect(events.transitions()).toEqual([
      ["connected", "reconnecting"],
      ["reconnecting", "connected"],
    ]);
    expect(events.of("connected")).toEqual([
      expect.objectContaining({ isReconnect: true, peerId: "peer-2" }),
    ]);
    expect(client.peerId).toBe("peer-2");
  });

  it("every state-change's from is the previous to (one consistent machine)", async () => {
    const { client, server, events } = await connected();
    server.last.fail();
    await nextSocket(server, Date.now());
    await flush();
    server.last.serverClose(4002, "token expired");
    await nextSocket(server, Date.now());
    await flush();
    await client.close();
    await flush();
    const changes = events.of("state-change");
    expect(changes[0]?.from).toBe("idle");
    for (let i = 1; i < changes.length; i++) expect(changes[i]?.from).toBe(changes[i - 1]?.to);
    for (const c of changes) expect(c.from).not.toBe(c.to);
    expect(events.states().at(-1)).toBe("closed");
  });
});
