/** Options of `SignallingClient`: the public shape, defaults, and validation at construction. */

import { isLogger, type Logger, NoopLogger, safeLogger } from "./logger.js";
import { DEFAULT_RECONNECT, type ReconnectPolicy } from "./reconnect.js";
import type { WebSocketLike } from "./types.js";

/** Backoff settings; a partial object is merged over {@link DEFAULT_RECONNECT}. */
export interface ReconnectOptions {
  /** First retry delay. Default 500. */
  initialDelayMs?: number;
  /** Growth factor per retry (≥ 1). Default 2. */
  multiplier?: number;
  /** Largest delay before jitter; also the delay after 4010/4011. Default 30000. */
  maxDelayMs?: number;
  /** Each delay is spread uniformly within ±jitterRatio of itself (0…1). Default 0.2. */
  jitterRatio?: number;
  /**
   * Reconnect attempts in a row (since the last `welcome`) before giving up; the initial `connect()`
   * attempt is not counted. Default 100; `Infinity` never gives up.
   */
  maxAttempts?: number;
}

/** Options of `new SignallingClient(options)`. Exactly one of `apiKey` and `tokenProvider`. */
export interface SignallingClientOptions {
  /**
   * Server origin, e.g. `wss://rt.example.com` or `ws://localhost:8080` (the SDK appends `/v1`).
   * No path, query, fragment or userinfo; `ws:` only for localhost, 127.0.0.1 and [::1].
   */
  url: string;
  /** Publishable key (`pk_live_…`), sent as `?key=`. Never a secret key. */
  apiKey?: string;
  /**
   * Returns a JWT minted by your backend; called for the first connect and for every reconnect, and
   * abandoned after `tokenProviderTimeoutMs`.
   */
  tokenProvider?: () => Promise<string>;
  /** Default {@link NoopLogger}. */
  logger?: Logger;
  /** `false` disables reconnecting; `true` or an object (merged over the defaults) enables it. Default enabled. */
  reconnect?: boolean | ReconnectOptions;
  /**
   * No inbound frame for this long → close and reconnect; a `ping` is sent after half of it (at most
   * 25 s) of silence. `≤ 0` disables both. Default 60000.
   */
  inactivityTimeoutMs?: number;
  /** One `tokenProvider` call is abandoned after this. Default 10000. */
  tokenProviderTimeoutMs?: number;
  /** Replay subscriptions (with their options) after every reconnect. Default true. */
  autoResubscribe?: boolean;
  /** Creates the socket. Default: the global `WebSocket`. In Node 20 pass one built on `ws`. */
  webSocketFactory?: (url: string) => WebSocketLike;
  /** A request without `ack`/`error` by then (queueing time included) rejects. Default 10000. */
  ackTimeoutMs?: number;
}

/** Defaults of the scalar options. */
export const DEFAULTS = {
  inactivityTimeoutMs: 60_000,
  tokenProviderTimeoutMs: 10_000,
  autoResubscribe: true,
  ackTimeoutMs: 10_000,
} as const;

/** How the client authenticates. */
export type Auth = { kind: "key"; apiKey: string } | { kind: "token"; tokenProvider: () => Promise<string> };

/** Options after validation and defaults. */
export interface ResolvedOptions {
  /** Normalised origin, e.g. `wss://rt.example.com` (no trailing slash). */
  origin: string;
  auth: Auth;
  logger: Logger;
  reconnect: ReconnectPolicy | false;
  inactivityTimeoutMs: number;
  tokenProviderTimeoutMs: number;
  autoResubscribe: boolean;
  webSocketFactory: (url: string) => WebSocketLike;
  ackTimeoutMs: number;
}

const KNOWN_OPTIONS = new Set([
  "url",
  "apiKey",
  "tokenProvider",
  "logger",
  "reconnect",
  "inactivityTimeoutMs",
  "tokenProviderTimeoutMs",
  "autoResubscribe",
  "webSocketFactory",
  "ackTimeoutMs",
]);
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Validates `input` and applies defaults. Throws one `TypeError` listing every problem (its
 * `problems` property holds them as an array). Messages never echo option values, which may be
 * secrets pasted in the wrong place.
 */
