// Shutdown of a bench server process: on SIGTERM/SIGINT close the server and its store, remove the
// data dir (unless null: a cluster node sharing another node's dir) and exit 0 (forced after 3 s,
// so a stuck close never leaves the orchestrator waiting).
import { rmSync } from "node:fs";

export function closeOnSignal(server, store, dataDir) {
  const stop = async () => {
    setTimeout(() => process.exit(0), 3_000).unref();
    try {
      await server.close();
      await store.close();
    } finally {
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    }
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
