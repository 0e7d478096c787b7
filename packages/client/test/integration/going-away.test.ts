/**
 * `going_away` against the real server (issue 4, "Done means"): a graceful `close()` sends
 * `going_away {retryAfterMs}` and a 1001 close; the SDK must wait at least `retryAfterMs` before it
 * dials again, even though its own backoff would retry much sooner and a new server is already
 * listening on the same port.
 */
import { createServer } from "@switchboard/server";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { openStoreHandle, startServer } from "../../../server/test/helpers.js";
import { Harness, SLACK_MS, sdkUrl } from "./helpers.js";

const h = new Harness();
afterEach(async () => {
  await h.cleanup();
});

const RETRY_AFTER_MS = 1_500;

describe("going_away", () => {
  it("the client waits the announced retryAfterMs, then reconnects to the new server on the same port", async () => {
    const ts = await startServer({ drainMs: 0, goingAwayRetryAfterMs: RETRY_AFTER_MS });
    h.defer(() => ts.stop());
    const pk = await ts.createPk();
    // Ordinary backoff would retry after ~100 ms: only going_away can explain a longer wait.
    const a = h.client({
      url: sdkUrl(ts.port),
      apiKey: pk,
      reconnect: { initialDelayMs: 100, maxDelayMs: 200 },
    });
    await a.client.connect();
    await a.client.subscribe("deploys");
    await a.log.waitFor("presence", { match: (p) => p.channel === "deploys" });
    const mark = a.log.events.length - 1;

    await ts.closeServer();
    const goingAway = await a.log.waitFor("going-away", { after: mark, timeoutMs: 5_000 });
    const retryAfterMs: number = goingAway.ctx.retryAfterMs;
    // The server announces at least the configured value (plus a random extra up to half of it).
    expect(retryAfterMs).toBeGreaterThanOrEqual(RETRY_AFTER_MS);
    expect(retryAfterMs).toBeLessThanOrEqual(RETRY_AFTER_MS * 1.5);
    const down = await a.log.waitFor("disconnected", { after: mark, timeoutMs: 5_000 });
    expect(down.ctx).toMatchObject({ code: 1001, willReconnect: true });
    expect(down.index).toBeGreaterThan(goingAway.index);

    // A new server on the same port and data dir (the key still exists there).
    const store = await openStoreHandle(ts.dataDir);
    h.defer(() => store.close());
    const next = createServer(
      { host: "127.0.0.1", port: ts.port, connectRatePerIp: 0, drainMs: 0 },
      { store, logger: pino({ level: "silent" }) },
    );
    h.defer(() => next.close());
    await next.listen();

    const again = await a.log.waitFor("connected", { after: mark, timeoutMs: 15_000 });
    expect(again.ctx).toMatchObject({ isReconnect: true });
    // The first reconnect attempt came no sooner than retryAfterMs after going_away.
    expect(a.sockets.count).toBeGreaterThanOrEqual(2);
    const attempt = a.sockets.attempt(1);
    expect(attempt.at - goingAway.at).toBeGreaterThanOrEqual(retryAfterMs - SLACK_MS);
    await a.log.waitFor("presence", { after: again.index, match: (p) => p.channel === "deploys" });
    expect(a.client.state).toBe("connected");
  }, 30_000);
});
