/** The WebRTC mesh: `Peer` (one room), `RemotePeer` (one remote), `DataChannel` (a bounded send queue). */

export {
  DataChannel,
  type DataChannelEvents,
  type DataChannelOptions,
  type DataChannelPayload,
} from "./data-channel.js";
export {
  DataChannelClosedError,
  DataChannelOverflowError,
  PeerJoinError,
  type PeerJoinErrorCode,
  PeerSendError,
  type PeerSendErrorCode,
  PeerStateError,
  ReplaceTrackError,
  type ReplaceTrackFailure,
} from "./errors.js";
export { MAX_STREAM_METADATA_BYTES } from "./local-media.js";
export { Peer, type PeerDataEvent, type PeerEvents, type PeerOptions } from "./peer.js";
export type { PeerState, RemotePeerState } from "./peer-state.js";
export { MESH_CHANNEL_LABEL, RemotePeer, type RemotePeerEvents } from "./remote-peer.js";
export { MAX_RESTARTS, RESTART_DELAYS_MS, STUCK_PAIR_MS } from "./restart-ladder.js";
export type {
  IceCandidateLike,
  MediaStreamLike,
  MediaStreamTrackLike,
  PeerConnectionConfig,
  RawDataChannel,
  RTCPeerConnectionFactory,
  RTCPeerConnectionLike,
  RtpSenderLike,
  SessionDescriptionLike,
} from "./rtc.js";
