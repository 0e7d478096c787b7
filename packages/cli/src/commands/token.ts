import { type Action, Limits } from "@switchboard/protocol";
import { type Command, Option } from "commander";
import { SignJWT } from "jose";
import { integerIn, jsonObject, parseActions, parsePatterns, parsePeerId, prefixed } from "../parse.js";

interface TokenOptions {
  keyId: string;
  secret: string;
  sub: string;
  channels: string[];
  permissions: Action[];
  ttl: number;
  metadata?: Record<string, unknown>;
  peerMetadata?: Record<string, unknown>;
}

/**
 * Signs a connect token (protocol.md §2) the way an app backend would: HS256 over the UTF-8 bytes
 * of the whole `sk_secret_…` string, header `kid` = the secret key id. Offline: the server checks
 * the signature and that `channels`/`permissions` fit the key's scope when the token is used.
 */
export async function signConnectToken(
  options: TokenOptions,
  nowSec = Math.floor(Date.now() / 1000),
): Promise<string> {
  const claims: Record<string, unknown> = {
    sub: options.sub,
    channels: options.channels,
    permissions: options.permissions,
    iat: nowSec,
    exp: nowSec + options.ttl,
  };
  if (options.metadata !== undefined) claims.metadata = options.metadata;
  if (options.peerMetadata !== undefined) claims.peerMetadata = options.peerMetadata;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", kid: options.keyId })
    .sign(new TextEncoder().encode(options.secret));
}

/** `switchboard token`: prints a JWT on one line. */
export function registerToken(program: Command): void {
  program
    .command("token")
    .description("sign a connect token (JWT) with a secret key; works offline")
    .addOption(
      new Option("--key-id <id>", "secret key id (the JWT kid)")
        .env("SWITCHBOARD_KEY_ID")
        .argParser(prefixed("sk_id_", "publishable keys cannot sign tokens."))
        .makeOptionMandatory(),
    )
    .addOption(
      new Option("--secret <secret>", "the key's secret (env SWITCHBOARD_KEY_SECRET keeps it out of ps)")
        .env("SWITCHBOARD_KEY_SECRET")
        .argParser(prefixed("sk_secret_", "use the secret printed when the key was created."))
        .makeOptionMandatory(),
    )
    .requiredOption("--sub <peerId>", "peer id (printable ASCII, ≤ 128)", parsePeerId)
    .requiredOption("--channels <list>", "comma-separated channel patterns the token grants", parsePatterns)
    .requiredOption(
      "--permissions <list>",
      "comma-separated actions: subscribe, publish, presence, send",
      parseActions,
    )
    .option("--ttl <seconds>", "lifetime in seconds", integerIn(1), 3600)
    .option(
      "--metadata <json>",
      `JSON object returned to this peer in welcome (≤ ${Limits.maxMetadataBytes} bytes)`,
      jsonObject(Limits.maxMetadataBytes),
    )
    .option(
      "--peer-metadata <json>",
      `JSON object shown to other peers in presence (≤ ${Limits.maxPeerMetadataBytes} bytes)`,
      jsonObject(Limits.maxPeerMetadataBytes),
    )
    .action(async (options: TokenOptions) => {
      process.stdout.write(`${await signConnectToken(options)}\n`);
    });
}
