/** Protocol limits (protocol.md §2–§4). Server and SDK both read them from here. */
export const Limits = {
  /** Largest accepted frame, in bytes; bigger frames close the socket with 1009. */
  maxFrameBytes: 65_536,
  /** Channel names and patterns: UTF-8 bytes. */
  maxChannelBytes: 256,
  /** peerIds (`sub`, `to`): printable ASCII bytes. */
  maxPeerIdBytes: 128,
  /** `requestId`: UTF-8 bytes. */
  maxRequestIdBytes: 128,
  /**
   * Deepest nesting of arrays/objects in one frame, the frame object included [ours]: deeper JSON
   * parses but cannot be re-serialised on a bounded stack, so it is `malformed_message`.
   */
  maxJsonDepth: 128,
  /**
   * Wildcard runs per pattern (hardening): a run is a maximal sequence of unescaped `*`, so `*`,
   * `**` and `***` are one run each and `\*` none. Bounds what matching and coverage checks of one
   * client-chosen pattern can cost (see `wildcardRuns`, checked by `channelError`).
   */
  maxPatternWildcardRuns: 8,
  /** Subscriptions per connection. */
  maxSubscriptions: 100,
  /**
   * Leading literal segments the pattern index keys on (hardening): `a/b/c/d/e/*` is filed under
   * `a/b/c/d/`, so a publish looks into at most this many + 1 index buckets (see
   * `patternSegmentPrefix`, `segmentPrefixes`).
   */
  maxIndexedPatternSegments: 4,
  /**
   * Distinct wildcard patterns in one index bucket of one app on one node (hardening). A publish
   * tests at most (maxIndexedPatternSegments + 1) buckets, so its pattern work is bounded per app
   * (≤ 500 patterns, each linear in the name) however many connections an attacker opens, while
   * patterns under distinct literal prefixes (`user/<id>/*` per user) are not limited in number. A
   * subscribe to a new pattern in a full bucket gets `channel_limit_exceeded`.
   */
  maxWildcardPatternsPerBucket: 100,
  /** JWT `metadata` claim: UTF-8 bytes of its JSON serialization. */
  maxMetadataBytes: 8192,
  /** JWT `peerMetadata` claim: UTF-8 bytes of its JSON serialization. */
  maxPeerMetadataBytes: 4096,
  /**
   * Largest JWT accepted in the handshake query, in bytes [ours]: room for every claim at its cap
   * (8 KiB metadata, 4 KiB peerMetadata, 100 channels of 256 bytes) after base64url encoding.
   */
  maxTokenBytes: 65_536,
  /** HTTP header budget of the upgrade request: the largest token plus ordinary headers. [ours] */
  maxUpgradeHeaderBytes: 81_920,
  /**
   * Per-connection token bucket: sustained frames per second. The protocol's default; the server's
   * `defaults.rateFramesPerSec` is this value and an operator may change it per deployment.
   */
  rateFramesPerSec: 100,
  /** Per-connection token bucket: burst size. The server's `defaults.rateBurst` (configurable). */
  rateBurst: 200,
  /**
   * A `ping` frame of at most this many bytes is not charged to the rate bucket; its size is
   * checked before it is parsed, so larger ones (and every other frame) always pay (hardening).
   */
  maxFreePingBytes: 256,
  /** Leeway applied to JWT `nbf`, in seconds. */
  nbfLeewaySec: 5,
  /** The server closes a JWT connection with 4002 this long before `exp`. */
  expiryCloseLeadMs: 250,
  /** Keys per app. */
  maxKeysPerApp: 50,
} as const;

/** Channel-name prefixes reserved for the server; client use → `channel_reserved`. */
export const RESERVED_CHANNEL_PREFIXES = ["_metered/", "_internal/", "_system/"] as const;

/** The four actions a key or token can grant. */
export const ACTIONS = ["subscribe", "publish", "presence", "send"] as const;
export type Action = (typeof ACTIONS)[number];

/** Type guard for {@link Action}. */
export function isAction(value: unknown): value is Action {
  return value === "subscribe" || value === "publish" || value === "presence" || value === "send";
}
