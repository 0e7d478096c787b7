import { describe, expect, it } from "vitest";
import { createScope } from "./auth/scope.js";
import { createHub } from "./hub.js";
import { createMessageRates, sumRates } from "./message-rates.js";
import { dispatchFrame } from "./session/dispatch.js";
import { testApp, testConnection } from "./test-support.js";

describe("message rates", () => {
  it("averages the last 60 seconds, the current one included", () => {
    let now = 1_000_000_000;
    const rates = createMessageRates(() => now);
    expect(rates.rate()).toEqual({ messagesInPerSec: 0, messagesOutPerSec: 0 });
    for (let s = 0; s < 6; s++) {
      rates.record(100, 300);
      now += 1_000;
    }
    now -= 1_000; // still inside the 6th second
    expect(rates.rate()).toEqual({ messagesInPerSec: 10, messagesOutPerSec: 30 });
  });

  it("forgets seconds older than the window, also after a long idle gap", () => {
    let now = 5_000;
    const rates = createMessageRates(() => now);
    rates.record(60, 0);
    now += 59_000;
    expect(rates.rate().messagesInPerSec).toBe(1);
    now += 1_000;
    expect(rates.rate().messagesInPerSec).toBe(0);
    // Same ring slot, many minutes later: the old count must not come back.
    now += 3_600_000;
    rates.record(6, 12);
    expect(rates.rate()).toEqual({ messagesInPerSec: 0.1, messagesOutPerSec: 0.2 });
  });

  it("sums rates", () => {
    expect(
      sumRates([
        { messagesInPerSec: 1, messagesOutPerSec: 2 },
        { messagesInPerSec: 3, messagesOutPerSec: 4 },
      ]),
    ).toEqual({ messagesInPerSec: 4, messagesOutPerSec: 6 });
  });
});

describe("hub counting and listing", () => {
  const send = (c: Parameters<typeof dispatchFrame>[0], frame: object) =>
    dispatchFrame(c, JSON.stringify(frame));

  it("counts one message in per publish/send and one out per socket written", () => {
    let now = 0;
    const app = { ...testApp(), hub: createHub(createMessageRates(() => now)) };
    const pub = testConnection(app, "pub");
    const subs = ["a", "b", "c"].map((p) => testConnection(app, p));
    for (const s of subs) send(s, { type: "subscribe", channel: "room" });
    send(subs[0] as never, { type: "subscribe", channel: "room*" });
    send(pub, { type: "publish", channel: "room", data: 1 }); // 3 out (a once, despite the pattern)
    send(pub, { type: "publish", channel: "roomy", data: 1 }); // 1 out (a, by pattern)
    send(pub, { type: "send", to: "b", data: 1 }); // 1 out
    now = 30_000;
    expect(app.hub.rates.rate()).toEqual({ messagesInPerSec: 3 / 60, messagesOutPerSec: 5 / 60 });
  });

  it("lists channels with subscriber and peer counts, and patterns", () => {
    const app = testApp();
    const watcher = testConnection(app, "w", { scope: createScope(["**"], ["subscribe"]) });
    const a1 = testConnection(app, "a");
    const a2 = testConnection(app, "a");
    for (const c of [watcher, a1, a2]) send(c, { type: "subscribe", channel: "lobby" });
    send(a1, { type: "subscribe", channel: "other" });
    send(watcher, { type: "subscribe", channel: "room-*" });
    const byName = (x: { channel: string }, y: { channel: string }) => x.channel.localeCompare(y.channel);
    expect(app.hub.listChannels().sort(byName)).toEqual([
      { channel: "lobby", subscribers: 3, peers: 1 },
      { channel: "other", subscribers: 1, peers: 1 },
    ]);
    expect(app.hub.listPatterns()).toEqual([{ pattern: "room-*", subscribers: 1 }]);
    expect(app.hub.peerCount).toBe(2);
  });
});
