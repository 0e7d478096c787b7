import { describe, expect, it } from "vitest";
import { encodeFrame } from "./encode.js";

describe("encodeFrame", () => {
  it("writes JSON text", () => {
    expect(encodeFrame({ type: "ack", requestId: "r" })).toBe('{"type":"ack","requestId":"r"}');
    expect(encodeFrame({ type: "ping" })).toBe('{"type":"ping"}');
  });

  it("omits optional fields left undefined", () => {
    expect(encodeFrame({ type: "error", code: "internal_error", message: "m", requestId: undefined })).toBe(
      '{"type":"error","code":"internal_error","message":"m"}',
    );
    expect(
      encodeFrame({ type: "message", channel: "c", from: "p", data: null, fromMetadata: undefined }),
    ).toBe('{"type":"message","channel":"c","from":"p","data":null}');
  });

  it("escapes lone surrogates so the output is valid UTF-8 JSON", () => {
    expect(encodeFrame({ type: "direct", from: "p", data: "\ud800" })).toBe(
      '{"type":"direct","from":"p","data":"\\ud800"}',
    );
  });
});
