import { ACTIONS, type Action, channelError, isAction } from "@switchboard/protocol";
import {
  type AppPlan,
  type AppRecord,
  type KeyPatch,
  type KeyRecord,
  type KeyType,
  type NewKey,
  StoreError,
  type UsageRecord,
} from "./types.js";

/**
 * Input validation and protocol defaults shared by every {@link Store} implementation, so SQLite and
 * Postgres accept and reject exactly the same inputs. Everything here is pure and throws
 * `StoreError('invalid_input', …)` with a message naming the field. Inputs are checked at runtime
 * (not just by type) because they arrive from the CLI and from JSON admin requests.
 */

/** Plan of a new app when none is given: unlimited, 30-day periods (types.ts, [ours]). */
export const DEFAULT_PLAN: AppPlan = {
  name: "default",
  maxConcurrentConnections: null,
  maxMessagesPerPeriod: null,
  periodSec: 2_592_000,
};

/** Name of the app a fresh store creates. */
export const DEFAULT_APP_NAME = "default";

export const MAX_APP_NAME_CHARS = 128;
export const MAX_PLAN_NAME_CHARS = 64;
export const MAX_PATTERNS_PER_KEY = 100;
export const MAX_ORIGINS_PER_KEY = 100;

/** Default actions per key type (protocol.md §1): `send` is opt-in for publishable keys. */
export const DEFAULT_ACTIONS: Record<KeyType, readonly Action[]> = {
  publishable: ["subscribe", "publish", "presence"],
  secret: ACTIONS,
};

function invalid(message: string): never {
  throw new StoreError("invalid_input", message);
}

/** A non-blank label of at most `max` characters without control characters; returned trimmed. */
function validateLabel(field: string, name: unknown, max: number): string {
  if (typeof name !== "string") invalid(`${field} must be a string`);
  const trimmed = name.trim();
  if (trimmed === "") invalid(`${field} must not be empty`);
  if ([...trimmed].length > max) invalid(`${field} must be at most ${max} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) invalid(`${field} must not contain control characters`);
  return trimmed;
}

/** A non-blank name of at most 128 characters without control characters; returned trimmed. */
export function validateAppName(name: unknown): string {
  return validateLabel("app name", name, MAX_APP_NAME_CHARS);
}

function limitOrNull(field: string, value: unknown): number | null {
  if (value === null) return null;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    invalid(`${field} must be a positive integer or null (unlimited)`);
  }
  return value;
}

/** `patch` applied over `base`; absent (undefined) fields keep their value. */
export function resolvePlan(patch: unknown, base: AppPlan = DEFAULT_PLAN): AppPlan {
  if (patch === undefined) return { ...base };
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) invalid("plan must be an object");
  const p = patch as Partial<Record<keyof AppPlan, unknown>>;
  const plan = { ...base };
  if (p.name !== undefined) plan.name = validateLabel("plan.name", p.name, MAX_PLAN_NAME_CHARS);
  if (p.maxConcurrentConnections !== undefined) {
    plan.maxConcurrentConnections = limitOrNull("plan.maxConcurrentConnections", p.maxConcurrentConnections);
  }
  if (p.maxMessagesPerPeriod !== undefined) {
    plan.maxMessagesPerPeriod = limitOrNull("plan.maxMessagesPerPeriod", p.maxMessagesPerPeriod);
  }
  if (p.periodSec !== undefined) {
    if (typeof p.periodSec !== "number" || !Number.isSafeInteger(p.periodSec) || p.periodSec < 1) {
      invalid("plan.periodSec must be a positive integer");
    }
    plan.periodSec = p.periodSec;
  }
  return plan;
}

function stringArray(field: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    invalid(`${field} must be an array of strings`);
  }
  // Duplicates carry no meaning; dropping them keeps listings and scope checks tidy.
  return [...new Set(value as string[])];
}

function channelPatterns(value: unknown): string[] {
  const patterns = stringArray("channelPatterns", value);
  if (patterns.length === 0) invalid("channelPatterns must not be empty");
  if (patterns.length > MAX_PATTERNS_PER_KEY) {
    invalid(`channelPatterns must have at most ${MAX_PATTERNS_PER_KEY} entries`);
  }
  for (const p of patterns) {
    // Reserved prefixes are allowed in a key's patterns: clients are refused those channels anyway.
    if (channelError(p) === "invalid_channel") invalid(`invalid channel pattern ${JSON.stringify(p)}`);
  }
  return patterns;
}

function actions(value: unknown): Action[] {
  if (!Array.isArray(value)) invalid("actions must be an array");
  if (value.length === 0) invalid("actions must not be empty");
  for (const a of value) {
    if (!isAction(a)) invalid(`unknown action ${JSON.stringify(a)} (allowed: ${ACTIONS.join(", ")})`);
  }
  // Canonical order (subscribe, publish, presence, send) without duplicates.
  return ACTIONS.filter((a) => value.includes(a));
}

function origins(value: unknown): string[] {
  const list = stringArray("allowedOrigins", value);
  if (list.length > MAX_ORIGINS_PER_KEY)
    invalid(`allowedOrigins must have at most ${MAX_ORIGINS_PER_KEY} entries`);
  for (const o of list) {
    let origin: string | undefined;
    try {
      origin = new URL(o).origin;
    } catch {
      origin = undefined;
    }
    // An exact origin serializes to itself: no path, no trailing slash, lower-case scheme and host.
    if (origin !== o || origin === "null") {
      invalid(`allowedOrigins entry ${JSON.stringify(o)} is not an exact origin like https://app.example`);
    }
  }
  return list;
}

