/**
 * The recovery rules of one pair (sdk.md, "Negotiation"/"Recovery") under fake timers: a pair
 * not connected 10 s after its last negotiation gets an ICE restart from the impolite side; ICE
 * `failed` (or `disconnected` for 5 s) climbs the same ladder; 9 restarts over about two minutes,
 * then the remote is `closed`. The polite side never restarts, and gives up on the same schedule.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { NoopLogger } from "../../../src/index.js";
import { LocalMedia } from "../../../src/mesh/local-media.js";
import { RemotePeer, type RemotePeerPort } from "../../../src/mesh/remote-peer.js";
import { MAX_RESTARTS, RESTART_DELAYS_MS, STUCK_PAIR_MS } from "../../../src/mesh/restart-ladder.js";
import type { Signal } from "../../../src/mesh/signals.js";
import { FakePeerConnection } from "./fake-rtc.js";

interface Harness {
  remote: RemotePeer;
  pcs: FakePeerConnection[];
  sent: Signal[];
  gaveUp: number;
  states: string[];
  pc(): FakePeerConnection;
}

function harness(polite: boolean): Harness {
  const pcs: FakePeerConnection[] = [];
  const sent: Signal[] = [];
  let epoch = 0;
  const h = { pcs, sent, gaveUp: 0, states: [] as string[] } as unknown as Harness;
  const port: RemotePeerPort = {
    session: "local-session",
    log: NoopLogger,
    localMedia: new LocalMedia(),
    createConnection: () => {
      const pc = new FakePeerConnection();
      pcs.push(pc);
      return pc;
    },
    nextEpoch: () => ++epoch,
    sendSignal: (_remote, signal) => sent.push(signal),
    onChannelData: () => {},
    onGaveUp: () => {
      h.gaveUp += 1;
    },
  };
  h.remote = new RemotePeer("remote-peer", {}, polite, port);
  h.remote.on("state-change", ({ to }) => h.states.push(to));
  h.pc = () => {
    const pc = pcs.at(-1);
    if (!pc) throw new Error("no connection yet");
    return pc;
  };
  return h;
}

const REMOTE = "remote-session";
const answer = (sdp = "remote-answer"): Signal => ({
  kind: "description",
  description: { type: "answer", sdp },
  session: REMOTE,
  epoch: 7,
});
const offer = (sdp = "remote-offer"): Signal => ({
  kind: "description",
  description: { type: "offer", sdp },
  session: REMOTE,
  epoch: 7,
});

/** The impolite side's first negotiation: data channel → negotiationneeded → offer, then the answer. */
async function firstNegotiation(h: Harness): Promise<void> {
  h.remote.start();
  h.pc().onnegotiationneeded?.({});
  await vi.advanceTimersByTimeAsync(0);
  expect(h.pc().offers).toEqual([false]);
  h.remote.handleSignal(answer());
  await vi.advanceTimersByTimeAsync(0);
  expect(h.pc().signalingState).toBe("stable");
}

