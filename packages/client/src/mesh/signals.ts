/**
 * The mesh's signalling sub-protocol, carried in the `data` of `send`/`direct` frames:
 * `{"$sb": 1, "kind": …, "session": …, "epoch": …, "to"?: …, …}`. Envelopes are consumed by the
 * SDK and never surface as `data` events (sdk.md, "Negotiation").
 *
 * - `session`: a random id per `Peer` instance. The server delivers a `send` to every socket of a
 *   peerId, so two instances sharing one (two tabs, one JWT `sub`) tell signals apart by it: a
 *   signal whose `to` names another session is not for us.
 * - `epoch`: the sender's connection number towards this remote, bumped each time it builds a
 *   fresh `RTCPeerConnection`. A higher epoch than the one our connection is bound to means the
 *   remote started over (it reconnected, or reloaded with the same peerId): ours is stale too.
 *   Lower epochs are late signals of a connection already gone.
 */

import type { IceCandidateLike } from "./rtc.js";

/** Marker and version of an envelope. */
export const SIGNAL_VERSION = 1;

/** One local stream as announced to a remote: its id (the `msid` both ends see), metadata, tracks. */
export interface StreamAnnouncement {
  id: string;
  metadata: Record<string, unknown>;
  tracks: string[];
}

interface SignalBase {
  /** The sender's instance id. */
  session: string;
  /** The sender's connection number towards the receiver. */
  epoch: number;
  /** The receiver's session, once the sender knows it. */
  to?: string;
  /**
   * The receiver's epoch the sender's connection negotiated with, once it has: a signal naming an
   * epoch other than the receiver's current one belongs to a connection the receiver replaced.
   */
  remoteEpoch?: number;
}

/** A decoded envelope. */
export type Signal = SignalBase &
  (
    | { kind: "description"; description: { type: "offer" | "answer"; sdp: string } }
    | { kind: "candidate"; candidate: IceCandidateLike | null }
    | { kind: "streams"; streams: StreamAnnouncement[] }
    /**
     * "My connection to you is fresh and I am waiting for your offer" (sent by the polite side);
     * `retry`: said again because no offer came.
     */
    | { kind: "hello"; retry?: boolean }
    /** "I am leaving the room": drop me now, without waiting for presence. */
    | { kind: "bye" }
  );

/** What {@link decodeSignal} found in a `direct` frame's data. */
export type DecodedSignal =
  | { type: "signal"; signal: Signal }
  /** `$sb` is 1 but the rest is not an envelope we understand: consumed, then dropped. */
  | { type: "malformed" }
  /** Not an envelope: application data. */
  | { type: "data" };

const MAX_ID_LENGTH = 64;
const MAX_STREAMS = 64;
const MAX_TRACKS = 16;

/** Encodes a signal as the JSON value to `send`. */
export function encodeSignal(signal: Signal): Record<string, unknown> {
  return { $sb: SIGNAL_VERSION, ...signal };
}

/** Classifies and validates a `direct` frame's data. Never throws. */
export function decodeSignal(data: unknown): DecodedSignal {
  if (!isRecord(data) || !Object.hasOwn(data, "$sb")) return { type: "data" };
  if (data.$sb !== SIGNAL_VERSION) return { type: "malformed" };
  const signal = signalOf(data);
  return signal === undefined ? { type: "malformed" } : { type: "signal", signal };
}

function signalOf(d: Record<string, unknown>): Signal | undefined {
  const { session, epoch, to, remoteEpoch } = d;
  if (!isId(session) || !isEpoch(epoch)) return undefined;
  if (to !== undefined && !isId(to)) return undefined;
  if (remoteEpoch !== undefined && !isEpoch(remoteEpoch)) return undefined;
  const base: SignalBase = { session, epoch };
  if (to !== undefined) base.to = to;
  if (remoteEpoch !== undefined) base.remoteEpoch = remoteEpoch;
  switch (d.kind) {
    case "description": {
      const desc = d.description;
      if (
        !isRecord(desc) ||
        (desc.type !== "offer" && desc.type !== "answer") ||
        typeof desc.sdp !== "string"
      ) {
        return undefined;
      }
      return { ...base, kind: "description", description: { type: desc.type, sdp: desc.sdp } };
    }
    case "candidate": {
      const c = d.candidate;
      if (c === null) return { ...base, kind: "candidate", candidate: null };
      if (!isRecord(c) || typeof c.candidate !== "string") return undefined;
      const candidate: IceCandidateLike = { candidate: c.candidate };
      if (typeof c.sdpMid === "string" || c.sdpMid === null) candidate.sdpMid = c.sdpMid;
      if (Number.isSafeInteger(c.sdpMLineIndex) || c.sdpMLineIndex === null) {
        candidate.sdpMLineIndex = c.sdpMLineIndex as number | null;
      }
      if (typeof c.usernameFragment === "string") candidate.usernameFragment = c.usernameFragment;
      return { ...base, kind: "candidate", candidate };
    }
    case "streams": {
      const list = d.streams;
      if (!Array.isArray(list) || list.length > MAX_STREAMS) return undefined;
      const streams: StreamAnnouncement[] = [];
      for (const s of list) {
        if (!isRecord(s) || !isId(s.id) || !isRecord(s.metadata)) return undefined;
        const tracks = s.tracks;
        if (!Array.isArray(tracks) || tracks.length > MAX_TRACKS || !tracks.every(isId)) return undefined;
        streams.push({ id: s.id, metadata: s.metadata, tracks: [...tracks] });
      }
      return { ...base, kind: "streams", streams };
    }
    case "hello":
      return d.retry === true ? { ...base, kind: "hello", retry: true } : { ...base, kind: "hello" };
    case "bye":
      return { ...base, kind: "bye" };
    default:
      return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isEpoch(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function isId(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_ID_LENGTH;
}