export function resolveOptions(input: unknown): ResolvedOptions {
  if (typeof input !== "object" || input === null) {
    throw optionsError(["options must be an object"]);
  }
  const o = input as Record<string, unknown>;
  const problems: string[] = [];

  for (const key of Object.keys(o)) {
    if (!KNOWN_OPTIONS.has(key)) problems.push(`unknown option "${key.slice(0, 40)}"`);
  }

  const origin = parseOrigin(o.url, problems);
  const auth = parseAuth(o.apiKey, o.tokenProvider, problems);

  let logger: Logger = NoopLogger;
  if (o.logger !== undefined) {
    if (isLogger(o.logger)) logger = o.logger;
    else problems.push("logger must have debug, info, warn and error methods");
  }

  const reconnect = parseReconnect(o.reconnect, problems);
  const inactivityTimeoutMs = number(o, "inactivityTimeoutMs", DEFAULTS.inactivityTimeoutMs, problems, {
    allowNonPositive: true,
  });
  const tokenProviderTimeoutMs = number(
    o,
    "tokenProviderTimeoutMs",
    DEFAULTS.tokenProviderTimeoutMs,
    problems,
  );
  const ackTimeoutMs = number(o, "ackTimeoutMs", DEFAULTS.ackTimeoutMs, problems);

  let autoResubscribe: boolean = DEFAULTS.autoResubscribe;
  if (o.autoResubscribe !== undefined) {
    if (typeof o.autoResubscribe === "boolean") autoResubscribe = o.autoResubscribe;
    else problems.push("autoResubscribe must be a boolean");
  }

  let webSocketFactory: ((url: string) => WebSocketLike) | undefined;
  if (o.webSocketFactory !== undefined) {
    if (typeof o.webSocketFactory === "function") {
      webSocketFactory = o.webSocketFactory as (url: string) => WebSocketLike;
    } else problems.push("webSocketFactory must be a function (url) => WebSocketLike");
  } else {
    const Global = (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
    if (typeof Global === "function") webSocketFactory = (url) => new Global(url);
    else problems.push("no global WebSocket in this runtime: pass webSocketFactory (e.g. one built on ws)");
  }

  if (problems.length > 0 || origin === undefined || auth === undefined || webSocketFactory === undefined) {
    throw optionsError(problems);
  }
  return {
    origin,
    auth,
    logger: safeLogger(logger),
    reconnect,
    inactivityTimeoutMs,
    tokenProviderTimeoutMs,
    autoResubscribe,
    webSocketFactory,
    ackTimeoutMs,
  };
}

function optionsError(problems: string[]): TypeError {
  const error = new TypeError(`Invalid SignallingClient options:\n- ${problems.join("\n- ")}`);
  return Object.assign(error, { problems });
}

/** Accepts a ws:/wss: origin; returns it normalised, or records a problem. */
export function parseOrigin(raw: unknown, problems: string[]): string | undefined {
  if (typeof raw !== "string" || raw.trim() === "") {
    problems.push("url is required: the server origin, e.g. wss://rt.example.com");
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push("url is not a valid URL");
    return undefined;
  }
  const before = problems.length;
  if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    problems.push("url must use wss: (or ws: for localhost)");
  } else if (url.protocol === "ws:" && !LOOPBACK_HOSTS.has(url.hostname)) {
    problems.push("url: ws: is only allowed for localhost, 127.0.0.1 and [::1]; use wss:");
  }
  if (url.username !== "" || url.password !== "" || raw.includes("@")) {
    problems.push("url must not contain userinfo");
  }
  if (url.pathname !== "/" && url.pathname !== "") {
    problems.push("url must be an origin without a path (the SDK appends /v1)");
  }
  if (url.search !== "" || raw.includes("?")) problems.push("url must not contain a query");
  if (url.hash !== "" || raw.includes("#")) problems.push("url must not contain a fragment");
  return problems.length === before ? `${url.protocol}//${url.host}` : undefined;
}

