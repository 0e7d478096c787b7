/**
 * The parts of WebRTC the mesh uses, typed structurally. The browser's `RTCPeerConnection` and
 * `@roamhq/wrtc`'s satisfy them; declaring them here keeps the SDK's types free of the DOM lib,
 * so Node projects compile against them without it.
 */

import type { IceServer } from "../types.js";

/** An SDP offer or answer (or a rollback, which carries no SDP). */
export interface SessionDescriptionLike {
  type: "offer" | "answer" | "pranswer" | "rollback";
  sdp?: string;
}

/** An ICE candidate as it travels over signalling (`RTCIceCandidateInit`). */
export interface IceCandidateLike {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/** A local or remote media track. */
export interface MediaStreamTrackLike {
  readonly id: string;
  readonly kind: string;
}

/** A media stream: an id shared by both ends and a set of tracks. */
export interface MediaStreamLike {
  readonly id: string;
  getTracks(): MediaStreamTrackLike[];
}

/** One sender of a peer connection. */
export interface RtpSenderLike {
  readonly track: MediaStreamTrackLike | null;
  replaceTrack(track: MediaStreamTrackLike | null): Promise<void>;
}

/** A raw data channel (`RTCDataChannel`). */
export interface RawDataChannel {
  readonly label: string;
  readonly id: number | null;
  readonly readyState: "connecting" | "open" | "closing" | "closed" | string;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  binaryType: string;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onbufferedamountlow: ((ev: unknown) => void) | null;
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  close(): void;
}

/** What the mesh passes to {@link RTCPeerConnectionFactory}. */
export interface PeerConnectionConfig {
  /** The validated `iceServers` of the latest `welcome` (a fresh copy per connection). */
  iceServers: IceServer[];
}

/** The part of `RTCPeerConnection` the mesh drives. */
export interface RTCPeerConnectionLike {
  readonly signalingState: string;
  readonly iceConnectionState: string;
  /** Missing in some older stacks; `iceConnectionState` is used then. */
  readonly connectionState?: string;
  readonly localDescription: SessionDescriptionLike | null;
  readonly remoteDescription: SessionDescriptionLike | null;
  onnegotiationneeded: ((ev: unknown) => void) | null;
  onicecandidate:
    | ((ev: { candidate: (IceCandidateLike & { toJSON?(): IceCandidateLike }) | null }) => void)
    | null;
  oniceconnectionstatechange: ((ev: unknown) => void) | null;
  onconnectionstatechange: ((ev: unknown) => void) | null;
  ontrack: ((ev: { track: MediaStreamTrackLike; streams: readonly MediaStreamLike[] }) => void) | null;
  ondatachannel: ((ev: { channel: RawDataChannel }) => void) | null;
  createOffer(options?: { iceRestart?: boolean }): Promise<SessionDescriptionLike>;
  createAnswer(): Promise<SessionDescriptionLike>;
  setLocalDescription(description: SessionDescriptionLike): Promise<void>;
  setRemoteDescription(description: SessionDescriptionLike): Promise<void>;
  addIceCandidate(candidate: IceCandidateLike): Promise<void>;
  addTrack(track: MediaStreamTrackLike, ...streams: MediaStreamLike[]): RtpSenderLike;
  removeTrack(sender: RtpSenderLike): void;
  createDataChannel(
    label: string,
    init?: { negotiated?: boolean; id?: number; ordered?: boolean },
  ): RawDataChannel;
  getStats(): Promise<unknown>;
  close(): void;
}

/** Builds one peer connection; `config.iceServers` already holds the welcome's validated servers. */
export type RTCPeerConnectionFactory = (config: PeerConnectionConfig) => RTCPeerConnectionLike;

/** The global `RTCPeerConnection` (browsers), or a factory that throws a clear error without one. */
export function defaultPeerConnectionFactory(): RTCPeerConnectionFactory {
  return (config) => {
    const Ctor = (
      globalThis as { RTCPeerConnection?: new (c: PeerConnectionConfig) => RTCPeerConnectionLike }
    ).RTCPeerConnection;
    if (typeof Ctor !== "function") {
      throw new TypeError(
        "no global RTCPeerConnection: pass rtcPeerConnectionFactory (in Node, e.g. one built on @roamhq/wrtc)",
      );
    }
    return new Ctor(config);
  };
}

/** True when the connection's transport is up (`connectionState`, or ICE on older stacks). */
export function isConnected(pc: RTCPeerConnectionLike): boolean {
  if (typeof pc.connectionState === "string") return pc.connectionState === "connected";
  return pc.iceConnectionState === "connected" || pc.iceConnectionState === "completed";
}