/**
 * App `current` with `patch` applied: name, plan fields and suspension, each validated; absent
 * fields keep their value. Both stores write exactly this record.
 */
export function resolveAppPatch(
  current: AppRecord,
  patch: { name?: unknown; plan?: unknown; suspended?: unknown },
): AppRecord {
  const name = patch.name === undefined ? current.name : validateAppName(patch.name);
  const plan = resolvePlan(patch.plan, current.plan);
  if (patch.suspended !== undefined && typeof patch.suspended !== "boolean") {
    invalid("suspended must be a boolean");
  }
  return { ...current, name, plan, suspended: patch.suspended ?? current.suspended };
}

/** A {@link NewKey} with every default filled in and every field validated. */
export type ResolvedKey = Required<NewKey>;

function turnFlag(value: unknown): boolean {
  if (typeof value !== "boolean") invalid("autoInjectTurn must be a boolean");
  return value;
}

// Origins are checked only on publishable-key connections; on a secret key they would be a silent no-op.
function checkOriginsFit(type: KeyType, allowedOrigins: readonly string[]): void {
  if (type === "secret" && allowedOrigins.length > 0)
    invalid("allowedOrigins apply only to publishable keys");
}

/** Validates a {@link NewKey} and fills in the protocol.md §1 defaults. Does not check that the app exists. */
export function resolveNewKey(input: NewKey): ResolvedKey {
  if (typeof input !== "object" || input === null) invalid("key input must be an object");
  if (input.type !== "publishable" && input.type !== "secret")
    invalid('key type must be "publishable" or "secret"');
  if (typeof input.appId !== "string" || input.appId === "") invalid("appId must be a non-empty string");
  // Publishable keys opt in to TURN (hardening: the hosted original gives pk connections none).
  const autoInjectTurn =
    input.autoInjectTurn === undefined ? input.type === "secret" : turnFlag(input.autoInjectTurn);
  const allowedOrigins = input.allowedOrigins === undefined ? [] : origins(input.allowedOrigins);
  checkOriginsFit(input.type, allowedOrigins);
  return {
    type: input.type,
    appId: input.appId,
    channelPatterns: input.channelPatterns === undefined ? ["**"] : channelPatterns(input.channelPatterns),
    actions: input.actions === undefined ? [...DEFAULT_ACTIONS[input.type]] : actions(input.actions),
    allowedOrigins,
    autoInjectTurn,
  };
}

/** The scope fields of `current` with a validated {@link KeyPatch} applied (absent fields keep their value). */
export function resolveKeyPatch(patch: unknown, current: KeyRecord): Required<KeyPatch> {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) invalid("patch must be an object");
  const p = patch as Partial<Record<keyof KeyPatch, unknown>>;
  const next: Required<KeyPatch> = {
    channelPatterns:
      p.channelPatterns === undefined ? current.channelPatterns : channelPatterns(p.channelPatterns),
    actions: p.actions === undefined ? current.actions : actions(p.actions),
    allowedOrigins: p.allowedOrigins === undefined ? current.allowedOrigins : origins(p.allowedOrigins),
    autoInjectTurn: p.autoInjectTurn === undefined ? current.autoInjectTurn : turnFlag(p.autoInjectTurn),
  };
  checkOriginsFit(current.type, next.allowedOrigins);
  return next;
}

function count(field: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    invalid(`${field} must be an integer ≥ 0`);
  }
  return value;
}

/** Validates usage counters before they are written: integers, counts ≥ 0. */
export function validateUsage(usage: unknown): UsageRecord {
  if (typeof usage !== "object" || usage === null) invalid("usage must be an object");
  const u = usage as Partial<Record<keyof UsageRecord, unknown>>;
  if (typeof u.periodStartUnix !== "number" || !Number.isSafeInteger(u.periodStartUnix)) {
    invalid("periodStartUnix must be an integer (unix seconds)");
  }
  return {
    periodStartUnix: u.periodStartUnix,
    messagesUsed: count("messagesUsed", u.messagesUsed),
    peakConcurrent: count("peakConcurrent", u.peakConcurrent),
  };
}

/** Validates a settings name: non-empty, at most 128 characters. */
export function validateSettingName(name: unknown): string {
  if (typeof name !== "string" || name === "" || name.length > 128) {
    invalid("setting name must be a non-empty string of at most 128 characters");
  }
  return name;
}
