import type { Action } from "@switchboard/protocol";

/**
 * Plan limits of an app. `null` means unlimited. [ours]: a self-hosted install starts unlimited.
 */
export interface AppPlan {
  /**
   * Label of the plan, reported by `GET /v1/usage` as `plan.name`; informational only (the limits
   * below are what count). Default `"default"`; 1–64 characters, no control characters.
   */
  name: string;
  /** Concurrent WebSocket connections across the app; over it → close 4010. */
  maxConcurrentConnections: number | null;
  /** Accepted publish/send frames and REST publishes per period; over it → `over_message_quota`. */
  maxMessagesPerPeriod: number | null;
  /** Length of a usage period in seconds (default 2,592,000 = 30 days). */
  periodSec: number;
}

/** An app: the unit of tenancy. Channels, peers, presence, keys and usage never cross apps. */
export interface AppRecord {
  id: string;
  name: string;
  suspended: boolean;
  plan: AppPlan;
  /** Unix seconds. */
  createdAt: number;
}

export type KeyType = "publishable" | "secret";

/** A key as listed: never carries a secret. */
export interface KeyRecord {
  /** `pk_live_…` or `sk_id_…`. */
  id: string;
  type: KeyType;
  appId: string;
  channelPatterns: string[];
  actions: Action[];
  /** Exact origins; empty allows any origin. Only meaningful for publishable keys. */
  allowedOrigins: string[];
  autoInjectTurn: boolean;
  revoked: boolean;
  /** Unix seconds. */
  createdAt: number;
  /** Unix seconds, or null while live. */
  revokedAt: number | null;
}

/** Input of {@link Store.createKey}; omitted fields take the protocol defaults (protocol.md §1). */
export interface NewKey {
  type: KeyType;
  appId: string;
  /** Default `["**"]`. */
  channelPatterns?: string[];
  /** Default subscribe+publish+presence for publishable keys, all four for secret keys. */
  actions?: Action[];
  /** Default `[]` (any origin). */
  allowedOrigins?: string[];
  /** Default false for publishable keys (they opt in), true for secret keys. */
  autoInjectTurn?: boolean;
}

/** What {@link Store.createKey} returns: the only time a secret key's secret is ever visible. */
export interface CreatedKey {
  key: KeyRecord;
  /** `sk_secret_…`, present only for secret keys. */
  secret?: string;
}

/**
 * What {@link Store.updateKey} may change. Absent fields keep their value; the type and app of a key
 * never change. Validated like {@link NewKey} (a secret key still takes no `allowedOrigins`).
 */
export interface KeyPatch {
  channelPatterns?: string[];
  actions?: Action[];
  allowedOrigins?: string[];
  autoInjectTurn?: boolean;
}

/**
 * Usage counters of one app for one period, as persisted (protocol.md §11 `GET /v1/usage`).
 * `concurrentNow` is live state of a running node and is not stored.
 */
export interface UsageRecord {
  /** Unix seconds: start of the period these counters belong to. */
  periodStartUnix: number;
  /** Accepted publish/send frames and REST publishes in the period. */
  messagesUsed: number;
  /** Highest number of concurrent connections seen in the period. */
  peakConcurrent: number;
}

/**
 * - `not_found`: the app (or key) an operation needs does not exist.
 * - `key_limit_reached`: the app already has `Limits.maxKeysPerApp` live keys.
 * - `invalid_input`: a field is malformed; the message names it.
 * - `key_revoked`: a revoked key cannot be changed (only deleted).
 * - `app_is_default`: the default app (the first one) cannot be deleted; suspend it instead.
 */
export type StoreErrorCode =
  | "not_found"
  | "key_limit_reached"
  | "invalid_input"
  | "key_revoked"
  | "app_is_default";

