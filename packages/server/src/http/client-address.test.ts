import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { clientAddressResolver, invalidTrustEntries, limitKeyOf } from "./client-address.js";

const request = (remoteAddress: string | undefined, xff?: string): IncomingMessage =>
  ({
    socket: { remoteAddress },
    headers: xff === undefined ? {} : { "x-forwarded-for": xff },
  }) as unknown as IncomingMessage;

describe("clientAddressResolver", () => {
  it("ignores X-Forwarded-For without a trust list", () => {
    const of = clientAddressResolver([]);
    expect(of(request("127.0.0.1", "203.0.113.9"))).toBe("127.0.0.1");
    expect(of(request("::ffff:10.1.2.3"))).toBe("10.1.2.3");
    expect(of(request(undefined))).toBe("unknown");
  });

  it("ignores X-Forwarded-For from an untrusted peer", () => {
    const of = clientAddressResolver(["10.0.0.0/8"]);
    expect(of(request("192.0.2.1", "203.0.113.9"))).toBe("192.0.2.1");
  });

  it("takes the right-most untrusted entry from a trusted peer", () => {
    const of = clientAddressResolver(["10.0.0.0/8", "2001:db8:ffff::/48"]);
    expect(of(request("10.0.0.1", "198.51.100.7, 203.0.113.9, 10.0.0.2"))).toBe("203.0.113.9");
    expect(of(request("::ffff:10.0.0.1", "198.51.100.7"))).toBe("198.51.100.7");
    expect(of(request("2001:db8:ffff::1", "2001:DB8:0:0:1::5"))).toBe("2001:db8::1:0:0:5");
    expect(of(request("10.0.0.1", "[2001:db8::7]:4431, 198.51.100.7:80"))).toBe("198.51.100.7");
  });

  it("takes the left-most entry when all are trusted, the peer when the header is absent", () => {
    const of = clientAddressResolver(["loopback", "10.0.0.0/8"]);
    expect(of(request("127.0.0.1", "10.0.0.3, 10.0.0.2"))).toBe("10.0.0.3");
    expect(of(request("::1"))).toBe("::1");
  });

  it("stops at an entry that is not an address", () => {
    const of = clientAddressResolver(["127.0.0.1"]);
    expect(of(request("127.0.0.1", "198.51.100.7, garbage"))).toBe("127.0.0.1");
    expect(of(request("127.0.0.1", "garbage, 198.51.100.7"))).toBe("198.51.100.7");
    expect(of(request("127.0.0.1", ""))).toBe("127.0.0.1");
  });
});

describe("invalidTrustEntries", () => {
  it("accepts addresses, CIDRs and named ranges", () => {
    expect(
      invalidTrustEntries(["10.0.0.1", "10.0.0.0/8", "::1", "fd00::/8", "loopback", "::ffff:10.0.0.0/104"]),
    ).toEqual([]);
  });
  it("names the bad ones", () => {
    expect(
      invalidTrustEntries(["10.0.0.0/33", "::/129", "nginx", "10.0.0.1/8/1", "1.2.3", "10.0.0.0/x"]),
    ).toEqual(["10.0.0.0/33", "::/129", "nginx", "10.0.0.1/8/1", "1.2.3", "10.0.0.0/x"]);
  });
});

describe("limitKeyOf", () => {
  it("keeps IPv4 and groups IPv6 by /64", () => {
    expect(limitKeyOf("203.0.113.9")).toBe("203.0.113.9");
    expect(limitKeyOf("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(limitKeyOf("2001:db8:1:2:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(limitKeyOf("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
    expect(limitKeyOf("::1")).toBe("::/64");
    expect(limitKeyOf("unknown")).toBe("unknown");
  });
});
