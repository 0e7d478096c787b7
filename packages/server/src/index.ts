export { defaults, resolveConfig, type ServerConfig, type TlsConfig } from "./config.js";
export { createServer, type ServerDeps, type SwitchboardServer } from "./create-server.js";
export { ADMIN_TOKEN_SETTING } from "./http/admin-auth.js";
export { invalidTrustEntries } from "./http/client-address.js";
export { createLogger, type Logger, silentLogger } from "./logger.js";
export { openSqliteStore } from "./store/sqlite.js";
export * from "./store/types.js";
export { type IceServer, mintIceServers, type TurnSettings } from "./turn.js";
