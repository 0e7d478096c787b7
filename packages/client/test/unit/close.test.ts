/**
 * sdk.md `close(): Promise<void>` (no reconnect): the socket is closed, state → closed, pending and
 * queued requests reject, nothing reconnects afterwards, and later requests fail fast.
 */
import { describe, expect, it } from "vitest";
import { DisconnectedError } from "../../src/index.js";
import {
  advance,
  connected,
  dropConnected,
  flush,
  flushMicrotasks,
  makeClient,
  settle,
  useFakeClock,
} from "./fake-server.js";

useFakeClock();

describe("close()", () => {
  it("while connected: closes the socket with a valid code, state → closed, resolves", async () => {
    const { client, server, events } = await connected();
    events.clear();
    const p = settle(client.close());
    await flush();
    expect(p.status).toBe("resolved");
    const s = server.last;
    expect(s.closedByClient).toBeDefined();
    expect(client.state).toBe("closed");
    expect(events.transitions()).toEqual([["connected", "closed"]]);
    for (const d of events.of("disconnected")) expect(d.willReconnect).toBe(false);
    expect(events.of("error")).toEqual([]);
  });

  it("never reconnects afterwards, keepalive and watchdog stop", async () => {
    const { client, server } = await connected();
    await client.close();
    await advance(60 * 60_000);
    expect(server.count).toBe(1);
    expect(server.last.frames("ping")).toEqual([]);
    expect(client.state).toBe("closed");
  });

  it("rejects in-flight requests with DisconnectedError, without waiting for the ack timeout", async () => {
    const { client, server } = await connected();
    server.autoAck = false;
    const a = settle(client.publish("c", 1));
    const b = settle(client.subscribe("c"));
    await flushMicrotasks();
    await client.close();
    await flushMicrotasks();
    expect(a.error).toBeInstanceOf(DisconnectedError);
    expect(b.error).toBeInstanceOf(DisconnectedError);
  });

  it("rejects requests queued while reconnecting", async () => {
    const { client, server } = await connected();
    server.behaviour = "fail";
    await dropConnected(server);
    const p = settle(client.publish("c", 1));
    await flushMicrotasks();
    await client.close();
    await flushMicrotasks();
    expect(p.status).toBe("rejected");
    expect(p.error).toBeInstanceOf(DisconnectedError);
  });

  it("while reconnecting (backoff pending): no further attempt, state → closed", async () => {
    const { client, server, events } = await connected();
    await dropConnected(server);
    expect(client.state).toBe("reconnecting");
    events.clear();
    await client.close();
    await advance(60 * 60_000);
    expect(server.count).toBe(1);
    expect(client.state).toBe("closed");
    expect(events.transitions()).toEqual([["reconnecting", "closed"]]);
  });

  it("while a socket is still CONNECTING: it is closed or abandoned, never used", async () => {
    const { client, server } = makeClient();
    server.behaviour = "hang";
    const c = settle(client.connect());
    await flush();
    const s = server.last;
    await client.close();
    await flush();
    expect(c.status).toBe("rejected");
    // If the handshake completes late, the client does not come alive.
    if (s.readyState === 0) {
      s.open(true);
      await flush();
    }
    expect(client.state).toBe("closed");
    expect(s.sent).toEqual([]);
    await advance(60_000);
    expect(server.count).toBe(1);
  });

  it("a server close arriving after close() does not reconnect or emit error", async () => {
    const { client, server, events } = await connected();
    server.closeHandshake = "never";
    const s = server.last;
    const p = settle(client.close());
    await flush();
    events.clear();
    s.finishClose(1006, "");
    await advance(60_000);
    expect(server.count).toBe(1);
    expect(client.state).toBe("closed");
    expect(events.of("error")).toEqual([]);
    expect(events.of("state-change")).toEqual([]);
    void p;
  });

  it("is idempotent: a second close() resolves and changes nothing", async () => {
    const { client, events } = await connected();
    await client.close();
    const n = events.all.length;
    await expect(client.close()).resolves.toBeUndefined();
    expect(events.all.length).toBe(n);
    expect(client.state).toBe("closed");
  });

  it("on an idle client: resolves, opens nothing", async () => {
    const { client, server } = makeClient();
    await expect(client.close()).resolves.toBeUndefined();
    expect(client.state).toBe("closed");
    await advance(60_000);
    expect(server.count).toBe(0);
  });

  it("requests after close() reject promptly with an Error", async () => {
    const { client } = await connected();
    await client.close();
    const p = settle(() => client.publish("c", 1));
    await flushMicrotasks();
    expect(p.status).toBe("rejected");
    expect(p.error).toBeInstanceOf(Error);
  });

  it("inbound frames after close() emit nothing", async () => {
    const { client, server, events } = await connected();
    server.closeHandshake = "never";
    const s = server.last;
    await client.close().catch(() => undefined);
    events.clear();
    s.onmessage?.({ data: JSON.stringify({ type: "message", channel: "c", from: "b", data: 1 }) });
    await flushMicrotasks();
    expect(events.all).toEqual([]);
  });
});
