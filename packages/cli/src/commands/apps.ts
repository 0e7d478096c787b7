import type { AppPlan, AppRecord } from "@switchboard/server";
import type { Command } from "commander";
import { databaseOption, dataDirOption, type StoreLocation, withStore } from "../data-dir.js";
import { CliError, UsageError } from "../errors.js";
import { appTable, describeApp, printJson, printLines } from "../output.js";
import { integerIn, nonEmpty, parseLimit } from "../parse.js";

interface PlanOptions {
  planName?: string;
  maxConnections?: number | "unlimited";
  maxMessages?: number | "unlimited";
  periodSec?: number;
}

function planPatch(options: PlanOptions): Partial<AppPlan> | undefined {
  const limit = (n: number | "unlimited") => (n === "unlimited" ? null : n);
  const plan: Partial<AppPlan> = {};
  if (options.planName !== undefined) plan.name = options.planName;
  if (options.maxConnections !== undefined) plan.maxConcurrentConnections = limit(options.maxConnections);
  if (options.maxMessages !== undefined) plan.maxMessagesPerPeriod = limit(options.maxMessages);
  if (options.periodSec !== undefined) plan.periodSec = options.periodSec;
  return Object.keys(plan).length === 0 ? undefined : plan;
}

function show(app: AppRecord, json: boolean | undefined, title: string): void {
  if (json) printJson(app);
  else printLines([title, ...describeApp(app)]);
}

async function update(
  id: string,
  patch: { name?: string; plan?: Partial<AppPlan>; suspended?: boolean },
  location: StoreLocation,
): Promise<AppRecord> {
  const app = await withStore(location, (store) => store.updateApp(id, patch));
  if (app === undefined) throw new CliError(`app ${id} not found`);
  return app;
}

function planOptions(command: Command, limitHelp: string): Command {
  return command
    .option(
      "--plan-name <name>",
      'label of the plan, reported by GET /v1/usage (default "default")',
      nonEmpty,
    )
    .option("--max-connections <n>", `concurrent connections across the app${limitHelp}`, parseLimit)
    .option("--max-messages <n>", `messages per period${limitHelp}`, parseLimit)
    .option(
      "--period-sec <n>",
      "length of a usage period in seconds (default 2592000 = 30 days)",
      integerIn(1),
    );
}

/** `switchboard apps create|list|update|suspend|resume|delete`. */
export function registerApps(program: Command): void {
  const apps = program.command("apps").description("create, list and change apps (tenants)");

  planOptions(
    apps.command("create").description("create an app").requiredOption("--name <name>", "app name", nonEmpty),
    ' (N or "unlimited"; default unlimited)',
  )
    .addOption(dataDirOption())
    .addOption(databaseOption())
    .option("--json", "print the app as one JSON object")
    .action(async (options: PlanOptions & StoreLocation & { name: string; json?: boolean }) => {
      const plan = planPatch(options);
      const app = await withStore(options, (store) =>
        store.createApp({ name: options.name, ...(plan && { plan }) }),
      );
      show(app, options.json, "Created app:");
    });

  apps
    .command("list")
    .description("list apps, oldest first (the first is the default app)")
    .addOption(dataDirOption())
    .addOption(databaseOption())
    .option("--json", "print a JSON array of apps")
    .action(async (options: StoreLocation & { json?: boolean }) => {
      const list = await withStore(options, (store) => store.listApps());
      if (options.json) return printJson(list);
      printLines(appTable(list, list[0]?.id));
    });

  planOptions(
    apps
      .command("update")
      .description("rename an app or change its plan")
      .argument("<id>", "app id")
      .option("--name <name>", "new name", nonEmpty),
    ' (N or "unlimited")',
  )
    .addOption(dataDirOption())
    .addOption(databaseOption())
    .option("--json", "print the app as one JSON object")
    .action(async (id: string, options: PlanOptions & StoreLocation & { name?: string; json?: boolean }) => {
      const plan = planPatch(options);
      if (options.name === undefined && plan === undefined) {
        throw new UsageError(
          "nothing to update: give --name, --plan-name, --max-connections, --max-messages or --period-sec",
        );
      }
      const app = await update(
        id,
        { ...(options.name !== undefined && { name: options.name }), ...(plan && { plan }) },
        options,
      );
      show(app, options.json, "Updated app:");
    });

  for (const [name, suspended] of [
    ["suspend", true],
    ["resume", false],
  ] as const) {
    apps
      .command(name)
      .description(
        suspended
          ? "suspend an app: its connections are closed with 4012 and new ones refused"
          : "resume a suspended app",
      )
      .argument("<id>", "app id")
      .addOption(dataDirOption())
      .addOption(databaseOption())
      .option("--json", "print the app as one JSON object")
      .action(async (id: string, options: StoreLocation & { json?: boolean }) => {
        const app = await update(id, { suspended }, options);
        show(app, options.json, suspended ? "Suspended app:" : "Resumed app:");
      });
  }

  apps
    .command("delete")
    .description(
      "delete an app with all its keys and usage (not the default app); its connections are closed",
    )
    .argument("<id>", "app id")
    .addOption(dataDirOption())
    .addOption(databaseOption())
    .option("--json", 'print {"id", "deleted": true}')
    .action(async (id: string, options: StoreLocation & { json?: boolean }) => {
      const deleted = await withStore(options, (store) => store.deleteApp(id));
      if (!deleted) throw new CliError(`app ${id} not found`);
      if (options.json) return printJson({ id, deleted: true });
      printLines([`Deleted app ${id} and its keys. A running server closes its connections within 2 s.`]);
    });
}
