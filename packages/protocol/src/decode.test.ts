import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "./codes.js";
import { type DecodeResult, decodeClientFrame, decodeServerFrame } from "./decode.js";
import { encodeFrame } from "./encode.js";
import type { Json, ServerFrame } from "./frames.js";
import { Limits } from "./limits.js";

/** fast-check types JSON objects with optional members; the values it generates are plain JSON. */
const jsonData = fc.jsonValue() as fc.Arbitrary<Json>;

const decode = (value: unknown): DecodeResult => decodeClientFrame(JSON.stringify(value));

function failure(result: DecodeResult) {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.frame)}`);
  return result;
}

describe("decodeClientFrame: envelope", () => {
  it.each(["", "{", "not json", "{'type':'ping'}", '{"type":"ping"} x', "undefined"])(
    "%j is not JSON → malformed_message",
    (text) => {
      expect(failure(decodeClientFrame(text)).code).toBe("malformed_message");
    },
  );

  it.each(["[]", '[{"type":"ping"}]', "null", "42", '"ping"', "true"])(
    "%s is not an object → malformed_message",
    (text) => {
      const result = failure(decodeClientFrame(text));
      expect(result.code).toBe("malformed_message");
      expect(result.requestId).toBeUndefined();
    },
  );

  it.each([{}, { type: 1 }, { type: null }, { type: ["ping"] }, { Type: "ping" }])(
    "%j has no string type → malformed_message",
    (frame) => {
      expect(failure(decode(frame)).code).toBe("malformed_message");
    },
  );

  it("ignores an inherited `type`", () => {
    expect(failure(decodeClientFrame('{"__proto__":{"type":"ping"}}')).code).toBe("malformed_message");
  });

  it("rejects a bad requestId without echoing it", () => {
    for (const requestId of [1, null, true, {}, ["r"], "x".repeat(129), "é".repeat(65)]) {
      const result = failure(decode({ type: "ping", requestId }));
      expect(result.code).toBe("malformed_message");
      expect(result).not.toHaveProperty("requestId");
    }
  });

  it("accepts requestIds up to 128 UTF-8 bytes, including the empty string", () => {
    for (const requestId of ["", "r1", "x".repeat(128), "é".repeat(64), "😀".repeat(32)]) {
      expect(decode({ type: "ping", requestId })).toEqual({ ok: true, frame: { type: "ping", requestId } });
    }
  });

  it("echoes a valid requestId in every later error", () => {
    const requestId = "req-7";
    const cases: [unknown, string][] = [
      [{ requestId }, "malformed_message"],
      [{ requestId, type: 3 }, "malformed_message"],
      [{ requestId, type: "nope" }, "unknown_type"],
      [{ requestId, type: "subscribe" }, "malformed_message"],
      [{ requestId, type: "publish", channel: "c" }, "missing_data"],
      [{ requestId, type: "send", to: "p" }, "missing_data"],
    ];
    for (const [frame, code] of cases) {
      expect(decode(frame)).toMatchObject({ ok: false, code, requestId });
    }
  });

  it("omits requestId from errors when the frame had none", () => {
    expect(failure(decode({ type: "nope" }))).not.toHaveProperty("requestId");
  });
});

describe("decodeClientFrame: types", () => {
  it.each(["nope", "PING", "", "welcome", "ack", "constructor", "__proto__", "toString"])(
    "type %j → unknown_type",
    (type) => {
      expect(failure(decode({ type })).code).toBe("unknown_type");
    },
  );

  it("decodes subscribe", () => {
    expect(decode({ type: "subscribe", channel: "room-1" })).toEqual({
      ok: true,
      frame: { type: "subscribe", channel: "room-1" },
    });
    expect(decode({ type: "subscribe", channel: "r", includeSenderMetadata: false, requestId: "1" })).toEqual(
      {
        ok: true,
        frame: { type: "subscribe", channel: "r", includeSenderMetadata: false, requestId: "1" },
      },
    );
  });

  it.each([
    { type: "subscribe" },
    { type: "subscribe", channel: 1 },
    { type: "subscribe", channel: null },
    { type: "subscribe", channel: "r", includeSenderMetadata: "yes" },
    { type: "subscribe", channel: "r", includeSenderMetadata: null },
    { type: "subscribe", channel: "r", includeSenderMetadata: 1 },
    { type: "unsubscribe" },
    { type: "unsubscribe", channel: ["r"] },
    { type: "publish", data: 1 },
    { type: "publish", channel: 5, data: 1 },
    { type: "publish" }, // field types are checked before data
    { type: "send", data: 1 },
    { type: "send", to: 42, data: 1 },
    { type: "send" },
  ])("%j → malformed_message", (frame) => {
    expect(failure(decode(frame)).code).toBe("malformed_message");
  });

  it("decodes unsubscribe and ping", () => {
    expect(decode({ type: "unsubscribe", channel: "r" })).toEqual({
      ok: true,
      frame: { type: "unsubscribe", channel: "r" },
    });
    expect(decode({ type: "ping" })).toEqual({ ok: true, frame: { type: "ping" } });
  });

  it("decodes publish and send with any JSON data, null included", () => {
    for (const data of [null, 0, "", false, [], {}, { nested: [1, { x: "y" }] }]) {
      expect(decode({ type: "publish", channel: "c", data })).toEqual({
        ok: true,
        frame: { type: "publish", channel: "c", data },
      });
      expect(decode({ type: "send", to: "peer", data, requestId: "r" })).toEqual({
        ok: true,
        frame: { type: "send", to: "peer", data, requestId: "r" },
      });
    }
  });

  it("reports missing data as missing_data", () => {
    expect(failure(decode({ type: "publish", channel: "c" })).code).toBe("missing_data");
    expect(failure(decode({ type: "send", to: "p" })).code).toBe("missing_data");
    expect(failure(decodeClientFrame('{"type":"publish","channel":"c","__proto__":{"data":1}}')).code).toBe(
      "missing_data",
    );
  });

  it("does not validate channels or peer ids", () => {
    expect(decode({ type: "subscribe", channel: "" }).ok).toBe(true);
    expect(decode({ type: "publish", channel: "_system/x", data: 1 }).ok).toBe(true);
    expect(decode({ type: "send", to: "\u0000", data: 1 }).ok).toBe(true);
  });

  it("drops unknown fields and builds a fresh frame", () => {
    const result = decodeClientFrame(
      '{"type":"subscribe","channel":"r","extra":1,"__proto__":{"polluted":true},"constructor":"x"}',
    );
    expect(result).toEqual({ ok: true, frame: { type: "subscribe", channel: "r" } });
    if (!result.ok) return;
    expect(Object.keys(result.frame)).toEqual(["type", "channel"]);
    expect(Object.getPrototypeOf(result.frame)).toBe(Object.prototype);
    expect((result.frame as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(decode({ type: "ping", channel: "x", data: 1, to: "p" })).toEqual({
      ok: true,
      frame: { type: "ping" },
    });
  });

  it("keeps data verbatim, even a __proto__ key inside it", () => {
    const result = decodeClientFrame('{"type":"publish","channel":"c","data":{"__proto__":{"a":1}}}');
    if (!result.ok) throw new Error("expected ok");
    expect(encodeFrame(result.frame)).toBe('{"type":"publish","channel":"c","data":{"__proto__":{"a":1}}}');
  });
});

const knownType = fc.constantFrom("subscribe", "unsubscribe", "publish", "send", "ping");
const fieldName = fc.constantFrom(
  "channel",
  "to",
  "data",
  "requestId",
  "includeSenderMetadata",
  "__proto__",
  "x",
);

function checkResult(result: DecodeResult): void {
  if (result.ok) {
    expect(typeof result.frame.type).toBe("string");
  } else {
    expect(ERROR_CODES).toContain(result.code);
    expect(typeof result.message).toBe("string");
    if (result.requestId !== undefined) expect(typeof result.requestId).toBe("string");
  }
}

describe("decodeClientFrame: properties", () => {
  it("never throws on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        checkResult(decodeClientFrame(text));
      }),
    );
  });

  it("never throws on arbitrary JSON text", () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        checkResult(decodeClientFrame(text));
      }),
    );
  });

  it("never throws on arbitrary JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        checkResult(decode(value));
      }),
    );
  });

  it("never throws on non-string input from untyped callers", () => {
    for (const input of [undefined, null, 1, {}, [], Symbol("s"), { toString: () => '{"type":"ping"}' }]) {
      checkResult(decodeClientFrame(input as unknown as string));
    }
    checkResult(
      decodeClientFrame({
        toString() {
          throw new Error("boom");
        },
      } as unknown as string),
    );
  });

  it("handles frames of known types with random fields consistently", () => {
    fc.assert(
      fc.property(knownType, fc.dictionary(fieldName, fc.jsonValue()), (type, fields) => {
        const text = JSON.stringify({ ...fields, type });
        const result = decodeClientFrame(text);
        checkResult(result);
        if (result.ok) {
          expect(result.frame.type).toBe(type);
          // Only known fields survive, and each is what the input held.
          const input = JSON.parse(text) as Record<string, unknown>;
          for (const [key, value] of Object.entries(result.frame)) expect(value).toEqual(input[key]);
        }
      }),
    );
  });

  it("round-trips valid client frames through encodeFrame", () => {
    const frame = fc.oneof(
      fc.record(
        {
          type: fc.constant("subscribe" as const),
          channel: fc.string(),
          includeSenderMetadata: fc.boolean(),
        },
        { requiredKeys: ["type", "channel"] },
      ),
      fc.record({ type: fc.constant("unsubscribe" as const), channel: fc.string() }),
      fc.record({ type: fc.constant("publish" as const), channel: fc.string(), data: jsonData }),
      fc.record({
        type: fc.constant("send" as const),
        to: fc.string(),
        data: jsonData,
        requestId: fc.string({ maxLength: 32 }),
      }),
      fc.record({ type: fc.constant("ping" as const) }),
    );
    fc.assert(
      fc.property(frame, (f) => {
        const result = decodeClientFrame(encodeFrame(f));
        expect(result).toEqual({ ok: true, frame: JSON.parse(JSON.stringify(f)) });
      }),
    );
  });
});

describe("decodeServerFrame", () => {
  const valid: ServerFrame[] = [
    { type: "welcome", peerId: "p", expiresAt: null, serverTime: 1, maxMessageSize: 65536, metadata: {} },
    { type: "welcome", peerId: "p", expiresAt: 10, serverTime: 1, maxMessageSize: 65536, metadata: { a: 1 } },
    { type: "ack", requestId: "r" },
    { type: "error", code: "missing_data", message: "m" },
    { type: "error", code: "unknown_type", message: "m", requestId: "r" },
    { type: "message", channel: "c", from: "p", data: null },
    { type: "message", channel: "c", from: "p", data: [1], fromMetadata: { n: "x" } },
    { type: "direct", from: "p", data: { a: 1 } },
    {
      type: "presence",
      channel: "c",
      joined: [{ peerId: "a", metadata: {} }, { peerId: "b" }],
      left: [{ peerId: "c" }],
    },
    { type: "presence", channel: "c", joined: [], left: [] },
    { type: "going_away", retryAfterMs: 500 },
    { type: "pong" },
    { type: "pong", requestId: "r" },
  ];

  it.each(valid)("accepts %j", (frame) => {
    expect(decodeServerFrame(encodeFrame(frame))).toEqual(frame);
  });

  it("keeps extra fields and unknown error codes (forward compatibility)", () => {
    expect(decodeServerFrame('{"type":"ack","requestId":"r","extra":1}')).toEqual({
      type: "ack",
      requestId: "r",
      extra: 1,
    });
    expect(decodeServerFrame('{"type":"error","code":"from_the_future","message":"m"}')).toMatchObject({
      code: "from_the_future",
    });
  });

  it.each([
    "nope",
    "[]",
    "null",
    '{"type":"hello"}',
    '{"type":"ack"}',
    '{"type":"ack","requestId":1}',
    '{"type":"welcome","peerId":"p","expiresAt":"x","serverTime":1,"maxMessageSize":1,"metadata":{}}',
    '{"type":"welcome","peerId":"p","expiresAt":null,"serverTime":1,"maxMessageSize":1,"metadata":[]}',
    '{"type":"welcome","peerId":"p","expiresAt":1e999,"serverTime":1,"maxMessageSize":1,"metadata":{}}',
    '{"type":"error","code":"x"}',
    '{"type":"error","code":"x","message":"m","requestId":null}',
    '{"type":"message","channel":"c","from":"p"}',
    '{"type":"message","channel":"c","from":"p","data":1,"fromMetadata":null}',
    '{"type":"direct","data":1}',
    '{"type":"presence","channel":"c","joined":[]}',
    '{"type":"presence","channel":"c","joined":[{"peerId":1}],"left":[]}',
    '{"type":"presence","channel":"c","joined":[null],"left":[]}',
    '{"type":"presence","channel":"c","joined":[{"peerId":"a","metadata":"m"}],"left":[]}',
    '{"type":"going_away"}',
    '{"type":"pong","requestId":5}',
  ])("rejects %s", (text) => {
    expect(decodeServerFrame(text)).toBeUndefined();
  });

  it("never throws", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        decodeServerFrame(text);
      }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom("welcome", "ack", "error", "message", "direct", "presence", "going_away", "pong"),
        fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue()),
        (type, fields) => {
          decodeServerFrame(JSON.stringify({ ...fields, type }));
        },
      ),
    );
  });
});

describe("nesting depth", () => {
  const nested = (depth: number) =>
    `{"type":"publish","channel":"x","data":${"[".repeat(depth - 1)}${"]".repeat(depth - 1)}}`;

  it("accepts frames nesting exactly maxJsonDepth levels", () => {
    expect(decodeClientFrame(nested(Limits.maxJsonDepth)).ok).toBe(true);
  });

  it("refuses deeper frames as malformed_message, without throwing, however deep", () => {
    for (const depth of [Limits.maxJsonDepth + 1, 20_000]) {
      expect(decodeClientFrame(nested(depth))).toMatchObject({ ok: false, code: "malformed_message" });
    }
  });

  it("does not count brackets inside strings", () => {
    const text = `{"type":"publish","channel":"x","data":"${"[".repeat(1000)}\\"${"{".repeat(1000)}"}`;
    expect(decodeClientFrame(text).ok).toBe(true);
  });
});
