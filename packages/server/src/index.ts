export { defaults, resolveConfig, type ServerConfig } from "./config.js";
export { createServer, type ServerDeps, type SwitchboardServer } from "./create-server.js";
export { createLogger, type Logger, silentLogger } from "./logger.js";
export { openSqliteStore } from "./store/sqlite.js";
export * from "./store/types.js";
