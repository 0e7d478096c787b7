import { ACTIONS, Limits } from "@switchboard/protocol";
import { type Static, Type } from "typebox";

/**
 * Schemas shared by the secret-key routes. They validate requests (strictly, see validator.ts)
 * and are what @fastify/swagger turns into /v1/openapi.json. Byte caps that JSON Schema cannot
 * express (UTF-8 lengths) are checked by the routes and documented in the descriptions.
 */

/** `{error, message}`: the body of every error response (protocol.md §11). */
export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: "stable error code, e.g. invalid_request" }),
    message: Type.String({ description: "human-readable text; not stable" }),
  },
  { additionalProperties: false, description: "error: `{error, message}` (protocol.md §11)" },
);

/** A peerId: 1–128 printable ASCII characters (0x20–0x7E), so characters and bytes coincide. */
export const peerIdOptions = {
  minLength: 1,
  maxLength: Limits.maxPeerIdBytes,
  pattern: "^[\\x20-\\x7e]+$",
  description: "1–128 printable ASCII characters",
};
export const PeerId = Type.String(peerIdOptions);

/** Any JSON object; its UTF-8 JSON size is capped by the route that takes it. */
export const JsonObject = (description: string) =>
  Type.Object({}, { additionalProperties: true, description });

/** One of the four actions a key or token can grant. */
export const Action = Type.Enum([...ACTIONS], { description: "subscribe, publish, presence or send" });

/** `:channel`: URL-encoded; 1–256 bytes of UTF-8 once decoded (checked by the route). */
export const ChannelParams = Type.Object({
  channel: Type.String({
    minLength: 1,
    description: "concrete channel name (no unescaped *), URL-encoded; 1–256 bytes of UTF-8",
  }),
});

export type ChannelParams = Static<typeof ChannelParams>;

/** `:peerId`: URL-encoded. */
export const PeerParams = Type.Object({ peerId: PeerId });
export type PeerParams = Static<typeof PeerParams>;

/**
 * Responses every secret-key route can give besides its success body (403 at least as
 * `app_suspended`: a suspended app's keys are refused on every route, protocol.md §12).
 */
export const COMMON_ERRORS = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  413: ErrorBody,
  429: ErrorBody,
  503: ErrorBody,
} as const;

/** OpenAPI security requirement of the secret-key routes (scheme defined in openapi.ts). */
export const SECRET_KEY_SECURITY = [{ secretKey: [] }];
