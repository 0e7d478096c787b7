/**
 * A node on the PostgreSQL store while the database is unreachable (issue 11): connects with keys
 * it has already seen keep working, admin writes answer 503 in words, nothing crashes, and
 * everything works again once the database is back.
 */
import { createServer, openPostgresStore } from "@switchboard/server";
import { afterEach, beforeEach, expect, it } from "vitest";
import { ADMIN_TOKEN, adminClient, setAdminToken } from "./admin-helpers.js";
import { Client, eventually, type SecretKey, type Store, signToken, type TestServer } from "./helpers.js";
import {
  createTestDatabase,
  MACHINE_POSTGRES_URL,
  postgresProblem,
  type TestDatabase,
} from "./postgres-database.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";
import { describeWithService } from "./tools.js";

describeWithService("PostgreSQL", await postgresProblem())("PostgreSQL outage", () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let store: Store;
  let server: ReturnType<typeof createServer>;
  let base: string;
  const clients: Client[] = [];

  beforeEach(async () => {
    db = await createTestDatabase();
    const target = new URL(MACHINE_POSTGRES_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(db.url);
    viaProxy.port = String(proxy.port);
    ({ store } = await openPostgresStore({ url: viaProxy.toString(), pollMs: 50 }));
    server = createServer({ host: "127.0.0.1", port: 0, connectRatePerIp: 0, drainMs: 0 }, { store });
    const { port } = await server.listen();
    base = `127.0.0.1:${port}`;
    await setAdminToken({ store } as TestServer);
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    proxy.restore();
    await server.close();
    await store.close();
    await proxy.close();
    await db.drop();
  });

  async function connect(auth: string): Promise<Client> {
    const client = new Client(`ws://${base}/v1?${auth}`);
    clients.push(client);
    expect((await client.next(5_000)).type).toBe("welcome");
    return client;
  }

  it("cached keys keep connecting, admin writes answer 503, and all is well once it is back", async () => {
    const app = await store.defaultApp();
    const { key, secret } = await store.createKey({ appId: app.id, type: "secret" });
    const sk: SecretKey = { id: key.id, secret: secret as string };
    const { key: pk } = await store.createKey({ appId: app.id, type: "publishable" });
    const admin = adminClient(`http://${base}`, ADMIN_TOKEN);
    // Seen once: now cached by the node.
    await connect(`token=${encodeURIComponent(await signToken(sk))}`);
    await connect(`key=${pk.id}`);

    proxy.cut();
    const during = await connect(`token=${encodeURIComponent(await signToken(sk))}`);
    await connect(`key=${pk.id}`);
    const created = await admin.post("/apps", { name: "during-outage" });
    expect(created.status).toBe(503);
    expect(created.body).toEqual({ error: "internal_error", message: expect.any(String) });
    // The connected client is served as usual.
    expect(await during.request({ type: "subscribe", channel: "c" })).toMatchObject({ type: "ack" });

    proxy.restore();
    await eventually(
      async () => ((await admin.post("/apps", { name: "after" })).status === 200 ? true : undefined),
      10_000,
    );
    expect((await store.listApps()).map((a) => a.name)).toEqual(["default", "after"]);
  }, 30_000);
});
