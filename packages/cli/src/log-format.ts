import { createLogger, type Logger } from "@switchboard/server";
import { Option } from "commander";

/** How `serve` writes its logs (stderr): `json` lines, or `pretty` lines for a person. */
export const LOG_FORMATS = ["pretty", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * `--log-format <format>` (env `SWITCHBOARD_LOG_FORMAT`): no default here, so that "not given"
 * can mean "pretty in a terminal, JSON otherwise" ({@link chooseLogFormat}).
 */
export function logFormatOption(): Option {
  return new Option("--log-format <format>", "log lines on stderr (default: pretty in a terminal, else json)")
    .env("SWITCHBOARD_LOG_FORMAT")
    .choices(LOG_FORMATS);
}

/** The format asked for, or pretty when stderr (where the logs go) is a terminal and JSON otherwise. */
export function chooseLogFormat(
  asked: LogFormat | undefined,
  stderrIsTty = process.stderr.isTTY === true,
): LogFormat {
  return asked ?? (stderrIsTty ? "pretty" : "json");
}

/** The server's logger (same level, same redaction) writing `format` to stderr. */
export function createCliLogger(level: string, format: LogFormat): Logger {
  if (format === "json") return createLogger(level);
  const colors = process.stderr.isTTY === true && process.env.NO_COLOR === undefined;
  return createLogger(level, {
    write(line: string) {
      process.stderr.write(prettyLine(line, colors));
    },
  });
}

const LEVELS: Record<number, { name: string; color: number }> = {
  10: { name: "TRACE", color: 90 },
  20: { name: "DEBUG", color: 36 },
  30: { name: "INFO", color: 32 },
  40: { name: "WARN", color: 33 },
  50: { name: "ERROR", color: 31 },
  60: { name: "FATAL", color: 35 },
};

/** Fields every line has, shown in the fixed columns or not at all. */
const HIDDEN = new Set(["level", "time", "msg", "service", "pid", "hostname"]);

function value(v: unknown): string {
  if (typeof v === "string") return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}

function clock(ms: unknown): string {
  const date = typeof ms === "number" ? new Date(ms) : new Date();
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/**
 * One pino JSON line as `HH:MM:SS.mmm LEVEL message key=value …`, plus an error's stack on the lines
 * after it. A line that is not JSON is passed through unchanged.
 */
export function prettyLine(line: string, colors = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith("\n") ? line : `${line}\n`;
  }
  const level = LEVELS[entry.level as number] ?? { name: String(entry.level), color: 0 };
  const paint = (code: number, text: string) => (colors ? `\x1b[${code}m${text}\x1b[0m` : text);
  let stack = "";
  const fields: string[] = [];
  for (const [key, v] of Object.entries(entry)) {
    if (HIDDEN.has(key)) continue;
    if (key === "err" && v !== null && typeof v === "object") {
      const err = v as { message?: unknown; stack?: unknown };
      fields.push(`err=${value(err.message ?? v)}`);
      if (typeof err.stack === "string") stack = `\n    ${err.stack.split("\n").join("\n    ")}`;
      continue;
    }
    fields.push(`${paint(90, `${key}=`)}${value(v)}`);
  }
  const head = `${paint(90, clock(entry.time))} ${paint(level.color, level.name.padEnd(5))} ${String(entry.msg ?? "")}`;
  return `${[head, ...fields].join(" ")}${stack}\n`;
}
