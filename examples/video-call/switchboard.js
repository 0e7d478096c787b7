// The Switchboard server, embedded in this process on its default SQLite store. In production it
// runs on its own (`switchboard serve`); embedding it here makes the example one command.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createServer, openSqliteStore } from "@switchboard/server";

/** Where the example keeps the secret key it signs tokens with (the store shows a secret only once). */
const KEY_FILE = "video-call-key.json";

/**
 * The secret key saved in `dataDir` if the store still knows it, else a new one (saved for the next
 * start: a fresh key per start would soon reach the app's key limit).
 */
async function secretKeyFor(store, dataDir) {
  const file = join(dataDir, KEY_FILE);
  try {
    const saved = JSON.parse(await readFile(file, "utf8"));
    if ((await store.getSigningSecret(saved.id)) === saved.secret) return saved;
  } catch {
    // No saved key yet (or an unreadable one): create one below.
  }
  const appId = (await store.defaultApp()).id;
  const created = await store.createKey({ type: "secret", appId });
  const key = { id: created.key.id, secret: created.secret };
  await writeFile(file, `${JSON.stringify(key)}\n`, { mode: 0o600 });
  return key;
}

/**
 * Starts Switchboard on 127.0.0.1.
 *
 * @param {{ dataDir: string, port?: number, turnSecret?: string, turnUrls?: string[] }} options
 *   `port` 0 (the default) picks a free one. With `turnSecret` (coturn's `static-auth-secret`) and
 *   `turnUrls`, every `welcome` carries short-lived TURN credentials.
 * @returns {Promise<{ url: string, port: number, secretKey: { id: string, secret: string },
 *   stop(): Promise<void> }>} `url` is what the SDK's `url` option takes
 */
export async function startSwitchboard({ dataDir, port = 0, turnSecret, turnUrls = [] }) {
  const { store } = await openSqliteStore({ dataDir });
  try {
    const secretKey = await secretKeyFor(store, dataDir);
    // drainMs 0: on stop every client is told to come back at once, nobody waits out a drain window.
    const server = createServer({ port, turnSecret, turnUrls, drainMs: 0 }, { store });
    const address = await server.listen();
    return {
      url: `ws://${address.host}:${address.port}`,
      port: address.port,
      secretKey,
      async stop() {
        await server.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
