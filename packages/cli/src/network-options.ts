import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";
import { invalidTrustEntries, type TlsConfig } from "@switchboard/server";
import { InvalidArgumentError, Option } from "commander";
import { UsageError } from "./errors.js";
import { parseList } from "./parse.js";

/** The proxy and TLS flags of `serve` as commander hands them over. */
export interface NetworkOptions {
  trustProxy?: string[];
  tlsCert?: string;
  tlsKey?: string;
}

/**
 * `--trust-proxy <list>` (env `SWITCHBOARD_TRUST_PROXY`): addresses and CIDRs (IPv4, IPv6) of the
 * proxies whose `X-Forwarded-For` is believed (protocol.md §13).
 */
export function trustProxyOption(): Option {
  return new Option(
    "--trust-proxy <list>",
    "comma-separated proxy addresses/CIDRs (or loopback, linklocal, uniquelocal) whose X-Forwarded-For is believed",
  )
    .env("SWITCHBOARD_TRUST_PROXY")
    .argParser(parseTrustList);
}

/** `--tls-cert <file>` (env `SWITCHBOARD_TLS_CERT`): PEM certificate chain; HTTPS and WSS with `--tls-key`. */
export function tlsCertOption(): Option {
  return new Option("--tls-cert <file>", "PEM certificate (chain) file: serve HTTPS and WSS").env(
    "SWITCHBOARD_TLS_CERT",
  );
}

/** `--tls-key <file>` (env `SWITCHBOARD_TLS_KEY`): the PEM private key of `--tls-cert`. */
export function tlsKeyOption(): Option {
  return new Option("--tls-key <file>", "PEM private key file of --tls-cert").env("SWITCHBOARD_TLS_KEY");
}

export function parseTrustList(value: string): string[] {
  const entries = parseList(value);
  const bad = invalidTrustEntries(entries);
  if (bad.length > 0) {
    throw new InvalidArgumentError(
      `Not an address or CIDR: ${bad.map((b) => JSON.stringify(b)).join(", ")}.`,
    );
  }
  return entries;
}

function readPem(flag: string, file: string, label: RegExp, what: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : String(code);
    throw new UsageError(`cannot read ${flag} ${file}: ${why}`);
  }
  if (!label.test(text)) throw new UsageError(`${flag} ${file} holds no PEM ${what}`);
  return text;
}

/**
 * The server config of the proxy and TLS flags. Reads the TLS files; throws {@link UsageError}
 * (exit 2) for a flag given without its partner, an unreadable file, a file without the PEM block
 * it needs, or a key that does not belong to the certificate. Never prints the key.
 */
export function networkConfig(options: NetworkOptions): { trustProxy: string[]; tls: TlsConfig | undefined } {
  const { trustProxy = [], tlsCert, tlsKey } = options;
  if (tlsCert === undefined && tlsKey === undefined) return { trustProxy, tls: undefined };
  if (tlsKey === undefined) throw new UsageError("--tls-cert needs --tls-key (SWITCHBOARD_TLS_KEY)");
  if (tlsCert === undefined) throw new UsageError("--tls-key needs --tls-cert (SWITCHBOARD_TLS_CERT)");
  const cert = readPem("--tls-cert", tlsCert, /-----BEGIN CERTIFICATE-----/, "certificate");
  const key = readPem("--tls-key", tlsKey, /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/, "private key");
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new UsageError(
      `--tls-cert ${tlsCert} and --tls-key ${tlsKey} are not a usable pair (${(err as Error).message})`,
    );
  }
  return { trustProxy, tls: { cert, key } };
}
