import { describe, expect, it } from "vitest";
import { NoopLogger } from "./logger.js";
import { resolveOptions } from "./options.js";
import { DEFAULT_RECONNECT } from "./reconnect.js";

const factory = () => ({}) as never;
const base = { url: "wss://rt.example.com", apiKey: "pk_live_abcdef123456", webSocketFactory: factory };

function problems(input: unknown): string[] {
  try {
    resolveOptions(input);
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as TypeError & { problems: string[] }).problems;
  }
  throw new Error("expected a TypeError");
}

describe("resolveOptions", () => {
  it("applies defaults", () => {
    const o = resolveOptions(base);
    expect(o.origin).toBe("wss://rt.example.com");
    expect(o.reconnect).toEqual(DEFAULT_RECONNECT);
    expect(o).toMatchObject({
      inactivityTimeoutMs: 60_000,
      tokenProviderTimeoutMs: 10_000,
      autoResubscribe: true,
      ackTimeoutMs: 10_000,
    });
    expect(o.auth).toEqual({ kind: "key", apiKey: base.apiKey });
  });

  it("merges a partial reconnect object over the defaults; false disables", () => {
    expect(resolveOptions({ ...base, reconnect: { maxAttempts: 3 } }).reconnect).toEqual({
      ...DEFAULT_RECONNECT,
      maxAttempts: 3,
    });
    expect(resolveOptions({ ...base, reconnect: false }).reconnect).toBe(false);
    expect(resolveOptions({ ...base, inactivityTimeoutMs: 0 }).inactivityTimeoutMs).toBe(0);
    expect(resolveOptions({ ...base, inactivityTimeoutMs: -1 }).inactivityTimeoutMs).toBe(-1);
  });

  it.each([
    ["ws://localhost:8080", "ws://localhost:8080"],
    ["ws://127.0.0.1:1", "ws://127.0.0.1:1"],
    ["ws://[::1]:9", "ws://[::1]:9"],
    ["wss://rt.example.com/", "wss://rt.example.com"],
    ["wss://rt.example.com:8443", "wss://rt.example.com:8443"],
  ])("accepts the origin %s", (url, origin) => {
    expect(resolveOptions({ ...base, url }).origin).toBe(origin);
  });

  it.each([
    ["ws://rt.example.com", "ws: is only allowed"],
    ["https://rt.example.com", "must use wss:"],
    ["wss://rt.example.com/v1", "without a path"],
    ["wss://rt.example.com?x=1", "query"],
    ["wss://rt.example.com?", "query"],
    ["wss://rt.example.com#f", "fragment"],
    ["wss://user:pw@rt.example.com", "userinfo"],
    ["not a url", "not a valid URL"],
    ["", "url is required"],
  ])("rejects the url %s", (url, text) => {
    expect(problems({ ...base, url }).join("\n")).toContain(text);
  });

  it("lists every problem at once, without echoing values", () => {
    const list = problems({
      url: "ws://evil.example.com/path",
      apiKey: "sk_secret_abcdef",
      logger: {},
      reconnect: { multiplier: 0.5, jitterRatio: 2, maxAttempts: 1.5, initialDelayMs: -1, bogus: 1 },
      inactivityTimeoutMs: "60",
      tokenProviderTimeoutMs: 0,
      ackTimeoutMs: Number.NaN,
      autoResubscribe: "yes",
      webSocketFactory: 1,
      typo: true,
    });
    expect(list.length).toBeGreaterThanOrEqual(13);
    expect(list.join("\n")).not.toContain("sk_secret_abcdef");
    expect(list.join("\n")).toContain("secret key");
  });

  it("requires exactly one of apiKey and tokenProvider", () => {
    expect(problems({ url: base.url, webSocketFactory: factory })).toEqual([
      "pass exactly one of apiKey and tokenProvider",
    ]);
    expect(problems({ ...base, tokenProvider: async () => "t" }).some((p) => p.includes("exactly one"))).toBe(
      true,
    );
    expect(
      resolveOptions({ url: base.url, webSocketFactory: factory, tokenProvider: async () => "t" }).auth.kind,
    ).toBe("token");
  });

  it("needs a factory when the runtime has no global WebSocket", () => {
    const g = globalThis as { WebSocket?: unknown };
    const saved = g.WebSocket;
    delete g.WebSocket;
    try {
      expect(problems({ url: base.url, apiKey: base.apiKey }).join()).toContain("webSocketFactory");
    } finally {
      if (saved !== undefined) g.WebSocket = saved;
    }
  });

  it("accepts the logger classes themselves and instances", () => {
    expect(() => resolveOptions({ ...base, logger: NoopLogger })).not.toThrow();
    expect(() => resolveOptions({ ...base, logger: new NoopLogger() })).not.toThrow();
  });
});
