/**
 * sdk.md `reconnect`: delay_n = min(maxDelayMs, initialDelayMs · multiplier^(n−1)) with ±jitterRatio
 * jitter from Math.random(), reset after a successful welcome; `maxAttempts`; `reconnect: false`.
 */
import { describe, expect, it } from "vitest";
import {
  connected,
  dropConnected,
  type FakeServer,
  flush,
  flushMicrotasks,
  nextSocket,
  stubRandom,
  useFakeClock,
} from "./fake-server.js";

useFakeClock();

const DEFAULT_SEQUENCE = [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000];

/**
 * Drops the current connection, lets every following attempt be refused, and returns the delays
 * between each failure and the next attempt.
 */
async function refusedDelays(server: FakeServer, n: number): Promise<number[]> {
  server.behaviour = "fail";
  let since = await dropConnected(server);
  const delays: number[] = [];
  for (let i = 0; i < n; i++) {
    const { socket, delay } = await nextSocket(server, since);
    delays.push(delay);
    await flushMicrotasks();
    if (socket.closedAt === undefined) throw new Error("the refused socket did not close");
    since = socket.closedAt;
  }
  return delays;
}

function expectWithinJitter(delays: number[], nominal: number[], ratio: number): void {
  expect(delays).toHaveLength(nominal.length);
  delays.forEach((d, i) => {
    const n = nominal[i] ?? Number.NaN;
    expect(d, `attempt ${i + 1}: ${d} ms vs nominal ${n} ±${ratio * 100}%`).toBeGreaterThanOrEqual(
      Math.floor(n * (1 - ratio)) - 1,
    );
    expect(d, `attempt ${i + 1}: ${d} ms vs nominal ${n} ±${ratio * 100}%`).toBeLessThanOrEqual(
      Math.ceil(n * (1 + ratio)) + 1,
    );
  });
}

describe("backoff sequence", () => {
  it("defaults with no jitter (Math.random = 0.5): 500, 1000, 2000, … capped at 30000", async () => {
    stubRandom(0.5);
    const { server } = await connected();
    expect(await refusedDelays(server, DEFAULT_SEQUENCE.length)).toEqual(DEFAULT_SEQUENCE);
  });

  it("jitter at Math.random = 0 stays within −jitterRatio", async () => {
    stubRandom(0);
    const { server } = await connected();
    const delays = await refusedDelays(server, DEFAULT_SEQUENCE.length);
    expectWithinJitter(delays, DEFAULT_SEQUENCE, 0.2);
  });

  it("jitter at Math.random = 1 stays within +jitterRatio", async () => {
    stubRandom(1);
    const { server } = await connected();
    const delays = await refusedDelays(server, DEFAULT_SEQUENCE.length);
    expectWithinJitter(delays, DEFAULT_SEQUENCE, 0.2);
  });

  it("jitter actually moves the delay: Math.random = 0 and = 1 give different sequences", async () => {
    stubRandom(0);
    const a = await connected();
    const low = await refusedDelays(a.server, 4);
    stubRandom(1);
    const b = await connected();
    const high = await refusedDelays(b.server, 4);
    for (let i = 0; i < 4; i++) expect(low[i]).not.toBe(high[i]);
  });

  it("with the real Math.random every delay is within bounds, and not all are nominal", async () => {
    const { server } = await connected();
    const nominal = [...DEFAULT_SEQUENCE, 30000, 30000, 30000];
    const delays = await refusedDelays(server, nominal.length);
    expectWithinJitter(delays, nominal, 0.2);
    expect(delays).not.toEqual(nominal);
  });

  it("a partial reconnect object is merged over the defaults", async () => {
    stubRandom(0.5);
    const { server } = await connected({ reconnect: { initialDelayMs: 100 } });
    expect(await refusedDelays(server, 5)).toEqual([100, 200, 400, 800, 1600]);
  });

  it("custom multiplier and cap; jitterRatio 0 means exact delays whatever Math.random says", async () => {
    stubRandom(0.99);
    const { server } = await connected({
      reconnect: { initialDelayMs: 100, multiplier: 3, maxDelayMs: 1000, jitterRatio: 0 },
    });
    expect(await refusedDelays(server, 6)).toEqual([100, 300, 900, 1000, 1000, 1000]);
  });

  it("custom jitterRatio bounds the jitter", async () => {
    stubRandom(1);
    const { server } = await connected({ reconnect: { jitterRatio: 0.5 } });
    const delays = await refusedDelays(server, 4);
    expectWithinJitter(delays, [500, 1000, 2000, 4000], 0.5);
  });
});

describe("backoff reset", () => {
  it("resets after a successful welcome", async () => {
    stubRandom(0.5);
    const { server } = await connected();
    expect(await refusedDelays(server, 3)).toEqual([500, 1000, 2000]);
    server.behaviour = "welcome";
    const since = server.last.closedAt ?? Date.now();
    const { delay } = await nextSocket(server, since);
    expect(delay).toBe(4000);
    await flush();
    expect(server.last.welcomed).toBe(true);
    // A new outage starts from the initial delay again.
    expect(await refusedDelays(server, 2)).toEqual([500, 1000]);
  });

  it("does not reset on open alone: attempts that open but close before welcome keep growing", async () => {
    stubRandom(0.5);
    const { server } = await connected();
    server.behaviour = { close: 1011, reason: "internal" };
    let since = await dropConnected(server);
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const { socket, delay } = await nextSocket(server, since);
      await flushMicrotasks();
      expect(socket.isOpen).toBe(false);
      delays.push(delay);
      since = socket.closedAt ?? Number.NaN;
    }
    expect(delays).toEqual([500, 1000, 2000, 4000]);
  });
});

describe("maxAttempts and reconnect: false", () => {
  it("after maxAttempts failed reconnects → closed + error, and no further attempts", async () => {
    stubRandom(0.5);
    const { client, server, events } = await connected({ reconnect: { maxAttempts: 3 } });
    const before = server.count;
    events.clear();
    server.behaviour = "fail";
    await dropConnected(server);
    await flush();
    for (let i = 0; i < 40; i++) await nextSocket(server, Date.now()).catch(() => undefined);
    expect(server.count - before).toBe(3);
    expect(client.state).toBe("closed");
    const errors = events.of("error");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.error).toBeInstanceOf(Error);
    expect(events.states().at(-1)).toBe("closed");
  });

  it("reconnect: false → a drop after connecting closes the client for good", async () => {
    const { client, server, events } = await connected({ reconnect: false });
    await dropConnected(server);
    await flush();
    expect(client.state).toBe("closed");
    expect(events.of("disconnected")).toEqual([
      expect.objectContaining({ code: 1006, willReconnect: false }),
    ]);
    await flush();
    await expect(nextSocket(server, Date.now())).rejects.toThrow();
    expect(server.count).toBe(1);
  });
});