/** Answers the outstanding (restart) offer. */
async function answerRestart(h: Harness): Promise<void> {
  expect(h.pc().signalingState).toBe("have-local-offer");
  h.remote.handleSignal(answer());
  await vi.advanceTimersByTimeAsync(0);
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("restart ladder (impolite side)", () => {
  it("a pair stuck 10 s after negotiating gets an ICE restart; 9 rungs over ~2 minutes, then closed", async () => {
    const h = harness(false);
    await firstNegotiation(h);
    const pc = h.pc();
    await vi.advanceTimersByTimeAsync(STUCK_PAIR_MS - 1);
    expect(pc.offers).toEqual([false]); // not yet
    let elapsed = 0;
    for (let rung = 1; rung <= MAX_RESTARTS; rung++) {
      // The stuck timer fired (or fires now, for the first rung), then the rung's delay.
      await vi.advanceTimersByTimeAsync(rung === 1 ? 1 : 0);
      const delay = RESTART_DELAYS_MS[rung - 1] as number;
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(pc.offers.length, `rung ${rung} waits its delay`).toBe(rung);
      await vi.advanceTimersByTimeAsync(1);
      expect(pc.offers.at(-1), `rung ${rung} is an ICE restart`).toBe(true);
      elapsed += delay;
      await answerRestart(h);
      // Still not connected 10 s after this negotiation: the next rung.
      await vi.advanceTimersByTimeAsync(STUCK_PAIR_MS - 1);
      expect(h.remote.state).not.toBe("closed");
      await vi.advanceTimersByTimeAsync(1);
    }
    expect(pc.offers.filter(Boolean)).toHaveLength(9);
    expect(elapsed).toBeGreaterThanOrEqual(110_000);
    expect(elapsed).toBeLessThanOrEqual(130_000);
    expect(h.remote.state).toBe("closed");
    expect(h.gaveUp).toBe(1);
    expect(pc.closed).toBe(true);
    // Nothing more happens afterwards.
    await vi.advanceTimersByTimeAsync(300_000);
    expect(pc.offers.filter(Boolean)).toHaveLength(9);
  });

  it("ICE failed → restart after the first rung's delay; reaching connected resets the ladder", async () => {
    const h = harness(false);
    await firstNegotiation(h);
    const pc = h.pc();
    pc.setTransport("connected");
    expect(h.remote.state).toBe("connected");
    await vi.advanceTimersByTimeAsync(60_000); // connected: the stuck rule does nothing
    expect(pc.offers).toEqual([false]);

    pc.setTransport("failed");
    expect(h.remote.state).toBe("reconnecting");
    await vi.advanceTimersByTimeAsync(RESTART_DELAYS_MS[0] as number);
    expect(pc.offers).toEqual([false, true]);
    await answerRestart(h);
    pc.setTransport("failed");
    await vi.advanceTimersByTimeAsync(RESTART_DELAYS_MS[1] as number); // second rung: longer delay
    expect(pc.offers).toEqual([false, true, true]);
    await answerRestart(h);
    pc.setTransport("connected");
    expect(h.remote.state).toBe("connected");

    pc.setTransport("failed"); // a new episode starts at the first rung again
    await vi.advanceTimersByTimeAsync(RESTART_DELAYS_MS[0] as number);
    expect(pc.offers).toEqual([false, true, true, true]);
    expect(h.states).toEqual(["connecting", "connected", "reconnecting", "connected", "reconnecting"]);
  });

  it("ICE disconnected counts only after 5 s", async () => {
    const h = harness(false);
    await firstNegotiation(h);
    const pc = h.pc();
    pc.setTransport("connected");
    pc.setTransport("disconnected");
    await vi.advanceTimersByTimeAsync(4_000);
    pc.setTransport("connected"); // recovered by itself: no restart
    await vi.advanceTimersByTimeAsync(20_000);
    expect(pc.offers).toEqual([false]);
    expect(h.remote.state).toBe("connected");

    pc.setTransport("disconnected");
    await vi.advanceTimersByTimeAsync(5_000 + (RESTART_DELAYS_MS[0] as number));
    expect(pc.offers).toEqual([false, true]);
  });
});

describe("restart ladder (polite side)", () => {
  it("never restarts ICE itself, and gives up on the same schedule", async () => {
    const h = harness(true);
    h.remote.start();
    expect(h.sent.map((s) => s.kind)).toEqual(["hello"]);
    h.remote.handleSignal(offer());
    await vi.advanceTimersByTimeAsync(0);
    const pc = h.pc();
    expect(h.sent.map((s) => s.kind)).toEqual(["hello", "description"]);
    expect(pc.channels.map((c) => c.id)).toEqual([0]); // its negotiated channel only after the offer
    const total = RESTART_DELAYS_MS.reduce((a, b) => a + b, 0) + (MAX_RESTARTS + 1) * STUCK_PAIR_MS;
    await vi.advanceTimersByTimeAsync(total - 1_000);
    expect(pc.offers).toEqual([]);
    expect(h.remote.state).not.toBe("closed");
    await vi.advanceTimersByTimeAsync(2_000);
    expect(h.remote.state).toBe("closed");
    expect(h.gaveUp).toBe(1);
  });

  it("says hello again while no offer comes", async () => {
    const h = harness(true);
    h.remote.start();
    await vi.advanceTimersByTimeAsync(STUCK_PAIR_MS + (RESTART_DELAYS_MS[0] as number));
    expect(h.sent.map((s) => (s.kind === "hello" ? `hello${s.retry ? "-retry" : ""}` : s.kind))).toEqual([
      "hello",
      "hello-retry",
    ]);
  });
});
