import type { Action } from "@switchboard/protocol";

/**
 * Plan limits of an app. `null` means unlimited. [ours]: a self-hosted install starts unlimited.
 */
export interface AppPlan {
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
  /** Default true. */
  autoInjectTurn?: boolean;
}

/** What {@link Store.createKey} returns: the only time a secret key's secret is ever visible. */
export interface CreatedKey {
  key: KeyRecord;
  /** `sk_secret_…`, present only for secret keys. */
  secret?: string;
}

export type StoreErrorCode = "not_found" | "key_limit_reached" | "invalid_input";

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
 * Persistent apps and keys (and small settings such as the admin-token hash).
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

  createKey(input: NewKey): Promise<CreatedKey>;
  /** Revoked keys are returned too (with `revoked: true`). */
  getKey(id: string): Promise<KeyRecord | undefined>;
  /** The HMAC secret of a live (non-revoked) secret key, else undefined. */
  getSigningSecret(keyId: string): Promise<string | undefined>;
  /** All keys of one app, or of every app; oldest first; never with secrets. */
  listKeys(appId?: string): Promise<KeyRecord[]>;
  /** Marks a key revoked; unknown id → undefined. Revoking twice is a no-op returning the key. */
  revokeKey(id: string): Promise<KeyRecord | undefined>;

  getSetting(name: string): Promise<string | undefined>;
  setSetting(name: string, value: string): Promise<void>;

  /** Calls `listener` after any process committed a change. Returns the disposer. */
  onChange(listener: () => void): () => void;
  close(): Promise<void>;
}