/** A store operation refused for a reason the caller can act on. */
export class StoreError extends Error {
  override readonly name = "StoreError";
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Persistent apps, keys, usage counters (and small settings such as the admin-token hash).
 *
 * Contract:
 * - Every method is safe to call while other processes (the CLI) use the same store; a committed
 *   change made by any process is visible to the next call here.
 * - `onChange` listeners fire (at most about once per poll interval, default 500 ms) after any
 *   process committed a change, so a server can drop caches and close connections of revoked keys.
 * - Secrets: `createKey` returns a secret key's secret once; `listKeys`/`getKey` never do.
 *   `getSigningSecret` exists only for JWT verification and answers only for live secret keys.
 * - At most `Limits.maxKeysPerApp` (50) non-revoked keys per app → `StoreError('key_limit_reached')`.
 * - Unknown app in `createKey` → `StoreError('not_found')`; invalid input → `StoreError('invalid_input')`.
 * - Deleting is final: `deleteKey` removes the key (a server then closes its connections with 4001,
 *   as for a revoked key); `deleteApp` removes the app with its keys and usage. The default app
 *   cannot be deleted, so a store always has one.
 * - Usage writes (`addUsage`) are bookkeeping, not configuration: they do not fire `onChange` on
 *   the handle that made them, so a node flushing every few seconds does not re-check every key.
 */
export interface Store {
  createApp(input: { name: string; plan?: Partial<AppPlan> }): Promise<AppRecord>;
  getApp(id: string): Promise<AppRecord | undefined>;
  listApps(): Promise<AppRecord[]>;
  /** Unknown id → undefined. */
  updateApp(
    id: string,
    patch: { name?: string; plan?: Partial<AppPlan>; suspended?: boolean },
  ): Promise<AppRecord | undefined>;
  /** The app created first (the one a fresh install gets); keys without `--app` go there. */
  defaultApp(): Promise<AppRecord>;
  /**
   * Deletes an app with all its keys and usage. Unknown id → false. The default app →
   * `StoreError('app_is_default')`.
   */
  deleteApp(id: string): Promise<boolean>;

  createKey(input: NewKey): Promise<CreatedKey>;
  /** Revoked keys are returned too (with `revoked: true`). */
  getKey(id: string): Promise<KeyRecord | undefined>;
  /** The HMAC secret of a live (non-revoked) secret key, else undefined. */
  getSigningSecret(keyId: string): Promise<string | undefined>;
  /** All keys of one app, or of every app; oldest first; never with secrets. */
  listKeys(appId?: string): Promise<KeyRecord[]>;
  /** Marks a key revoked; unknown id → undefined. Revoking twice is a no-op returning the key. */
  revokeKey(id: string): Promise<KeyRecord | undefined>;
  /**
   * Changes a live key's scope; returns the updated key. Unknown id → undefined; a revoked key →
   * `StoreError('key_revoked')`; invalid patch → `StoreError('invalid_input')`. An empty patch is a
   * no-op returning the key. Connections already open keep the scope they were admitted with.
   */
  updateKey(id: string, patch: KeyPatch): Promise<KeyRecord | undefined>;
  /** Removes a key (revoked or not) for good; unknown id → false. Frees its slot in the key limit. */
  deleteKey(id: string): Promise<boolean>;

  /** The persisted usage of the app's most recent period, or undefined when none was saved. */
  loadUsage(appId: string): Promise<UsageRecord | undefined>;
  /**
   * Adds `delta` to the counters of `(appId, delta.periodStartUnix)`, creating the row at zero:
   * `messagesUsed` is added, `peakConcurrent` keeps the larger of the stored and the given value.
   * Additive, so several nodes (or several handles) flushing the same app never overwrite each
   * other's counts. Rows of earlier periods are kept. An app that no longer exists is ignored (its
   * usage went with it). Invalid numbers → `StoreError('invalid_input')`.
   */
  addUsage(appId: string, delta: UsageRecord): Promise<void>;

  getSetting(name: string): Promise<string | undefined>;
  setSetting(name: string, value: string): Promise<void>;

  /** Calls `listener` after any process committed a change. Returns the disposer. */
  onChange(listener: () => void): () => void;
  close(): Promise<void>;
}
