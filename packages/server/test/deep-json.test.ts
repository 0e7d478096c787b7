/**
 * protocol.md §2 and §11 "deep JSON everywhere" (hardening): REST bodies (publish `data`, token
 * `metadata`) and JWT `metadata`/`peerMetadata` follow the frames' 128-level depth limit — 400
 * `invalid_request` / 4001 — checked before anything is charged or logged. Before: REST data of
 * depth 6,000 answered 503 with a stack trace in the log after the quota was charged, and deep JWT
 * metadata closed the socket with 1011.
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nowSec, peer, signPayload, startServer, type TestServer, uniq } from "./helpers.js";
import { rest } from "./rest-client.js";

/** JSON text of arrays nested `depth` levels deep: `[[[…]]]`. */
const arrays = (depth: number): string => `${"[".repeat(depth)}${"]".repeat(depth)}`;
/** JSON text of an object whose member `a` is nested arrays: `depth` levels in all, the object included. */
const objectOfDepth = (depth: number): string => `{"a":${arrays(depth - 1)}}`;

/** A connect-token payload (default claims) with `extra` members spliced in as raw JSON text. */
function payloadWith(extra: Record<string, string>): string {
  const base = JSON.stringify({
    sub: peer("deep"),
    exp: nowSec() + 3600,
    channels: ["**"],
    permissions: ["subscribe", "publish", "presence", "send"],
  });
  const members = Object.entries(extra).map(([name, text]) => `${JSON.stringify(name)}:${text}`);
  return `${base.slice(0, -1)},${members.join(",")}}`;
}

describe("deep JSON", () => {
  const lines: string[] = [];
  let ts: TestServer;
  beforeAll(async () => {
    const logger = pino({ level: "debug" }, { write: (line: string) => void lines.push(line) });
    ts = await startServer({}, { deps: { logger } });
  });
  afterAll(async () => {
    await ts?.stop();
  });

  const messagesUsed = async (): Promise<number> => (await rest(ts, "GET", "/v1/usage")).body.messagesUsed;

  it("REST publish with data 6,000 levels deep → 400 invalid_request; nothing charged or logged", async () => {
    const channel = uniq("deep");
    const before = await messagesUsed();
    lines.length = 0;
    const res = await rest(ts, "POST", `/v1/channels/${channel}/publish`, {
      raw: `{"data":${arrays(6_000)}}`,
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: "invalid_request" });
    expect(await messagesUsed()).toBe(before);
    expect(lines.filter((l) => JSON.parse(l).level >= 40)).toEqual([]);
  });

  it("REST publish: a body of exactly 128 levels is delivered, 129 is refused", async () => {
    const channel = uniq("edge");
    const sub = await ts.connectPk();
    await sub.subscribe(channel);
    const ok = await rest(ts, "POST", `/v1/channels/${channel}/publish`, { raw: `{"data":${arrays(127)}}` });
    expect(ok.status).toBe(200);
    expect(await sub.next()).toMatchObject({ type: "message", channel });
    const before = await messagesUsed();
    const deep = await rest(ts, "POST", `/v1/channels/${channel}/publish`, {
      raw: `{"data":${arrays(128)}}`,
    });
    expect(deep.status).toBe(400);
    expect(deep.body.error).toBe("invalid_request");
    expect(await messagesUsed()).toBe(before);
    await sub.quiet();
  });

  it("POST /v1/tokens with deep metadata or peerMetadata → 400 invalid_request", async () => {
    for (const field of ["metadata", "peerMetadata"]) {
      const res = await rest(ts, "POST", "/v1/tokens", {
        raw: `{"peerId":"alice","${field}":${objectOfDepth(200)}}`,
      });
      expect(res.status, field).toBe(400);
      expect(res.body.error, field).toBe("invalid_request");
    }
  });

  it("a JWT whose metadata nests 6,000 levels closes with 4001 (not 1011)", async () => {
    const token = await signPayload(ts.sk, payloadWith({ metadata: objectOfDepth(6_000) }));
    expect((await ts.refused({ token })).code).toBe(4001);
  });

  it("JWT metadata and peerMetadata: 128 levels connect, 129 close with 4001", async () => {
    const ok = await ts.connect({
      token: await signPayload(
        ts.sk,
        payloadWith({ metadata: objectOfDepth(128), peerMetadata: objectOfDepth(128) }),
      ),
    });
    expect(ok.welcome?.metadata).toHaveProperty("a");
    for (const field of ["metadata", "peerMetadata"]) {
      const token = await signPayload(ts.sk, payloadWith({ [field]: objectOfDepth(129) }));
      expect((await ts.refused({ token })).code, field).toBe(4001);
    }
  });
});
