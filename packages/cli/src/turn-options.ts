import { InvalidArgumentError, Option } from "commander";
import { UsageError } from "./errors.js";
import { integerIn, parseList } from "./parse.js";

/** The TURN flags of `serve` as commander hands them over. */
export interface TurnOptions {
  turnSecret?: string;
  turnUrls?: string[];
  turnTtl: number;
  turnTtlPublishable: number;
}

/** Longest credential lifetime `--turn-ttl` accepts: 7 days (long-lived TURN credentials leak). */
export const MAX_TURN_TTL_SEC = 7 * 86_400;
/** What SDKs accept per URL (protocol.md §12); a longer one would be dropped silently client-side. */
const MAX_URL_CHARS = 512;
const ICE_URL = /^(stuns?|turns?):\S+$/;
/** Visible ASCII: survives command lines, env files and coturn's config file unchanged. */
const SECRET_SHAPE = /^[\x21-\x7e]{1,1024}$/;

/**
 * `--turn-secret <secret>` (env `SWITCHBOARD_TURN_SECRET`): coturn's `static-auth-secret`.
 * Deliberately no argParser: commander quotes the rejected value in its error line, and this value
 * must never be printed. {@link turnConfig} checks it instead, with a message that omits it.
 */
export function turnSecretOption(): Option {
  return new Option(
    "--turn-secret <secret>",
    "TURN REST shared secret (coturn static-auth-secret); enables TURN. Prefer the env var: flags are visible in ps",
  ).env("SWITCHBOARD_TURN_SECRET");
}

/** `--turn-urls <list>` (env `SWITCHBOARD_TURN_URLS`): comma-separated `turn:`/`turns:`/`stun:`/`stuns:` URLs. */
export function turnUrlsOption(): Option {
  return new Option(
    "--turn-urls <list>",
    "comma-separated turn:, turns:, stun: or stuns: URLs handed to clients",
  )
    .env("SWITCHBOARD_TURN_URLS")
    .argParser(parseIceUrls);
}

/** `--turn-ttl <seconds>` (env `SWITCHBOARD_TURN_TTL`, default 86400, at most {@link MAX_TURN_TTL_SEC}). */
export function turnTtlOption(): Option {
  return new Option("--turn-ttl <seconds>", "longest TURN credential lifetime")
    .env("SWITCHBOARD_TURN_TTL")
    .default(86_400)
    .argParser(integerIn(1, MAX_TURN_TTL_SEC));
}

/**
 * `--turn-ttl-publishable <seconds>` (env `SWITCHBOARD_TURN_TTL_PUBLISHABLE`, default 3600): the
 * longest TURN credentials injected into the welcome of a publishable-key connection (keys opt in
 * with `keys create --turn`); `--turn-ttl` still caps it.
 */
export function turnTtlPublishableOption(): Option {
  return new Option(
    "--turn-ttl-publishable <seconds>",
    "longest TURN credential lifetime for publishable-key connections (keys opt in with --turn)",
  )
    .env("SWITCHBOARD_TURN_TTL_PUBLISHABLE")
    .default(3_600)
    .argParser(integerIn(1, MAX_TURN_TTL_SEC));
}

/** A comma-separated list of ICE server URLs, each with a known scheme and at most 512 characters. */
export function parseIceUrls(value: string): string[] {
  const urls = parseList(value);
  const bad = urls.find((u) => !ICE_URL.test(u) || u.length > MAX_URL_CHARS);
  if (bad !== undefined) {
    throw new InvalidArgumentError(
      `Invalid URL ${JSON.stringify(bad.slice(0, 80))}: expected turn:, turns:, stun: or stuns: and at most ${MAX_URL_CHARS} characters.`,
    );
  }
  return urls;
}

/**
 * The server config of the TURN flags. Throws {@link UsageError} (exit 2) for a malformed secret,
 * a secret without any `turn:`/`turns:` URL, or URLs without a secret (TURN would silently stay
 * off). No message ever contains the secret.
 */
export function turnConfig(options: TurnOptions): {
  turnSecret: string | undefined;
  turnUrls: string[];
  turnTtlSec: number;
  turnTtlPublishableSec: number;
} {
  const { turnSecret, turnUrls = [], turnTtl, turnTtlPublishable } = options;
  if (turnSecret === undefined) {
    if (turnUrls.length > 0)
      throw new UsageError("--turn-urls needs --turn-secret (SWITCHBOARD_TURN_SECRET)");
  } else {
    if (!SECRET_SHAPE.test(turnSecret)) {
      throw new UsageError(
        "--turn-secret must be 1–1024 visible ASCII characters, no spaces (value not shown)",
      );
    }
    if (!turnUrls.some((u) => /^turns?:/.test(u))) {
      throw new UsageError("--turn-secret needs --turn-urls with at least one turn: or turns: URL");
    }
  }
  return { turnSecret, turnUrls, turnTtlSec: turnTtl, turnTtlPublishableSec: turnTtlPublishable };
}
