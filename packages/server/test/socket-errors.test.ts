/**
 * Socket errors after the upgrade (a client that resets its TCP connection) are ws's to handle:
 * the server must neither crash nor keep the connection.
 */
import type { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startServer, type TestServer } from "./helpers.js";
import { scrape } from "./prometheus.js";

describe("a client that resets its connection", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer();
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it("is dropped, and the server keeps serving", async () => {
    const gone = await ts.connectJwt({ sub: "resetter" });
    const stays = await ts.connectJwt({ sub: "stayer" });
    expect((await scrape(ts.httpUrl)).get("switchboard_connections")).toBe(2);
    // An RST: the server's next read fails with ECONNRESET on the socket ws now owns.
    (gone.ws as unknown as { _socket: Socket })._socket.resetAndDestroy();
    await eventually(async () =>
      (await scrape(ts.httpUrl)).get("switchboard_connections") === 1 ? true : undefined,
    );
    const again = await ts.connectJwt({ sub: "resetter" });
    expect(again.welcome).toMatchObject({ type: "welcome", peerId: "resetter" });
    expect(stays.closeInfo).toBeUndefined();
  });
});
