import { Limits } from "@switchboard/protocol";
import { newPublishableKeyId, newSecretKeyId, newSigningSecret } from "./ids.js";
import { type CreatedKey, type KeyRecord, StoreError } from "./types.js";
import type { ResolvedKey } from "./validate.js";

/**
 * The record of a key about to be created from validated input `k` (a fresh id, and a signing
 * secret for a secret key), after checking the app's live-key limit against `liveKeys`; both stores
 * mint and refuse alike. Over the limit → `StoreError('key_limit_reached')`.
 */
export function mintKey(k: ResolvedKey, liveKeys: number, createdAt: number): CreatedKey {
  if (liveKeys >= Limits.maxKeysPerApp) {
    throw new StoreError("key_limit_reached", `app ${k.appId} already has ${Limits.maxKeysPerApp} live keys`);
  }
  const key: KeyRecord = {
    id: k.type === "secret" ? newSecretKeyId() : newPublishableKeyId(),
    ...k,
    revoked: false,
    createdAt,
    revokedAt: null,
  };
  return k.type === "secret" ? { key, secret: newSigningSecret() } : { key };
}
