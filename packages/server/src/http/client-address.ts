import type { IncomingMessage } from "node:http";
import { isIPv4, isIPv6 } from "node:net";

/**
 * The client address of a request (protocol.md §13), for the per-IP connect limit, the REST
 * failure limiter and logs.
 *
 * Without trusted proxies it is the TCP peer and `X-Forwarded-For` is ignored (anyone can send it).
 * When the TCP peer is trusted, `X-Forwarded-For` is read from the right (each proxy appends the
 * address it saw): the client is the right-most entry that is not trusted, the left-most entry when
 * every one is trusted, and the TCP peer when the header is absent. An entry that is not an IP
 * address ends the walk at the hop that reported it (no address a client typed can become its key).
 * IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`, a dual-stack socket's view of an IPv4 peer) are
 * reported as IPv4.
 */
export type ClientAddressOf = (req: IncomingMessage) => string;

/** Named ranges accepted in a trust list, besides addresses and CIDRs (as Express names them). */
const NAMED_RANGES: Record<string, readonly string[]> = {
  loopback: ["127.0.0.0/8", "::1/128"],
  linklocal: ["169.254.0.0/16", "fe80::/10"],
  uniquelocal: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
};

interface Range {
  bytes: Uint8Array;
  prefixBits: number;
}

/** Parses an IPv4 or IPv6 address (no port, no brackets; a `%zone` is ignored) into its bytes. */
function addressBytes(text: string): Uint8Array | undefined {
  const address = text.split("%", 1)[0] as string;
  if (isIPv4(address)) return Uint8Array.from(address.split(".").map(Number));
  if (!isIPv6(address)) return undefined;
  const embedded = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  let head = address;
  const tail: number[] = [];
  if (embedded) {
    const [a, b, c, d] = (embedded[1] as string).split(".").map(Number) as [number, number, number, number];
    tail.push((a << 8) | b, (c << 8) | d);
    head = address.slice(0, -(embedded[1] as string).length);
    if (head.endsWith(":") && !head.endsWith("::")) head = head.slice(0, -1);
  }
  const halves = head.split("::");
  const words = (part: string) => (part === "" ? [] : part.split(":").map((g) => Number.parseInt(g, 16)));
  const left = words(halves[0] as string);
  const right = halves.length > 1 ? words(halves[1] as string) : [];
  const missing = 8 - left.length - right.length - tail.length;
  const all = [...left, ...Array<number>(Math.max(0, missing)).fill(0), ...right, ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return bytes;
}

/** `::ffff:a.b.c.d` (and its hex form) → the IPv4 bytes; anything else unchanged. */
function unmapped(bytes: Uint8Array): Uint8Array {
  if (bytes.length !== 16) return bytes;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return bytes;
  return bytes[10] === 0xff && bytes[11] === 0xff ? bytes.slice(12) : bytes;
}

function formatBytes(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join(".");
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2)
    words.push((((bytes[i] as number) << 8) | (bytes[i + 1] as number)).toString(16));
  // Canonical (RFC 5952) form: the longest run of zero words (≥ 2) becomes `::`.
  let best = { at: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (words[i] !== "0") {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === "0") j += 1;
    if (j - i > best.length) best = { at: i, length: j - i };
    i = j;
  }
  if (best.length < 2) return words.join(":");
  return `${words.slice(0, best.at).join(":")}::${words.slice(best.at + best.length).join(":")}`;
}

/** An `X-Forwarded-For` entry or socket address, as an address: brackets and ports stripped. */
function parseEntry(entry: string): Uint8Array | undefined {
  let text = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1] as string;
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(text)) text = text.slice(0, text.lastIndexOf(":"));
  const bytes = addressBytes(text);
  return bytes && unmapped(bytes);
}

function parseRange(text: string): Range | undefined {
  const [address, prefix, extra] = text.trim().split("/");
  if (address === undefined || extra !== undefined) return undefined;
  const raw = addressBytes(address);
  if (!raw) return undefined;
  const maxBits = raw.length * 8;
  const prefixBits = prefix === undefined ? maxBits : /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
  if (!(prefixBits >= 0 && prefixBits <= maxBits)) return undefined;
  // `::ffff:10.0.0.0/104` is the IPv4 range 10.0.0.0/8: addresses are compared unmapped.
  const bytes = unmapped(raw);
  return { bytes, prefixBits: prefixBits - (maxBits - bytes.length * 8) };
}

function inRange(bytes: Uint8Array, range: Range): boolean {
  if (bytes.length !== range.bytes.length || range.prefixBits < 0) return false;
  let bits = range.prefixBits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[i] as number) & mask) !== ((range.bytes[i] as number) & mask)) return false;
  }
  return true;
}

/** The entries of a trust list that are neither an address, a CIDR nor a named range (for config errors). */
export function invalidTrustEntries(list: readonly string[]): string[] {
  return list.filter((entry) => !(entry in NAMED_RANGES) && parseRange(entry) === undefined);
}

/**
 * Builds the resolver for a trust list of addresses, CIDRs (IPv4 and IPv6) and the names
 * `loopback`, `linklocal`, `uniquelocal`. Entries must be valid ({@link invalidTrustEntries}).
 */
export function clientAddressResolver(trustProxy: readonly string[]): ClientAddressOf {
  const ranges = trustProxy
    .flatMap((entry) => NAMED_RANGES[entry] ?? [entry])
    .map(parseRange)
    .filter((r): r is Range => r !== undefined);
  const peerOf = (req: IncomingMessage): string => {
    const remote = req.socket.remoteAddress;
    if (remote === undefined) return "unknown";
    const bytes = parseEntry(remote);
    return bytes ? formatBytes(bytes) : remote;
  };
  if (ranges.length === 0) return peerOf;
  const trusted = (bytes: Uint8Array) => ranges.some((range) => inRange(bytes, range));

  return (req) => {
    const peer = parseEntry(req.socket.remoteAddress ?? "");
    if (!peer || !trusted(peer)) return peerOf(req);
    const header = req.headers["x-forwarded-for"];
    if (header === undefined) return formatBytes(peer);
    // Node joins repeated headers with ", "; an array cannot occur for this header, but be safe.
    const entries = (Array.isArray(header) ? header.join(",") : header).split(",");
    let client = peer;
    for (let i = entries.length - 1; i >= 0; i--) {
      const hop = parseEntry(entries[i] as string);
      if (!hop) break;
      client = hop;
      if (!trusted(hop)) break;
    }
    return formatBytes(client);
  };
}

/**
 * The key per-IP limits count under: an IPv4 address itself, an IPv6 address's /64 (one
 * subscriber's usual allocation, so rotating through its addresses gains nothing).
 */
export function limitKeyOf(address: string): string {
  const bytes = parseEntry(address);
  if (!bytes || bytes.length === 4) return address;
  const prefix = bytes.slice(0, 8);
  const full = new Uint8Array(16);
  full.set(prefix);
  return `${formatBytes(full)}/64`;
}
