export { createServer, type ServerDeps, type SwitchboardServer } from "./create-server.js";
export { defaults, resolveConfig, type ServerConfig } from "./config.js";
export { createLogger, silentLogger, type Logger } from "./logger.js";
export * from "./store/types.js";
export { openSqliteStore } from "./store/sqlite.js";
