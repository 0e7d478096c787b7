/**
 * `serve --trust-proxy` and `--tls-cert/--tls-key` (protocol.md §13), through the built CLI: the
 * per-IP connect limit keys on the forwarded client address, the port speaks HTTPS and WSS, and bad
 * TLS files are usage errors (exit 2) found before the data dir is created.
 */
import { existsSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { makeCertificate, type TestCertificate } from "../../server/test/tls-cert.js";
import { hasStackTrace, run, type Served, serveFixture } from "./helpers.js";

/** Outcome of one upgrade attempt: "welcome", the HTTP status of a refusal, or the error message. */
function attempt(url: string, options: WebSocket.ClientOptions = {}): Promise<number | string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, options);
    ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    ws.once("message", (data) => {
      resolve(JSON.parse(String(data)).type);
      ws.terminate();
    });
    ws.once("error", (err) => resolve(`error: ${err.message}`));
  });
}

function status(url: string, ca?: string): Promise<number | string> {
  return new Promise((resolve) => {
    const send = url.startsWith("https:") ? httpsRequest : httpRequest;
    const req = send(url, ca ? { ca } : {}, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", (err) => resolve(`error: ${err.message}`));
    req.setTimeout(5_000, () => req.destroy(new Error("timeout")));
    req.end();
  });
}

const pkOf = (served: Served) => /Publishable key: (\S+)/.exec(served.stdout)?.[1] as string;
const xff = (value: string) => ({ headers: { "x-forwarded-for": value } });

let cert: TestCertificate;
let other: TestCertificate;
beforeAll(() => {
  cert = makeCertificate();
  other = makeCertificate();
});
afterAll(() => {
  cert?.cleanup();
  other?.cleanup();
});

describe("serve --trust-proxy", () => {
  const fx = serveFixture();
  let served: Served | undefined;

  it("limits per forwarded client behind a trusted proxy; the env var works too", async () => {
    served = await fx.serve(["--port", "0", "--data-dir", fx.tmp.dataDir, "--connect-rate-per-ip", "1"], {
      SWITCHBOARD_TRUST_PROXY: "10.0.0.0/8, 127.0.0.1",
    });
    const url = `ws://127.0.0.1:${served.port}/v1?key=${pkOf(served)}`;
    expect(await attempt(url, xff("203.0.113.1"))).toBe("welcome");
    expect(await attempt(url, xff("203.0.113.1, 10.1.2.3"))).toBe(429);
    expect(await attempt(url, xff("203.0.113.2"))).toBe("welcome");
    expect(await attempt(url, xff("2001:db8:9:9::1"))).toBe("welcome");
    expect(await attempt(url, xff("2001:db8:9:9::2")), "same /64").toBe(429);
  });

  it("without it, X-Forwarded-For is ignored", async () => {
    served = await fx.serve(["--port", "0", "--data-dir", fx.tmp.dataDir, "--connect-rate-per-ip", "1"]);
    const url = `ws://127.0.0.1:${served.port}/v1?key=${pkOf(served)}`;
    expect(await attempt(url, xff("203.0.113.1"))).toBe("welcome");
    expect(await attempt(url, xff("203.0.113.2"))).toBe(429);
  });

  it("a list entry that is not an address or CIDR → exit 2, one line", async () => {
    const r = await run([
      "serve",
      "--port",
      "0",
      "--data-dir",
      fx.tmp.dataDir,
      "--trust-proxy",
      "10.0.0.1,nginx",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--trust-proxy.*Not an address or CIDR: "nginx"/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(existsSync(fx.tmp.dataDir)).toBe(false);
  });
});

describe("serve --tls-cert --tls-key", () => {
  const fx = serveFixture();
  let served: Served | undefined;

  it("serves HTTPS and WSS on the port and refuses plain HTTP there", async () => {
    served = await fx.serve([
      "--port",
      "0",
      "--data-dir",
      fx.tmp.dataDir,
      "--tls-cert",
      cert.certFile,
      "--tls-key",
      cert.keyFile,
    ]);
    const base = `127.0.0.1:${served.port}`;
    expect(served.stdout).toContain(`Switchboard listening on https://${base} (WebSocket wss://${base}/v1)`);
    expect(served.stdout).toContain(`new WebSocket("wss://${base}/v1?key=`);
    expect(await status(`https://${base}/healthz`, cert.cert)).toBe(200);
    expect(await attempt(`wss://${base}/v1?key=${pkOf(served)}`, { ca: cert.cert })).toBe("welcome");
    expect(await status(`http://${base}/healthz`)).toMatch(/^error: /);
    expect(await attempt(`ws://${base}/v1?key=${pkOf(served)}`)).toMatch(/^error: /);
    expect(served.stderr()).not.toContain("PRIVATE KEY");
    expect(await served.stop("SIGTERM")).toBe(0);
  });

  it("reads SWITCHBOARD_TLS_CERT and SWITCHBOARD_TLS_KEY", async () => {
    served = await fx.serve(["--port", "0", "--data-dir", fx.tmp.dataDir], {
      SWITCHBOARD_TLS_CERT: cert.certFile,
      SWITCHBOARD_TLS_KEY: cert.keyFile,
    });
    expect(await status(`https://127.0.0.1:${served.port}/healthz`, cert.cert)).toBe(200);
  });

  const cases: [string, () => string[], RegExp][] = [
    [
      "a missing cert file",
      () => ["--tls-cert", join(cert.dir, "nope.pem"), "--tls-key", cert.keyFile],
      /cannot read --tls-cert .*nope\.pem: no such file/,
    ],
    [
      "a missing key file",
      () => ["--tls-cert", cert.certFile, "--tls-key", join(cert.dir, "nope.key")],
      /cannot read --tls-key .*nope\.key: no such file/,
    ],
    [
      "a cert file without a certificate",
      () => ["--tls-cert", garbage(), "--tls-key", cert.keyFile],
      /--tls-cert .* holds no PEM certificate/,
    ],
    [
      "a key file without a key",
      () => ["--tls-cert", cert.certFile, "--tls-key", cert.certFile],
      /--tls-key .* holds no PEM private key/,
    ],
    [
      "a key of another certificate",
      () => ["--tls-cert", cert.certFile, "--tls-key", other.keyFile],
      /are not a usable pair/,
    ],
    ["a cert without a key", () => ["--tls-cert", cert.certFile], /--tls-cert needs --tls-key/],
    ["a key without a cert", () => ["--tls-key", cert.keyFile], /--tls-key needs --tls-cert/],
  ];
  function garbage(): string {
    const file = join(fx.tmp.dir, "garbage.pem");
    writeFileSync(file, "this is not a certificate\n");
    return file;
  }
  it.each(cases)("%s → exit 2, one line, no data dir, key not shown", async (_name, args, message) => {
    const r = await run(["serve", "--port", "0", "--data-dir", fx.tmp.dataDir, ...args()]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stderr).not.toContain("PRIVATE KEY");
    expect(existsSync(fx.tmp.dataDir)).toBe(false);
  });
});
