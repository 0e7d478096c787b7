import type { AppRuntime } from "./apps.js";
import type { Identity } from "./auth/authenticate.js";
import type { Member } from "./delivery/member.js";
import type { TokenBucket } from "./token-bucket.js";
/** An authenticated client socket. It points at its app; the app and its hub know it only as a {@link Member}. */
export interface Connection extends Member {
  readonly app: AppRuntime;
  readonly identity: Identity;
  readonly bucket: TokenBucket;
  /** A WebSocket ping went out and no pong came back yet. */
  pongPending: boolean;
}
