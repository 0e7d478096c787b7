/**
 * sdk.md `tokenProvider` / `tokenProviderTimeoutMs`: called on the first connect and on every
 * reconnect; a call that rejects or hangs past the timeout emits `token-provider-error {error,
 * attempt}` and the attempt is retried with backoff.
 */
import { describe, expect, it } from "vitest";
import { TokenProviderError } from "../../src/index.js";
import {
  advance,
  connected,
  dropConnected,
  flush,
  flushMicrotasks,
  makeClient,
  nextSocket,
  settle,
  stubRandom,
  useFakeClock,
} from "./fake-server.js";

useFakeClock();

/** A provider whose calls the test settles by hand. */
function manualProvider() {
  const calls: { at: number; resolve: (t: string) => void; reject: (e: unknown) => void }[] = [];
  const provider = () =>
    new Promise<string>((resolve, reject) => {
      calls.push({ at: Date.now(), resolve, reject });
    });
  return { provider, calls };
}

/** The error in a token-provider-error is a TokenProviderError (wrapping `cause`), or the original. */
function expectProviderError(error: unknown, original?: unknown): void {
  expect(error).toBeInstanceOf(Error);
  if (original !== undefined && error !== original) {
    expect(error).toBeInstanceOf(TokenProviderError);
    expect((error as Error).cause).toBe(original);
  }
}

describe("tokenProvider is called on every attempt", () => {
  it("once per connection attempt, and each token goes into that attempt's URL", async () => {
    stubRandom(0.5);
    let n = 0;
    const { server } = await connected({ tokenProvider: async () => `jwt-${++n}` });
    expect(n).toBe(1);
    server.behaviour = "fail";
    let since = await dropConnected(server);
    for (let i = 0; i < 3; i++) {
      const { socket } = await nextSocket(server, since);
      await flushMicrotasks();
      since = socket.closedAt ?? Number.NaN;
    }
    server.behaviour = "welcome";
    await nextSocket(server, since);
    await flush();
    expect(n).toBe(5);
    expect(server.sockets.map((s) => s.parsedUrl.searchParams.get("token"))).toEqual([
      "jwt-1",
      "jwt-2",
      "jwt-3",
      "jwt-4",
      "jwt-5",
    ]);
  });
});

