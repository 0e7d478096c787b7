import { createHmac } from "node:crypto";
import fc from "fast-check";
import { CompactSign, compactVerify, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { readHs256Jws, verifyHs256 } from "./hs256.js";

const secret = new TextEncoder().encode("sk_secret_test_0123456789");
const b64 = (text: string | Buffer) => Buffer.from(text).toString("base64url");
const hmac = (input: string, key: Uint8Array = secret) =>
  createHmac("sha256", key).update(input).digest("base64url");
/** A compact JWS signed over whatever header and payload text it is given. */
const forge = (header: unknown, payload = '{"sub":"a"}', key: Uint8Array = secret) => {
  const input = `${b64(JSON.stringify(header))}.${b64(payload)}`;
  return `${input}.${hmac(input, key)}`;
};
const good = { alg: "HS256", typ: "JWT", kid: "sk_id_1" };

const utf8 = new TextDecoder("utf-8", { fatal: true });
/** What the connect handshake goes on with: a payload that is a UTF-8 JSON object, else nothing. */
function claimsOf(payload: Uint8Array): string | undefined {
  try {
    const value: unknown = JSON.parse(utf8.decode(payload));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? JSON.stringify(value)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The new path: readHs256Jws, verifyHs256, then the payload as JSON (jwt.ts). */
function ours(token: string): string | undefined {
  const jws = readHs256Jws(token);
  return jws && verifyHs256(jws, secret) ? claimsOf(jws.payload) : undefined;
}

/** The path it replaced: a shape regex, jose's `decodeProtectedHeader` and `compactVerify`, JSON. */
async function previous(token: string): Promise<string | undefined> {
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) return undefined;
  try {
    if (decodeProtectedHeader(token).alg !== "HS256") return undefined;
    const { payload } = await compactVerify(token, secret, { algorithms: ["HS256"] });
    return claimsOf(payload);
  } catch {
    return undefined;
  }
}

describe("HS256 compact JWS", () => {
  it("accepts a token jose signed, with its header and payload", async () => {
    const token = await new CompactSign(new TextEncoder().encode('{"sub":"alice"}'))
      .setProtectedHeader(good)
      .sign(secret);
    const jws = readHs256Jws(token);
    expect(jws?.header).toEqual(good);
    expect(jws && verifyHs256(jws, secret)).toBe(true);
    expect(jws?.payload.toString()).toBe('{"sub":"alice"}');
  });

  it.each([
    ["alg HS512", forge({ ...good, alg: "HS512" })],
    ["alg hs256 (case matters)", forge({ ...good, alg: "hs256" })],
    ["no alg", forge({ kid: "sk_id_1" })],
    ["alg none, empty signature", `${b64(JSON.stringify({ alg: "none" }))}.${b64("{}")}.`],
    ["header a JSON array", forge([good])],
    ["header a JSON string", forge("HS256")],
    ["header null", forge(null)],
    ["header not JSON", `${b64("{alg")}.${b64("{}")}.${hmac(`${b64("{alg")}.${b64("{}")}`)}`],
    ["header not UTF-8", `${b64(Buffer.from([0x7b, 0xff, 0x7d]))}.${b64("{}")}.${"A".repeat(43)}`],
    ["two segments", `${b64(JSON.stringify(good))}.${b64("{}")}`],
    ["four segments", `${forge(good)}.x`],
    ["empty header segment", `.${b64("{}")}.${hmac(`.${b64("{}")}`)}`],
    ["empty payload segment", `${b64(JSON.stringify(good))}..${hmac(`${b64(JSON.stringify(good))}.`)}`],
    ["padded segment", forge(good).replace(/\.([^.]*)$/, ".$1=")],
    [
      "standard base64 alphabet",
      `${Buffer.from(JSON.stringify(good)).toString("base64")}.e30.${"A".repeat(43)}`,
    ],
    ["signature of 31 bytes", forge(good).replace(/\.[^.]*$/, `.${b64(Buffer.alloc(31))}`)],
    ["signature of 33 bytes", forge(good).replace(/\.[^.]*$/, `.${b64(Buffer.alloc(33))}`)],
    ["payload with a character outside base64url", forge(good).replace(/\.([^.]*)\./, ".$1!.")],
    ["crit not an array", forge({ ...good, crit: "b64", b64: true })],
    ["crit empty", forge({ ...good, crit: [] })],
    ["crit naming an unknown extension", forge({ ...good, crit: ["exp"], exp: 1 })],
    ["crit b64 without b64", forge({ ...good, crit: ["b64"] })],
    ["crit b64 with b64 not a boolean", forge({ ...good, crit: ["b64"], b64: "yes" })],
  ])("refuses %s before any key is used", async (_name, token) => {
    expect(readHs256Jws(token)).toBeUndefined();
    expect(await previous(token), "the jose-based path refused it too").toBeUndefined();
  });

  it("refuses a wrong secret and a tampered payload", () => {
    const wrong = readHs256Jws(forge(good, '{"sub":"a"}', new TextEncoder().encode("sk_secret_other")));
    expect(wrong && verifyHs256(wrong, secret)).toBe(false);
    const [h, , s] = forge(good).split(".");
    const tampered = readHs256Jws(`${h}.${b64('{"sub":"admin"}')}.${s}`);
    expect(tampered && verifyHs256(tampered, secret)).toBe(false);
  });

  it("refuses a signature spelled with non-zero unused bits (jose accepted it; one spelling only)", async () => {
    const token = forge(good);
    const last = token.at(-1) as string;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    // 43 characters carry 258 bits for 32 bytes: the last character's low 2 bits are unused.
    const respelled = `${token.slice(0, -1)}${alphabet[alphabet.indexOf(last) ^ 1]}`;
    expect(await previous(respelled)).toBeDefined();
    expect(ours(respelled)).toBeUndefined();
  });

  it("accepts crit [b64] with b64 true, as jose does", async () => {
    const token = forge({ ...good, crit: ["b64"], b64: true });
    expect(ours(token)).toBe('{"sub":"a"}');
    expect(await previous(token)).toBe('{"sub":"a"}');
  });

  it("refuses b64 false (unencoded payload): jose's payload is then never a JSON object", async () => {
    const token = forge({ ...good, crit: ["b64"], b64: false }, "{}");
    expect(readHs256Jws(token)).toBeUndefined();
    expect(await previous(token)).toBeUndefined();
  });

  it("agrees with the jose-based path on random headers, payloads and one-character edits", async () => {
    const wildHeader = fc.record(
      {
        alg: fc.constantFrom("HS256", "HS384", "none", "RS256", 256, null),
        kid: fc.oneof(fc.constant("sk_id_1"), fc.string(), fc.integer()),
        typ: fc.constantFrom("JWT", "jwt"),
        crit: fc.constantFrom(["b64"], [], ["b64", "b64"], ["zip"], "b64", [""]),
        b64: fc.constantFrom(true, false, "true"),
      },
      { requiredKeys: [] },
    );
    const plainHeader = fc.record(
      { alg: fc.constant("HS256"), kid: fc.string(), typ: fc.constant("JWT"), x: fc.jsonValue() },
      { requiredKeys: ["alg"] },
    );
    const header = fc.oneof({ weight: 3, arbitrary: plainHeader }, { weight: 2, arbitrary: wildHeader });
    const payload = fc.oneof(
      { weight: 3, arbitrary: fc.dictionary(fc.string(), fc.jsonValue()).map((o) => JSON.stringify(o)) },
      { weight: 1, arbitrary: fc.json() },
      { weight: 1, arbitrary: fc.string() },
    );
    // Half the tokens intact (so that many are accepted), half with one character changed.
    const edit = fc.option(fc.tuple(fc.nat(), fc.constantFrom("A", "_", "-", ".", "=", "+", "é", "")), {
      nil: undefined,
      freq: 2,
    });
    await fc.assert(
      fc.asyncProperty(header, payload, edit, async (h, p, e) => {
        let token = forge(h, p);
        if (e) {
          const at = e[0] % (token.length + 1);
          token = token.slice(0, at) + e[1] + token.slice(at + 1);
        }
        const [mine, theirs] = [ours(token), await previous(token)];
        if (mine !== undefined) expect(theirs).toBe(mine);
        // The one difference: a segment with non-zero unused bits, which only jose accepted.
        else if (theirs !== undefined) expect(token.split(".").some(notCanonical)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});

function notCanonical(segment: string): boolean {
  return Buffer.from(segment, "base64url").toString("base64url") !== segment;
}
