/**
 * sdk.md "Exports also": WsCloseCode, ErrorCode, ConsoleLogger, NoopLogger and every error class,
 * each an Error subclass whose instances have a stable `code` and `name`.
 */
import { describe, expect, it } from "vitest";
import * as sdk from "../../src/index.js";
import { advance, connected, flushMicrotasks, settle, useFakeClock } from "./fake-server.js";

useFakeClock();

describe("exports", () => {
  it("SignallingClient, loggers, code tables", () => {
    expect(typeof sdk.SignallingClient).toBe("function");
    expect(typeof sdk.ConsoleLogger).toBe("function");
    expect(typeof sdk.NoopLogger).toBe("function");
    const close = Object.values(sdk.WsCloseCode as Record<string, number>);
    for (const code of [1000, 1001, 1006, 1008, 1009, 4001, 4002, 4003, 4010, 4011, 4012, 4020]) {
      expect(close).toContain(code);
    }
    const errors = Object.values(sdk.ErrorCode as Record<string, string>);
    for (const code of [
      "malformed_message",
      "unknown_type",
      "invalid_channel",
      "invalid_peer_id",
      "channel_not_authorized",
      "channel_reserved",
      "channel_limit_exceeded",
      "peer_not_found",
      "missing_data",
      "action_not_permitted",
      "over_message_quota",
      "backend_error",
      "internal_error",
    ]) {
      expect(errors).toContain(code);
    }
  });

  it("Peer, RemotePeer and DataChannel", () => {
    expect(typeof sdk.Peer).toBe("function");
    expect(typeof sdk.RemotePeer).toBe("function");
    expect(typeof sdk.DataChannel).toBe("function");
  });

  it.each([
    "SignallingConnectError",
    "ServerRequestError",
    "DisconnectedError",
    "AckTimeoutError",
    "OversizedError",
    "SendError",
    "TokenProviderError",
    "PeerSendError",
    "PeerStateError",
    "PeerJoinError",
    "ReplaceTrackError",
    "DataChannelOverflowError",
    "DataChannelClosedError",
  ])("%s is an Error subclass", (name) => {
    const cls = (sdk as unknown as Record<string, unknown>)[name];
    expect(typeof cls).toBe("function");
    expect((cls as { prototype: unknown }).prototype).toBeInstanceOf(Error);
  });

  it("errors met in practice carry their class name and a string code", async () => {
    const { client, server } = await connected({ ackTimeoutMs: 100 });
    server.autoAck = false;
    const timeout = settle(client.publish("c", 1));
    const send = settle(() => client.publish("_system/x", 1));
    const big = settle(() => client.publish("c", "x".repeat(70_000)));
    server.answer = (f) =>
      f.type === "send"
        ? [{ type: "error", code: "peer_not_found", message: "m", requestId: f.requestId }]
        : undefined;
    const srv = settle(client.send("nobody", 1));
    await flushMicrotasks();
    await advance(100);
    const cases: [unknown, string][] = [
      [timeout.error, "AckTimeoutError"],
      [send.error, "SendError"],
      [big.error, "OversizedError"],
      [srv.error, "ServerRequestError"],
    ];
    for (const [error, name] of cases) {
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe(name);
      expect(typeof (error as { code?: unknown }).code).toBe("string");
    }
  });
});
