/**
 * protocol.md §13: native TLS. With `tls` the one port serves HTTPS and WSS, and plain HTTP (or
 * ws://) on it gets no answer. The certificate is made by the test (tls-cert.ts).
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { resolveConfig } from "@switchboard/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, startServer, type TestServer } from "./helpers.js";
import { makeCertificate, type TestCertificate } from "./tls-cert.js";

function get(url: string, ca?: string): Promise<{ status: number | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith("https:") ? httpsRequest : httpRequest;
    const req = send(url, ca ? { ca } : {}, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.on("error", reject);
    req.setTimeout(5_000, () => req.destroy(new Error("timeout")));
    req.end();
  });
}

describe("native TLS", () => {
  let cert: TestCertificate;
  let ts: TestServer;
  let base: string;
  beforeAll(async () => {
    cert = makeCertificate();
    ts = await startServer({ tls: { cert: cert.cert, key: cert.key } });
    base = `127.0.0.1:${ts.port}`;
  });
  afterAll(async () => {
    await ts?.stop();
    cert?.cleanup();
  });

  it("serves HTTPS", async () => {
    const res = await get(`https://${base}/healthz`, cert.cert);
    expect(res.status).toBe(200);
  });

  it("serves WSS on the same port", async () => {
    const client = new Client(`wss://${base}/v1?key=${encodeURIComponent(ts.pk)}`, { ca: cert.cert });
    try {
      expect(await client.next(5_000)).toMatchObject({ type: "welcome" });
      await client.ok({ type: "subscribe", channel: "tls-room" });
    } finally {
      client.terminate();
    }
  });

  it("refuses plain HTTP and ws:// on the port", async () => {
    await expect(get(`http://${base}/healthz`)).rejects.toThrow();
    const client = new Client(`ws://${base}/v1?key=${encodeURIComponent(ts.pk)}`);
    const closed = await client.waitClose(5_000);
    expect(closed.httpStatus).toBeUndefined();
    expect(client.queue).toEqual([]);
    client.terminate();
    // The server is unharmed.
    expect((await get(`https://${base}/healthz`, cert.cert)).status).toBe(200);
  });

  it("a certificate the client does not trust fails the handshake", async () => {
    await expect(get(`https://${base}/healthz`)).rejects.toThrow(/self[- ]signed/i);
  });
});

describe("tls config", () => {
  it("needs both parts and a matching pair", () => {
    const a = makeCertificate();
    const b = makeCertificate();
    try {
      expect(() => resolveConfig({ tls: { cert: a.cert, key: "" } })).toThrow(/tls needs both cert and key/);
      expect(() => resolveConfig({ tls: { cert: "not a pem", key: a.key } })).toThrow(/tls cert and key/);
      expect(() => resolveConfig({ tls: { cert: a.cert, key: b.key } })).toThrow(/tls cert and key/);
      expect(resolveConfig({ tls: { cert: a.cert, key: a.key } }).tls).toBeDefined();
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it("trustProxy entries must be addresses or CIDRs", () => {
    expect(() => resolveConfig({ trustProxy: ["10.0.0.0/8", "proxy.local", "::/200"] })).toThrow(
      /trustProxy entries are not addresses or CIDRs: proxy\.local, ::\/200/,
    );
  });
});
