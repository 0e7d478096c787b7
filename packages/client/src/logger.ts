/**
 * Logging. The SDK logs through a {@link Logger} the app passes in; it never hands it JWTs, secret
 * keys, TURN credentials or SDP, and shows a publishable key at most as its first 12 characters.
 */

/** Structured context attached to a log line. */
export type LogContext = Record<string, unknown>;

/** Where the SDK writes its log lines. Any object with these four methods works (pino, console…). */
export interface Logger {
  debug(msg: string, ctx?: LogContext): void;
  info(msg: string, ctx?: LogContext): void;
  warn(msg: string, ctx?: LogContext): void;
  error(msg: string, ctx?: LogContext): void;
}

type Level = keyof Logger;
const LEVELS: readonly Level[] = ["debug", "info", "warn", "error"];

/** Options of {@link ConsoleLogger}. */
export interface ConsoleLoggerOptions {
  /** Lowest level written. Default `"debug"`. */
  level?: Level;
  /** Prefix of every line. Default `"[switchboard]"`. */
  prefix?: string;
}

/**
 * Writes to `console`, for development: `new ConsoleLogger({ level: "info" })`. The class itself
 * also works as a logger (`logger: ConsoleLogger`), logging everything.
 */
export class ConsoleLogger implements Logger {
  readonly #min: number;
  readonly #prefix: string;

  constructor(options: ConsoleLoggerOptions = {}) {
    this.#min = LEVELS.indexOf(options.level ?? "debug");
    this.#prefix = options.prefix ?? "[switchboard]";
  }

  debug(msg: string, ctx?: LogContext): void {
    this.#write("debug", msg, ctx);
  }
  info(msg: string, ctx?: LogContext): void {
    this.#write("info", msg, ctx);
  }
  warn(msg: string, ctx?: LogContext): void {
    this.#write("warn", msg, ctx);
  }
  error(msg: string, ctx?: LogContext): void {
    this.#write("error", msg, ctx);
  }

  #write(level: Level, msg: string, ctx: LogContext | undefined): void {
    if (LEVELS.indexOf(level) < this.#min) return;
    if (ctx === undefined) console[level](`${this.#prefix} ${msg}`);
    else console[level](`${this.#prefix} ${msg}`, ctx);
  }

  static readonly #shared = new ConsoleLogger();
  static debug(msg: string, ctx?: LogContext): void {
    ConsoleLogger.#shared.debug(msg, ctx);
  }
  static info(msg: string, ctx?: LogContext): void {
    ConsoleLogger.#shared.info(msg, ctx);
  }
  static warn(msg: string, ctx?: LogContext): void {
    ConsoleLogger.#shared.warn(msg, ctx);
  }
  static error(msg: string, ctx?: LogContext): void {
    ConsoleLogger.#shared.error(msg, ctx);
  }
}

/**
 * Discards everything (the default). `new NoopLogger()` and the class itself both work as loggers.
 */
export class NoopLogger implements Logger {
  debug(): void {}
  info(): void {}
  warn(): void {}
  error(): void {}
  static debug(): void {}
  static info(): void {}
  static warn(): void {}
  static error(): void {}
}

/** True when `value` has the four logger methods. */
export function isLogger(value: unknown): value is Logger {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  const v = value as Record<string, unknown>;
  return LEVELS.every((level) => typeof v[level] === "function");
}

/**
 * Wraps an app logger so that a logger that throws can never break the client (a log call sits
 * inside socket callbacks and timers).
 */
export function safeLogger(logger: Logger): Logger {
  const call =
    (level: Level) =>
    (msg: string, ctx?: LogContext): void => {
      try {
        logger[level](msg, ctx);
      } catch {
        // Nothing sensible to do: logging the failure would go through the same logger.
      }
    };
  return { debug: call("debug"), info: call("info"), warn: call("warn"), error: call("error") };
}

/** How a publishable key may appear in logs: its first 12 characters at most. */
export function keyHint(apiKey: string): string {
  return `${apiKey.slice(0, 12)}…`;
}
