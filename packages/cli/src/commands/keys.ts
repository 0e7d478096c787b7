import type { Action } from "@switchboard/protocol";
import type { CreatedKey, KeyPatch, KeyRecord, KeyType } from "@switchboard/server";
import { type Command, Option } from "commander";
import { databaseOption, dataDirOption, resolveApp, type StoreLocation, withStore } from "../data-dir.js";
import { CliError, UsageError } from "../errors.js";
import { describeKey, keyTable, printJson, printLines } from "../output.js";
import { parseActions, parseList, parsePatterns } from "../parse.js";

interface CreateOptions extends StoreLocation {
  type: KeyType;
  app?: string;
  channels?: string[];
  actions?: Action[];
  origins?: string[];
  /** Undefined: the store default (off for publishable keys, on for secret keys). */
  turn?: boolean;
  json?: boolean;
}

/** The JSON `keys create --json` prints: the key's fields, with the secret right after the id. */
function createdJson({ key, secret }: CreatedKey) {
  return {
    id: key.id,
    ...(secret === undefined ? {} : { secret }),
    type: key.type,
    appId: key.appId,
    channelPatterns: key.channelPatterns,
    actions: key.actions,
    allowedOrigins: key.allowedOrigins,
    autoInjectTurn: key.autoInjectTurn,
    createdAt: key.createdAt,
  };
}

async function create(options: CreateOptions): Promise<void> {
  const created = await withStore(options, async (store) => {
    const app = await resolveApp(store, options.app);
    return store.createKey({
      type: options.type,
      appId: app.id,
      ...(options.channels && { channelPatterns: options.channels }),
      ...(options.actions && { actions: options.actions }),
      ...(options.origins && { allowedOrigins: options.origins }),
      ...(options.turn !== undefined && { autoInjectTurn: options.turn }),
    });
  });
  if (options.json) return printJson(createdJson(created));
  const lines = [`Created ${created.key.type} key:`, ...describeKey(created.key)];
  if (created.secret !== undefined) {
    lines.splice(2, 0, `  secret:    ${created.secret}`);
    lines.push("", "The secret is shown only this once: store it now. It cannot be listed or recovered.");
  }
  printLines(lines);
}

async function list(options: StoreLocation & { app?: string; json?: boolean }): Promise<void> {
  const keys: KeyRecord[] = await withStore(options, async (store) => {
    if (options.app === undefined) return store.listKeys();
    return store.listKeys((await resolveApp(store, options.app)).id);
  });
  if (options.json) return printJson(keys);
  printLines(keys.length === 0 ? ["No keys."] : keyTable(keys));
}

async function revoke(id: string, options: StoreLocation & { json?: boolean }): Promise<void> {
  const { before, after } = await withStore(options, async (store) => {
    const before = await store.getKey(id);
    if (before === undefined) throw new CliError(`key ${id} not found`);
    return { before, after: await store.revokeKey(id) };
  });
  if (after === undefined) throw new CliError(`key ${id} not found`);
  if (options.json) return printJson(after);
  printLines([
    before.revoked
      ? `Key ${id} was already revoked.`
      : `Revoked ${id}. Connections made with it are closed within 2 s by a running server.`,
  ]);
}

interface UpdateOptions extends StoreLocation {
  channels?: string[];
  actions?: Action[];
  origins?: string[];
  anyOrigin?: boolean;
  turn?: boolean;
  json?: boolean;
}

async function update(id: string, options: UpdateOptions): Promise<void> {
  if (options.origins !== undefined && options.anyOrigin) {
    throw new UsageError("give either --origins or --any-origin, not both");
  }
  const patch: KeyPatch = {
    ...(options.channels && { channelPatterns: options.channels }),
    ...(options.actions && { actions: options.actions }),
    ...(options.origins && { allowedOrigins: options.origins }),
    ...(options.anyOrigin && { allowedOrigins: [] }),
    ...(options.turn !== undefined && { autoInjectTurn: options.turn }),
  };
  if (Object.keys(patch).length === 0) {
    throw new UsageError(
      "nothing to update: give --channels, --actions, --origins, --any-origin, --turn or --no-turn",
    );
  }
  const key = await withStore(options, (store) => store.updateKey(id, patch));
  if (key === undefined) throw new CliError(`key ${id} not found`);
  if (options.json) return printJson(key);
  printLines(["Updated key (connections made from now on get the new scope):", ...describeKey(key)]);
}

async function remove(id: string, options: StoreLocation & { json?: boolean }): Promise<void> {
  const deleted = await withStore(options, (store) => store.deleteKey(id));
  if (!deleted) throw new CliError(`key ${id} not found`);
  if (options.json) return printJson({ id, deleted: true });
  printLines([`Deleted ${id}. Connections made with it are closed within 2 s by a running server.`]);
}

/** `switchboard keys create|list|update|revoke|delete`. */
export function registerKeys(program: Command): void {
  const keys = program.command("keys").description("create, list, change, revoke and delete API keys");

  keys
    .command("create")
    .description("create a publishable (browser) or secret (backend) key")
    .addOption(
      new Option("--type <type>", "publishable or secret")
        .choices(["publishable", "secret"])
        .makeOptionMandatory(),
    )
    .option("--app <id>", "app to create the key in (default: the default app)")
    .option("--channels <list>", 'comma-separated channel patterns (default "**")', parsePatterns)
    .option(
      "--actions <list>",
      "comma-separated actions (default: subscribe,publish,presence for publishable keys, all four for secret keys)",
      parseActions,
    )
    .option(
      "--origins <list>",
      "comma-separated exact origins allowed to use a publishable key (default: any)",
      parseList,
    )
    // Both flags: without either the store default applies (TURN off for publishable keys, on for secret).
    .option(
      "--turn",
      "inject TURN credentials into welcome (default for secret keys; publishable keys opt in)",
    )
    .option("--no-turn", "do not inject TURN credentials into welcome (default for publishable keys)")
    .addOption(dataDirOption())
    .addOption(databaseOption())
    .option("--json", "print the key as one JSON object")
    .action(create);

  keys
    .command("list")
    .description("list keys (never their secrets)")
    .option("--app <id>", "only keys of this app")
    .addOption(dataDirOption())
    .addOption(databaseOption())
    .option("--json", "print a JSON array of key records")
    .action(list);

  keys
    .command("revoke")
    .description("revoke a key; live connections made with it are closed")
    .argument("<id>", "pk_live_… or sk_id_…")
    .addOption(dataDirOption())
    .addOption(databaseOption())
    .option("--json", "print the revoked key record as JSON")
    .action(revoke);

  keys
    .command("update")
    .description("change a live key's scope; connections already open keep theirs")
    .argument("<id>", "pk_live_… or sk_id_…")
    .option("--channels <list>", "comma-separated channel patterns", parsePatterns)
    .option("--actions <list>", "comma-separated actions", parseActions)
    .option("--origins <list>", "comma-separated exact origins (publishable keys)", parseList)
    .option("--any-origin", "allow every origin again (clears --origins)")
    .option("--turn", "inject TURN credentials into welcome")
    .option("--no-turn", "do not inject TURN credentials into welcome")
    .addOption(dataDirOption())
    .addOption(databaseOption())
    .option("--json", "print the updated key record as JSON")
    .action(update);

  keys
    .command("delete")
    .description("delete a key for good (revoked or not); live connections made with it are closed")
    .argument("<id>", "pk_live_… or sk_id_…")
    .addOption(dataDirOption())
    .addOption(databaseOption())
    .option("--json", 'print {"id", "deleted": true}')
    .action(remove);
}
