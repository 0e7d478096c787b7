import { type DestinationStream, type Logger, pino } from "pino";

export type { Logger };

/** Field names that hold credentials, at the top level and one level down (plus request headers). */
const SECRET_FIELDS = ["token", "secret", "credential", "authorization", "adminToken", "turnSecret"];
const REDACTED_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  "*.headers.authorization",
];

/**
 * JSON logs to `destination` (default stderr) at `level` (default info). Credentials are redacted by
 * path as a second line of defence; the code never logs tokens, secrets, TURN credentials, the admin
 * token or a WebSocket upgrade URL (its query carries the credential) in the first place.
 * Connects and closes are logged at debug with `connection`, `appId`, `peerId` and the close `code`.
 */
export function createLogger(level = "info", destination: DestinationStream = pino.destination(2)): Logger {
  return pino(
    {
      level,
      base: { service: "switchboard" },
      redact: {
        paths: REDACTED_PATHS,
        censor: "[redacted]",
      },
    },
    destination,
  );
}

/** A logger that drops everything (library default). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
