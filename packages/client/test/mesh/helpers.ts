/**
 * Helpers for the mesh tests in Node: `Peer`s on `@roamhq/wrtc` (libwebrtc) and `ws`, tracked so
 * every test's cleanup closes what it opened, and bounded waits on what a user would observe.
 */
import wrtcModule from "@roamhq/wrtc";
import WebSocket from "ws";
import {
  type MediaStreamLike,
  type MediaStreamTrackLike,
  Peer,
  type PeerOptions,
  type RemotePeer,
  type RTCPeerConnectionLike,
} from "../../src/index.js";
import { sleep } from "../integration/helpers.js";

interface Wrtc {
  RTCPeerConnection: new (config: unknown) => RTCPeerConnectionLike;
  MediaStream: new (tracks?: unknown[]) => MediaStreamLike;
  nonstandard: {
    RTCVideoSource: new () => { createTrack(): MediaStreamTrackLike & { stop(): void } };
  };
}
export const wrtc = wrtcModule as unknown as Wrtc;

/** Every connection a test's peers built, with the offers each one made (to count renegotiations). */
export interface TrackedConnection {
  pc: RTCPeerConnectionLike;
  /** `createOffer` calls. */
  offers: number;
  /** `setLocalDescription({type: "rollback"})` calls: the polite side's half of a glare. */
  rollbacks: number;
}

/** Lets a test hold a connection's `createOffer` (to force two offers to cross). */
export type OfferGate = (tracked: TrackedConnection) => Promise<void>;

export type MeshPeer = Peer & { connections: TrackedConnection[] };

/** Polls `check` until it returns true; throws with `what` after `timeoutMs`. */
export async function until(
  check: () => boolean,
  timeoutMs: number,
  what: string | (() => string),
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms: ${typeof what === "string" ? what : what()}`);
    await sleep(25);
  }
}

/** Builds `Peer`s whose connections are wrtc ones and counted; `closeAll` ends them all. */
export class Mesh {
  readonly peers: MeshPeer[] = [];
  readonly #tracks: { stop(): void }[] = [];

  peer(
    options: Omit<PeerOptions, "webSocketFactory" | "rtcPeerConnectionFactory">,
    gate: { offer?: OfferGate } = {},
  ): MeshPeer {
    const connections: TrackedConnection[] = [];
    const peer = new Peer({
      ...options,
      webSocketFactory: (url) => new WebSocket(url),
      rtcPeerConnectionFactory: (config) => {
        const pc = new wrtc.RTCPeerConnection(config);
        const tracked: TrackedConnection = { pc, offers: 0, rollbacks: 0 };
        const createOffer = pc.createOffer.bind(pc);
        pc.createOffer = async (o) => {
          tracked.offers += 1;
          const offer = await createOffer(o);
          await gate.offer?.(tracked);
          return offer;
        };
        const setLocal = pc.setLocalDescription.bind(pc);
        pc.setLocalDescription = (d) => {
          if (d.type === "rollback") tracked.rollbacks += 1;
          return setLocal(d);
        };
        connections.push(tracked);
        return pc;
      },
    } as PeerOptions) as MeshPeer;
    peer.connections = connections;
    this.peers.push(peer);
    return peer;
  }

  /** A fake video track (libwebrtc's video source), stopped at cleanup. */
  videoTrack(): MediaStreamTrackLike {
    const track = new wrtc.nonstandard.RTCVideoSource().createTrack();
    this.#tracks.push(track);
    return track;
  }

  stream(...tracks: MediaStreamTrackLike[]): MediaStreamLike {
    return new wrtc.MediaStream(tracks);
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.peers.splice(0).map((p) => p.close().catch(() => {})));
    for (const track of this.#tracks.splice(0)) track.stop();
  }
}

/** The remote of `peer` with peerId `id` (throws when none). */
export function remoteOf(peer: Peer, id: string | null): RemotePeer {
  for (const r of peer.remotePeers) if (r.id === id) return r;
  throw new Error(`no remote ${id} at ${peer.peerId}`);
}

/** True when every peer has every other as a `connected` remote with an open data channel. */
export function fullyConnected(peers: Peer[]): boolean {
  return peers.every((p) =>
    peers.every((q) => {
      if (p === q) return true;
      for (const r of p.remotePeers)
        if (r.id === q.peerId) return r.state === "connected" && r.dataChannel !== null;
      return false;
    }),
  );
}

/** A readable view of who sees whom, for timeout messages. */
export function describeMesh(peers: Peer[]): string {
  return peers
    .map(
      (p) =>
        `${p.peerId}[${p.state}]: ${[...p.remotePeers].map((r) => `${r.id}=${r.state}${r.dataChannel ? "+dc" : ""}`).join(", ")}`,
    )
    .join(" | ");
}