function parseAuth(apiKey: unknown, tokenProvider: unknown, problems: string[]): Auth | undefined {
  const hasKey = apiKey !== undefined;
  const hasProvider = tokenProvider !== undefined;
  if (hasKey === hasProvider) {
    problems.push("pass exactly one of apiKey and tokenProvider");
    return undefined;
  }
  if (hasKey) {
    if (typeof apiKey !== "string" || apiKey === "") {
      problems.push("apiKey must be a non-empty string");
      return undefined;
    }
    if (apiKey.startsWith("sk_")) {
      // A secret key in client code is a leak; refuse it loudly rather than send it anywhere.
      problems.push("apiKey must be a publishable key (pk_…); never put a secret key in a client");
      return undefined;
    }
    if (!apiKey.startsWith("pk_")) {
      problems.push("apiKey must be a publishable key (pk_…)");
      return undefined;
    }
    return { kind: "key", apiKey };
  }
  if (typeof tokenProvider !== "function") {
    problems.push("tokenProvider must be a function returning a Promise of a JWT string");
    return undefined;
  }
  return { kind: "token", tokenProvider: tokenProvider as () => Promise<string> };
}

function parseReconnect(raw: unknown, problems: string[]): ReconnectPolicy | false {
  if (raw === undefined || raw === true) return { ...DEFAULT_RECONNECT };
  if (raw === false) return false;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    problems.push("reconnect must be false, true or an object");
    return false;
  }
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!Object.hasOwn(DEFAULT_RECONNECT, key))
      problems.push(`unknown reconnect option "${key.slice(0, 40)}"`);
  }
  const policy: ReconnectPolicy = {
    initialDelayMs: number(r, "initialDelayMs", DEFAULT_RECONNECT.initialDelayMs, problems, {
      prefix: "reconnect.",
      allowZero: true,
    }),
    multiplier: number(r, "multiplier", DEFAULT_RECONNECT.multiplier, problems, {
      prefix: "reconnect.",
      min: 1,
    }),
    maxDelayMs: number(r, "maxDelayMs", DEFAULT_RECONNECT.maxDelayMs, problems, {
      prefix: "reconnect.",
      allowZero: true,
    }),
    jitterRatio: number(r, "jitterRatio", DEFAULT_RECONNECT.jitterRatio, problems, {
      prefix: "reconnect.",
      allowZero: true,
      max: 1,
    }),
    maxAttempts: number(r, "maxAttempts", DEFAULT_RECONNECT.maxAttempts, problems, {
      prefix: "reconnect.",
      allowZero: true,
      integer: true,
    }),
  };
  if (policy.maxDelayMs < policy.initialDelayMs) {
    problems.push("reconnect.maxDelayMs must be ≥ reconnect.initialDelayMs");
  }
  return policy;
}

interface NumberRules {
  prefix?: string;
  /** Any finite number (≤ 0 included). */
  allowNonPositive?: boolean;
  allowZero?: boolean;
  min?: number;
  max?: number;
  /** An integer ≥ 0, or `Infinity`. */
  integer?: boolean;
}

function number(
  o: Record<string, unknown>,
  key: string,
  fallback: number,
  problems: string[],
  rules: NumberRules = {},
): number {
  const value = o[key];
  if (value === undefined) return fallback;
  const name = `${rules.prefix ?? ""}${key}`;
  if (typeof value !== "number" || Number.isNaN(value)) {
    problems.push(`${name} must be a number`);
    return fallback;
  }
  if (rules.integer) {
    if (value !== Number.POSITIVE_INFINITY && (!Number.isInteger(value) || value < 0)) {
      problems.push(`${name} must be an integer ≥ 0 (or Infinity)`);
      return fallback;
    }
    return value;
  }
  if (!Number.isFinite(value)) {
    problems.push(`${name} must be finite`);
    return fallback;
  }
  if (rules.min !== undefined && value < rules.min) {
    problems.push(`${name} must be ≥ ${rules.min}`);
    return fallback;
  }
  if (rules.max !== undefined && value > rules.max) {
    problems.push(`${name} must be ≤ ${rules.max}`);
    return fallback;
  }
  if (rules.allowNonPositive || rules.min !== undefined) return value;
  if (rules.allowZero ? value < 0 : value <= 0) {
    problems.push(`${name} must be ${rules.allowZero ? "≥ 0" : "> 0"}`);
    return fallback;
  }
  return value;
}
