import { CloseCode, CloseReason } from "@switchboard/protocol";
import type { Logger } from "pino";
import type { AppRegistry } from "./apps.js";
import type { KeyDirectory } from "./auth/keys.js";
import type { Connection } from "./connection.js";
import type { Store } from "./store/types.js";

/**
 * Applies store changes made by any process (CLI, admin API, another node) to live connections:
 * drops the key cache, closes connections whose key was revoked or deleted (4001), those of
 * suspended apps (4012) and those of deleted apps (4001). Runs are serialised; a change during a
 * run triggers one more run.
 */
export function watchStoreChanges(
  store: Store,
  keys: KeyDirectory,
  apps: AppRegistry,
  connections: ReadonlySet<Connection>,
  log: Logger,
): () => void {
  let running = false;
  let again = false;

  async function reconcile(): Promise<void> {
    const gone = await apps.refresh();
    for (const app of apps.all()) {
      if (!app.record.suspended) continue;
      for (const c of app.connections)
        c.transport.close(CloseCode.AppSuspended, CloseReason[CloseCode.AppSuspended]);
    }
    // A deleted app took its keys with it: its connections end as a deleted key's do (4001, terminal),
    // which is also what a reconnect would get at the handshake.
    for (const app of gone) {
      for (const c of app.connections)
        c.transport.close(CloseCode.InvalidToken, CloseReason[CloseCode.InvalidToken]);
    }
    const byKey = new Map<string, Connection[]>();
    for (const connection of connections) {
      const id = connection.identity.key.record.id;
      const list = byKey.get(id);
      if (list) list.push(connection);
      else byKey.set(id, [connection]);
    }
    for (const [id, list] of byKey) {
      const key = await store.getKey(id);
      if (key && !key.revoked) continue;
      for (const c of list) c.transport.close(CloseCode.InvalidToken, CloseReason[CloseCode.InvalidToken]);
    }
  }

  function run(): void {
    keys.invalidate();
    if (running) {
      again = true;
      return;
    }
    running = true;
    reconcile()
      .catch((err: unknown) => log.error({ err }, "applying store change failed"))
      .finally(() => {
        running = false;
        if (again) {
          again = false;
          run();
        }
      });
  }

  return store.onChange(run);
}
