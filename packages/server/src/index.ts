export type { Broker } from "./cluster/broker.js";
export { type ClusterDeps, connectRedisCluster, type RedisClusterOptions } from "./cluster/cluster-deps.js";
export { createMemoryBroker, createMemoryBus, type MemoryBus } from "./cluster/memory-broker.js";
export {
  clearMemoryPresenceState,
  createMemoryPresence,
  createMemoryPresenceState,
  type MemoryPresenceState,
} from "./cluster/presence-memory.js";
export type { PresenceRegistry } from "./cluster/presence-registry.js";
export { defaults, resolveConfig, type ServerConfig, type TlsConfig } from "./config.js";
export { createServer, type ServerDeps, type SwitchboardServer } from "./create-server.js";
export { ADMIN_TOKEN_SETTING } from "./http/admin-auth.js";
export { invalidTrustEntries } from "./http/client-address.js";
export { createLogger, type Logger, silentLogger } from "./logger.js";
export { openPostgresStore } from "./store/postgres.js";
export { openSqliteStore } from "./store/sqlite.js";
export * from "./store/types.js";
export { type IceServer, mintIceServers, type TurnSettings } from "./turn.js";
