/**
 * sdk.md "Common options": construction-time validation (TypeError), the connect URL for both auth
 * paths, and that constructing a client does nothing on the network.
 */
import { describe, expect, it } from "vitest";
import { SignallingClient } from "../../src/index.js";
import {
  API_KEY,
  type ClientOptions,
  FakeServer,
  flush,
  makeClient,
  settle,
  useFakeClock,
} from "./fake-server.js";

useFakeClock();

const build = (options: Record<string, unknown>) => () =>
  new SignallingClient({
    webSocketFactory: new FakeServer().factory,
    ...options,
  } as unknown as ClientOptions);

describe("construction", () => {
  it("neither apiKey nor tokenProvider → TypeError", () => {
    expect(build({ url: "ws://localhost:8080" })).toThrow(TypeError);
  });

  it("both apiKey and tokenProvider → TypeError", () => {
    expect(build({ url: "ws://localhost:8080", apiKey: API_KEY, tokenProvider: async () => "jwt" })).toThrow(
      TypeError,
    );
  });

  it("a missing url → TypeError", () => {
    expect(build({ apiKey: API_KEY })).toThrow(TypeError);
  });

  it.each([
    ["a path", "ws://localhost:8080/v1"],
    ["a deeper path", "wss://rt.example.com/some/path"],
    ["a query", "ws://localhost:8080?x=1"],
    ["a query on wss", "wss://rt.example.com?key=pk_live_x"],
    ["a fragment", "ws://localhost:8080#frag"],
    ["userinfo", "ws://user:pass@localhost:8080"],
    ["a user name only", "wss://user@rt.example.com"],
    ["ws: to a remote host", "ws://rt.example.com"],
    ["ws: to a remote IP", "ws://10.0.0.5:8080"],
    ["an http: scheme", "http://localhost:8080"],
    ["an https: scheme", "https://rt.example.com"],
    ["not a URL at all", "not a url"],
    ["an empty string", ""],
  ])("a url with %s → TypeError", (_what, url) => {
    expect(build({ url, apiKey: API_KEY })).toThrow(TypeError);
  });

  it.each([
    "ws://localhost:8080",
    "ws://localhost",
    "ws://127.0.0.1:8080",
    "ws://[::1]:8080",
    "wss://rt.example.com",
    "wss://rt.example.com:8443",
  ])("accepts %s", (url) => {
    expect(build({ url, apiKey: API_KEY })).not.toThrow();
  });

  it("starts idle and opens no socket until connect()", async () => {
    const { client, server, events } = makeClient();
    expect(client.state).toBe("idle");
    await flush();
    expect(server.count).toBe(0);
    expect(events.all).toEqual([]);
  });
});

describe("connect URL", () => {
  it("apiKey: <url>/v1?key=<apiKey>", async () => {
    const { client, server } = makeClient();
    settle(client.connect());
    await flush();
    const url = server.last.parsedUrl;
    expect(url.protocol).toBe("ws:");
    expect(url.host).toBe("localhost:8080");
    expect(url.pathname).toBe("/v1");
    expect([...url.searchParams.keys()]).toEqual(["key"]);
    expect(url.searchParams.get("key")).toBe(API_KEY);
  });

  it("tokenProvider: <url>/v1?token=<jwt>, URL-encoded", async () => {
    const token = "eyJh.eyJz+/=&?#%.sig";
    const { client, server } = makeClient({ tokenProvider: async () => token });
    settle(client.connect());
    await flush();
    const s = server.last;
    expect(s.url.startsWith("ws://localhost:8080/v1?token=")).toBe(true);
    // Every character that means something in a query is escaped, so the value round-trips.
    expect(s.url).not.toContain(token);
    expect(s.parsedUrl.pathname).toBe("/v1");
    expect([...s.parsedUrl.searchParams.keys()]).toEqual(["token"]);
    expect(s.parsedUrl.searchParams.get("token")).toBe(token);
  });

  it("an apiKey with reserved characters is URL-encoded too", async () => {
    const apiKey = "pk_live_a+b/c=d&e";
    const { client, server } = makeClient({ apiKey });
    settle(client.connect());
    await flush();
    expect(server.last.parsedUrl.searchParams.get("key")).toBe(apiKey);
    expect([...server.last.parsedUrl.searchParams.keys()]).toEqual(["key"]);
  });

  it("wss origins keep their scheme and port", async () => {
    const { client, server } = makeClient({ url: "wss://rt.example.com:8443" });
    settle(client.connect());
    await flush();
    const url = server.last.parsedUrl;
    expect(url.origin).toBe("wss://rt.example.com:8443");
    expect(url.pathname).toBe("/v1");
  });
});
