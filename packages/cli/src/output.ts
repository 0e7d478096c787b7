import type { AppRecord, KeyRecord } from "@switchboard/server";

/** Writes `value` as JSON (2-space indented) and a newline to stdout: one JSON document per command. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Writes lines to stdout. */
export function printLines(lines: readonly string[]): void {
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** Unix seconds → ISO 8601 UTC without milliseconds. */
export function isoTime(unixSec: number): string {
  return new Date(unixSec * 1000).toISOString().replace(".000Z", "Z");
}

/** Left-aligned columns separated by two spaces; the first row is the header. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}

const limit = (n: number | null) => (n === null ? "unlimited" : String(n));

/** Human lines describing one key (no secret). */
export function describeKey(key: KeyRecord): string[] {
  const lines = [
    `  id:        ${key.id}`,
    `  type:      ${key.type}`,
    `  app:       ${key.appId}`,
    `  channels:  ${key.channelPatterns.join(", ")}`,
    `  actions:   ${key.actions.join(", ")}`,
  ];
  if (key.type === "publishable") {
    lines.push(`  origins:   ${key.allowedOrigins.length === 0 ? "any" : key.allowedOrigins.join(", ")}`);
  }
  lines.push(`  TURN:      ${key.autoInjectTurn ? "injected into welcome" : "not injected"}`);
  lines.push(`  created:   ${isoTime(key.createdAt)}`);
  if (key.revokedAt !== null) lines.push(`  revoked:   ${isoTime(key.revokedAt)}`);
  return lines;
}

/** The table `keys list` prints. */
export function keyTable(keys: readonly KeyRecord[]): string[] {
  return table([
    ["ID", "TYPE", "APP", "STATUS", "CHANNELS", "ACTIONS", "ORIGINS", "CREATED"],
    ...keys.map((k) => [
      k.id,
      k.type,
      k.appId,
      k.revoked ? "revoked" : "live",
      k.channelPatterns.join(","),
      k.actions.join(","),
      k.type === "secret" ? "-" : k.allowedOrigins.length === 0 ? "any" : k.allowedOrigins.join(","),
      isoTime(k.createdAt),
    ]),
  ]);
}

/** Human lines describing one app. */
export function describeApp(app: AppRecord): string[] {
  return [
    `  id:               ${app.id}`,
    `  name:             ${app.name}`,
    `  status:           ${app.suspended ? "suspended" : "active"}`,
    `  plan:             ${app.plan.name}`,
    `  max connections:  ${limit(app.plan.maxConcurrentConnections)}`,
    `  max messages:     ${limit(app.plan.maxMessagesPerPeriod)} per ${app.plan.periodSec} s`,
    `  created:          ${isoTime(app.createdAt)}`,
  ];
}

/** The table `apps list` prints; the default app is marked. */
export function appTable(apps: readonly AppRecord[], defaultAppId: string | undefined): string[] {
  return table([
    ["ID", "NAME", "STATUS", "PLAN", "MAX-CONNECTIONS", "MAX-MESSAGES", "PERIOD-SEC", "CREATED"],
    ...apps.map((a) => [
      a.id,
      a.id === defaultAppId ? `${a.name} (default)` : a.name,
      a.suspended ? "suspended" : "active",
      a.plan.name,
      limit(a.plan.maxConcurrentConnections),
      limit(a.plan.maxMessagesPerPeriod),
      String(a.plan.periodSec),
      isoTime(a.createdAt),
    ]),
  ]);
}
