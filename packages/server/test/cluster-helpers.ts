/**
 * In-process clusters for the cluster integration tests: N real servers on port 0 in this process,
 * on one shared store (a SQLite data dir with a handle per node, as several processes would use
 * it, or a fresh PostgreSQL database), joined by either a memory bus or the machine's Redis under
 * a prefix of their own.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ClusterDeps,
  connectRedisCluster,
  createMemoryBroker,
  createMemoryBus,
  createMemoryPresence,
  createMemoryPresenceState,
  openPostgresStore,
} from "@switchboard/server";
import { type ServerConfig, startServer, type TestServer } from "./helpers.js";
import { createTestDatabase, type TestDatabase } from "./postgres-database.js";

export type Backend = "memory" | "redis";
/** Where the nodes keep apps, keys and usage: one SQLite data dir, or one fresh PostgreSQL database. */
export type SharedStore = "sqlite" | "postgres";

/** Short periods so tests see heartbeats, sweeps and expiry within a few seconds. */
export const TEST_TIMINGS = { heartbeatMs: 200, sweepMs: 300, nodeInfoStaleMs: 1_000, handoverMs: 300 };
/** Presence entries of a silent node expire after this in the tests. */
export const TEST_TTL_MS = 1_500;

export interface TestCluster {
  readonly nodes: TestServer[];
  readonly dataDir: string;
  /** Stops every node, then removes the shared data dir. */
  stop(): Promise<void>;
}

/** One node's cluster deps on `backend` (a memory cluster shares `shared`). */
export function clusterDeps(
  backend: Backend,
  shared: { bus: ReturnType<typeof createMemoryBus>; state: ReturnType<typeof createMemoryPresenceState> },
  prefix: string,
  nodeId: string,
): ClusterDeps {
  if (backend === "redis") {
    const deps = connectRedisCluster({
      url: "redis://127.0.0.1:6379",
      prefix,
      nodeId,
      presenceTtlMs: TEST_TTL_MS,
    });
    return { ...deps, timings: TEST_TIMINGS };
  }
  return {
    broker: createMemoryBroker({ bus: shared.bus, nodeId }),
    presence: createMemoryPresence({ state: shared.state, nodeId, ttlMs: TEST_TTL_MS }),
    timings: TEST_TIMINGS,
  };
}

/** Starts `n` nodes (config merged over the test defaults) on one data dir and one backend. */
export async function startCluster(
  n: number,
  backend: Backend,
  config: Partial<ServerConfig> = {},
  shared: SharedStore = "sqlite",
): Promise<TestCluster> {
  const dataDir = await mkdtemp(join(tmpdir(), "switchboard-cluster-"));
  const database: TestDatabase | undefined = shared === "postgres" ? await createTestDatabase() : undefined;
  const prefix = `sbtest-${randomBytes(4).toString("hex")}:`;
  const memory = { bus: createMemoryBus(), state: createMemoryPresenceState() };
  const nodes: TestServer[] = [];
  try {
    for (let i = 0; i < n; i++) {
      nodes.push(
        await startServer(
          { usageFlushMs: 100, ...config },
          {
            dataDir,
            pollMs: 50,
            deps: { cluster: clusterDeps(backend, memory, prefix, `node${i}`) },
            ...(database
              ? { store: (await openPostgresStore({ url: database.url, pollMs: 50 })).store }
              : {}),
          },
        ),
      );
    }
  } catch (err) {
    await Promise.all(nodes.map((node) => node.stop()));
    await rm(dataDir, { recursive: true, force: true });
    await database?.drop();
    throw err;
  }
  return {
    nodes,
    dataDir,
    async stop() {
      await Promise.all(nodes.map((node) => node.stop()));
      await rm(dataDir, { recursive: true, force: true });
      await database?.drop();
    },
  };
}
