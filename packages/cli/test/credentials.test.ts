/**
 * `serve --max-token-ttl` and `--turn-ttl-publishable` (protocol.md §12, §13; hardening) against the
 * built bin: a CLI-minted token over the limit is refused with 4001, REST mints no longer one, and
 * an opted-in publishable key's TURN credentials expire within the publishable TTL.
 */
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { bannerSecretKey, run, runJson, type Served, serveFixture } from "./helpers.js";

/** The first frame of a socket, or its close code if it closes first. */
function outcome(
  url: string,
): Promise<{ type?: string; metadata?: Record<string, unknown>; closeCode?: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error("neither a frame nor a close within 5 s"));
    }, 5_000);
    ws.once("message", (data) => {
      clearTimeout(timer);
      resolve(JSON.parse(String(data)));
      ws.close();
    });
    ws.once("close", (code) => {
      clearTimeout(timer);
      resolve({ closeCode: code });
    });
    ws.once("error", reject);
  });
}

describe("serve credential limits", () => {
  const fx = serveFixture();
  let served: Served | undefined;

  it("--max-token-ttl (or SWITCHBOARD_MAX_TOKEN_TTL) bounds connect tokens and REST mints", async () => {
    served = await fx.serve(["--port", "0", "--data-dir", fx.tmp.dataDir, "--log-level", "warn"], {
      SWITCHBOARD_MAX_TOKEN_TTL: "600",
    });
    const sk = bannerSecretKey(served.stdout);
    const url = `ws://127.0.0.1:${served.port}/v1`;
    const mint = async (ttl: number) => {
      const r = await run(
        [
          "token",
          "--key-id",
          sk.id,
          "--sub",
          "alice",
          "--channels",
          "**",
          "--permissions",
          "subscribe",
          "--ttl",
          String(ttl),
        ],
        { env: { SWITCHBOARD_KEY_SECRET: sk.secret } },
      );
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    expect(await outcome(`${url}?token=${await mint(900)}`)).toEqual({ closeCode: 4001 });
    expect((await outcome(`${url}?token=${await mint(600)}`)).type).toBe("welcome");

    const rest = await fetch(`http://127.0.0.1:${served.port}/v1/tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${sk.id}:${sk.secret}`, "content-type": "application/json" },
      body: JSON.stringify({ peerId: "bob", expiresInSec: 601 }),
    });
    expect(rest.status).toBe(400);
  });

  it("--turn-ttl-publishable bounds an opted-in publishable key's TURN credentials", async () => {
    // Create the opted-in key before the server starts: the data dir is then not a first start.
    const pk = await runJson<{ id: string; autoInjectTurn: boolean }>([
      "keys",
      "create",
      "--type",
      "publishable",
      "--turn",
      "--data-dir",
      fx.tmp.dataDir,
    ]);
    expect(pk.autoInjectTurn).toBe(true);
    served = await fx.serve(
      ["--port", "0", "--data-dir", fx.tmp.dataDir, "--log-level", "warn", "--turn-ttl-publishable", "120"],
      { SWITCHBOARD_TURN_SECRET: "cli-turn-secret", SWITCHBOARD_TURN_URLS: "turn:127.0.0.1:3478" },
    );
    const before = Math.floor(Date.now() / 1000);
    const welcome = await outcome(`ws://127.0.0.1:${served.port}/v1?key=${pk.id}`);
    const [relay] = (welcome.metadata?.iceServers ?? []) as Array<{ username: string }>;
    const expiry = Number(relay?.username.split(":")[0]);
    expect(expiry).toBeGreaterThanOrEqual(before + 120);
    expect(expiry).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 120);
  });
});
