/** The `Peer` and `RemotePeer` state machines: one union and one transition table each. */

/**
 * - `idle`: constructed, or after `leave()`; `join()` allowed.
 * - `joining`: `join()` in progress (connect, subscribe, permission check).
 * - `joined`: in the room; remotes are discovered from presence.
 * - `reconnecting`: the signalling connection dropped; established media keeps flowing meanwhile.
 * - `leaving`: `leave()` in progress.
 * - `closed`: final, after `close()`.
 */
export type PeerState = "idle" | "joining" | "joined" | "reconnecting" | "leaving" | "closed";

export const PEER_TRANSITIONS: Readonly<Record<PeerState, readonly PeerState[]>> = {
  idle: ["joining", "closed"],
  joining: ["joined", "idle", "closed"],
  joined: ["reconnecting", "leaving", "idle", "closed"],
  reconnecting: ["joined", "leaving", "idle", "closed"],
  leaving: ["idle", "closed"],
  closed: [],
};

/**
 * - `idle`: discovered, no connection built yet.
 * - `connecting`: first negotiation and ICE in progress.
 * - `connected`: the transport is up.
 * - `reconnecting`: ICE restart in progress, or a fresh connection after a signalling reconnect.
 * - `closed`: final: the remote left, or recovery gave up.
 */
export type RemotePeerState = "idle" | "connecting" | "connected" | "reconnecting" | "closed";

export const REMOTE_TRANSITIONS: Readonly<Record<RemotePeerState, readonly RemotePeerState[]>> = {
  idle: ["connecting", "closed"],
  connecting: ["connected", "reconnecting", "closed"],
  connected: ["reconnecting", "closed"],
  reconnecting: ["connected", "closed"],
  closed: [],
};
