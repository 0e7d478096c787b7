/**
 * protocol.md §13: per-IP limits behind a proxy. With `trustProxy`, a request from a trusted peer
 * counts under the right-most untrusted `X-Forwarded-For` entry; without it the header is ignored.
 * IPv6 clients share one budget per /64.
 */
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startServer, type TestServer } from "./helpers.js";
import { rest } from "./rest-client.js";

const xff = (value: string) => ({ headers: { "x-forwarded-for": value } });

describe("per-IP connect limit behind a trusted proxy", () => {
  let ts: TestServer;
  const lines: string[] = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...chunk.toString().split("\n").filter(Boolean));
        done();
      },
    });
    ts = await startServer(
      { connectRatePerIp: 2, connectRateWindowMs: 60_000, trustProxy: ["127.0.0.1"] },
      { deps: { logger: pino({ level: "debug" }, sink) } },
    );
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("counts each forwarded client on its own", async () => {
    const a = "203.0.113.10";
    const b = "203.0.113.11";
    // The proxy appends what it saw; what the client sent itself (left of it) is not believed.
    expect(await ts.upgradeStatus(`/v1?key=${ts.pk}`, xff(a))).toBe(101);
    expect(await ts.upgradeStatus(`/v1?key=${ts.pk}`, xff(`198.51.100.1, ${a}`))).toBe(101);
    expect(await ts.upgradeStatus(`/v1?key=${ts.pk}`, xff(a))).toBe(429);
    expect(
      await ts.upgradeStatus(`/v1?key=${ts.pk}`, xff(`${a}, 127.0.0.1`)),
      "trusted hops are skipped",
    ).toBe(429);
    expect(await ts.upgradeStatus(`/v1?key=${ts.pk}`, xff(b))).toBe(101);
    const c = await ts.connectPk(ts.pk, xff(`${b}, 198.51.100.99`));
    expect(c.welcome).toMatchObject({ type: "welcome" });
    // No header: the proxy itself is the client.
    expect(await ts.upgradeStatus(`/v1?key=${ts.pk}`)).toBe(101);
    // Logs show the client address.
    const connected = await eventually(async () =>
      lines.map((l) => JSON.parse(l)).find((l) => l.msg === "connected" && l.ip === "198.51.100.99"),
    );
    expect(connected).toBeDefined();
    expect(lines.some((l) => l.includes("upgrade refused") && l.includes(a))).toBe(true);
  });

  it("limits IPv6 clients per /64", async () => {
    expect(await ts.upgradeStatus(`/v1?key=${ts.pk}`, xff("2001:db8:1:2::1"))).toBe(101);
    expect(await ts.upgradeStatus(`/v1?key=${ts.pk}`, xff("2001:db8:1:2:aaaa:bbbb:cccc:dddd"))).toBe(101);
    expect(await ts.upgradeStatus(`/v1?key=${ts.pk}`, xff("[2001:db8:1:2::ffff]:40000"))).toBe(429);
    expect(await ts.upgradeStatus(`/v1?key=${ts.pk}`, xff("2001:db8:1:3::1")), "another /64").toBe(101);
  });
});

describe("without trustProxy, X-Forwarded-For is ignored", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer({ connectRatePerIp: 2, connectRateWindowMs: 60_000, restRatePerSec: 1 });
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("every upgrade counts under the TCP peer", async () => {
    expect(await ts.upgradeStatus(`/v1?key=${ts.pk}`, xff("203.0.113.20"))).toBe(101);
    expect(await ts.upgradeStatus(`/v1?key=${ts.pk}`, xff("203.0.113.21"))).toBe(101);
    expect(await ts.upgradeStatus(`/v1?key=${ts.pk}`, xff("203.0.113.22"))).toBe(429);
  });

  it("REST failures count under the TCP peer", async () => {
    const bad = { header: `Bearer ${ts.sk.id}:sk_secret_guess` };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push(
        (await rest(ts, "GET", "/v1/usage", { auth: bad, ...xff(`203.0.113.${30 + i}`) })).status,
      );
    }
    expect(statuses).toContain(429);
  });
});

describe("REST failure limiter behind a trusted proxy", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer({ restRatePerSec: 1, trustProxy: ["loopback"] });
  });
  afterAll(async () => {
    await ts?.stop();
  });

  const guess = (client: string) =>
    rest(ts, "GET", "/v1/usage", { auth: { header: `Bearer ${ts.sk.id}:sk_secret_guess` }, ...xff(client) });

  it("one client's failures do not block another behind the same proxy", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await guess("203.0.113.40")).status);
    expect(statuses).toContain(429);
    expect((await guess("203.0.113.41")).status).toBe(401);
    const ok = await rest(ts, "GET", "/v1/usage", xff("203.0.113.41"));
    expect(ok.status).toBe(200);
  });

  it("IPv6 clients share one failure budget per /64", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await guess(`2001:db8:5:6::${i + 1}`)).status);
    expect(statuses).toContain(429);
    expect((await guess("2001:db8:5:7::1")).status, "another /64").toBe(401);
  });
});
