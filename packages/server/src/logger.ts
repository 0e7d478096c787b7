import { type Logger, pino } from "pino";

export type { Logger };

/**
 * JSON logs to stderr at `level` (default info). Credentials are redacted by path as a second line
 * of defence; the code never logs tokens, secrets or TURN credentials in the first place.
 */
export function createLogger(level = "info"): Logger {
  return pino(
    {
      level,
      base: { service: "switchboard" },
      redact: {
        paths: ["token", "secret", "*.token", "*.secret", "credential", "*.credential"],
        censor: "[redacted]",
      },
    },
    pino.destination(2),
  );
}

/** A logger that drops everything (library default). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
