/**
 * Error classes of the mesh (`Peer`, `RemotePeer`, `DataChannel`). Same rules as the signalling
 * errors: a stable `code` and `name`, `cause` when wrapping, and messages built from our own text.
 */

import type { PeerState } from "./peer-state.js";

/** Why `Peer.send`, `Peer.sendTo` or `RemotePeer.send` refused before anything was sent. */
export type PeerSendErrorCode = "not_joined" | "reserved_channel" | "invalid_args" | "not_connected";

/**
 * A message could not be sent. `not_joined`: the `Peer` is not in a room; `reserved_channel`: the
 * room's channel is reserved; `invalid_args`: `data` is not a JSON value (or is an object with the
 * SDK's reserved `$sb` key); `not_connected` **[ours]**: `RemotePeer.send` while its data channel
 * is not open.
 */
export class PeerSendError extends Error {
  override readonly name = "PeerSendError";
  readonly code: PeerSendErrorCode;

  constructor(code: PeerSendErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A method was called in a state that does not allow it (e.g. `join()` while joined, anything after `close()`). */
export class PeerStateError extends Error {
  override readonly name = "PeerStateError";
  readonly code = "invalid_state";
  readonly method: string;
  readonly currentState: PeerState;

  constructor(method: string, currentState: PeerState) {
    super(`${method}() is not allowed while the peer is ${currentState}`);
    this.method = method;
    this.currentState = currentState;
  }
}

/** Why `join()` failed **[ours]**. */
export type PeerJoinErrorCode = "send_not_permitted" | "join_failed";

/**
 * `join()` failed. `send_not_permitted`: the key or token lacks the `send` action, without which no
 * call can be signalled; `join_failed`: connecting or subscribing failed (`cause` says how).
 */
export class PeerJoinError extends Error {
  override readonly name = "PeerJoinError";
  readonly code: PeerJoinErrorCode;

  constructor(code: PeerJoinErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** One remote whose sender could not switch tracks. */
export interface ReplaceTrackFailure {
  peerId: string;
  error: unknown;
}

/** `replaceTrack` worked for some remotes and not others: `succeeded` and `failed` list which (peerIds). */
export class ReplaceTrackError extends Error {
  override readonly name = "ReplaceTrackError";
  readonly code = "replace_track_failed";
  readonly succeeded: string[];
  readonly failed: ReplaceTrackFailure[];

  constructor(succeeded: string[], failed: ReplaceTrackFailure[]) {
    super(`replaceTrack failed for ${failed.length} of ${succeeded.length + failed.length} remote peers`);
    this.succeeded = succeeded;
    this.failed = failed;
  }
}

/** `DataChannel.send` refused: `queued` sends already wait for the buffer to drain (`cap` = `maxQueuedSends`). */
export class DataChannelOverflowError extends Error {
  override readonly name = "DataChannelOverflowError";
  readonly code = "data_channel_overflow";
  readonly queued: number;
  readonly cap: number;

  constructor(queued: number, cap: number) {
    super(`data channel send queue is full (${queued} of ${cap} sends waiting)`);
    this.queued = queued;
    this.cap = cap;
  }
}

/** `DataChannel.send` on (or pending when) a channel that closed. */
export class DataChannelClosedError extends Error {
  override readonly name = "DataChannelClosedError";
  readonly code = "data_channel_closed";

  constructor() {
    super("the data channel is closed");
  }
}