describe("a rejecting tokenProvider", () => {
  it("emits token-provider-error {error, attempt}, retries with backoff, connect() stays pending", async () => {
    stubRandom(0.5);
    const boom = new Error("mint failed");
    let n = 0;
    const { client, server, events } = makeClient({
      tokenProvider: async () => {
        n++;
        if (n <= 2) throw boom;
        return "jwt-ok";
      },
    });
    const p = settle(client.connect());
    await flush();
    expect(n).toBe(1);
    expect(server.count).toBe(0);
    const first = events.of("token-provider-error");
    expect(first).toHaveLength(1);
    expect(first[0]?.attempt).toBe(1);
    expectProviderError(first[0]?.error, boom);
    expect(p.status).toBe("pending");
    expect(client.state).not.toBe("closed");

    await advance(499);
    expect(n).toBe(1);
    await advance(1);
    expect(n).toBe(2); // delay_1 = 500
    const second = events.of("token-provider-error");
    expect(second).toHaveLength(2);
    expect(second[1]?.attempt).toBe(2);

    await advance(999);
    expect(n).toBe(2);
    await advance(1);
    expect(n).toBe(3); // delay_2 = 1000
    await flush();
    expect(server.count).toBe(1);
    expect(server.last.parsedUrl.searchParams.get("token")).toBe("jwt-ok");
    expect(p.status).toBe("resolved");
    expect(events.of("error")).toEqual([]);
  });

  it("a provider that resolves to a non-string or empty token is a failed call too", async () => {
    const values: unknown[] = ["", 42, null];
    let n = 0;
    const { client, server, events } = makeClient({
      tokenProvider: async () => {
        n++;
        return n <= values.length ? values[n - 1] : "jwt-ok";
      },
    });
    const p = settle(client.connect());
    await advance(60_000);
    expect(events.of("token-provider-error").map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(server.sockets.map((s) => s.parsedUrl.searchParams.get("token"))).toEqual(["jwt-ok"]);
    expect(p.status).toBe("resolved");
  });

  it("on reconnect too: attempts count from 1 again after a welcome", async () => {
    let fail = false;
    const { server, events } = await connected({
      tokenProvider: async () => {
        if (fail) throw new Error("down");
        return "jwt";
      },
    });
    fail = true;
    await dropConnected(server);
    await advance(5_000);
    const attempts = events.of("token-provider-error").map((c) => c.attempt);
    expect(attempts.slice(0, 3)).toEqual([1, 2, 3]);
    expect(server.count).toBe(1);
  });
});

describe("a hanging tokenProvider", () => {
  it("is abandoned after tokenProviderTimeoutMs (default 10000) and retried with backoff", async () => {
    stubRandom(0.5);
    const { provider, calls } = manualProvider();
    const { client, server, events } = makeClient({ tokenProvider: provider });
    const p = settle(client.connect());
    await flush();
    expect(calls).toHaveLength(1);
    await advance(9_999);
    expect(events.of("token-provider-error")).toEqual([]);
    await advance(1);
    const errs = events.of("token-provider-error");
    expect(errs).toHaveLength(1);
    expect(errs[0]?.attempt).toBe(1);
    expect(errs[0]?.error).toBeInstanceOf(TokenProviderError);
    expect(server.count).toBe(0);
    expect(p.status).toBe("pending");

    await advance(499);
    expect(calls).toHaveLength(1);
    await advance(1);
    expect(calls).toHaveLength(2); // 10000 + delay_1
    calls[1]?.resolve("jwt-2");
    await flush();
    expect(server.count).toBe(1);
    expect(server.last.parsedUrl.searchParams.get("token")).toBe("jwt-2");
    expect(p.status).toBe("resolved");
  });

  it("honours a custom tokenProviderTimeoutMs", async () => {
    const { provider, calls } = manualProvider();
    const { client, events } = makeClient({ tokenProvider: provider, tokenProviderTimeoutMs: 2_000 });
    settle(client.connect());
    await flush();
    await advance(1_999);
    expect(events.of("token-provider-error")).toEqual([]);
    await advance(1);
    expect(events.of("token-provider-error")).toHaveLength(1);
    expect(calls).toHaveLength(1);
  });

  it("a late answer from an abandoned call is ignored (no socket with its token)", async () => {
    stubRandom(0.5);
    const { provider, calls } = manualProvider();
    const { client, server } = makeClient({ tokenProvider: provider });
    settle(client.connect());
    await flush();
    await advance(10_500); // timeout + delay_1: the second call is pending
    expect(calls).toHaveLength(2);
    calls[0]?.resolve("jwt-stale");
    await flush();
    expect(server.count).toBe(0);
    calls[1]?.resolve("jwt-fresh");
    await flush();
    expect(server.sockets.map((s) => s.parsedUrl.searchParams.get("token"))).toEqual(["jwt-fresh"]);
  });

  it("every timed-out call emits its own token-provider-error, attempts numbered 1, 2, 3…", async () => {
    stubRandom(0.5);
    const { provider, calls } = manualProvider();
    const { client, events } = makeClient({ tokenProvider: provider, tokenProviderTimeoutMs: 1_000 });
    settle(client.connect());
    // calls at 0, 1500 (1000 timeout + 500), 3500 (+1000 + 1000), 6500 (+1000 + 2000); the fourth
    // would time out at 7500
    await advance(7_499);
    expect(events.of("token-provider-error").map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(calls.length).toBe(4);
  });

  it("close() while a provider call is pending: no socket is ever opened", async () => {
    const { provider, calls } = manualProvider();
    const { client, server } = makeClient({ tokenProvider: provider });
    const p = settle(client.connect());
    await flush();
    await client.close();
    calls[0]?.resolve("jwt-late");
    await advance(60_000);
    expect(server.count).toBe(0);
    expect(p.status).toBe("rejected");
    expect(client.state).toBe("closed");
  });
});
