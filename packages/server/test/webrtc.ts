/**
 * Just enough of `@roamhq/wrtc` (libwebrtc in Node) for the TURN tests. Its bundled typings
 * re-export the DOM's WebRTC types, which this project does not load (no `dom` lib), so the few
 * members used here are typed by hand.
 */
import wrtcModule from "@roamhq/wrtc";

export interface IceServerInit {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface CandidateInit {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
}

export interface DescriptionInit {
  type: "offer" | "answer";
  sdp: string;
}

export interface DataChannel {
  readonly readyState: string;
  onopen: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  send(data: string): void;
  close(): void;
}

export interface PeerConnection {
  readonly iceGatheringState: string;
  readonly iceConnectionState: string;
  onicecandidate:
    | ((event: { candidate: (CandidateInit & { toJSON(): CandidateInit }) | null }) => void)
    | null;
  onicecandidateerror: ((event: { errorCode: number; errorText: string; url: string }) => void) | null;
  onicegatheringstatechange: (() => void) | null;
  ondatachannel: ((event: { channel: DataChannel }) => void) | null;
  createDataChannel(label: string): DataChannel;
  createOffer(): Promise<DescriptionInit>;
  createAnswer(): Promise<DescriptionInit>;
  setLocalDescription(description: DescriptionInit): Promise<void>;
  setRemoteDescription(description: DescriptionInit): Promise<void>;
  addIceCandidate(candidate: CandidateInit): Promise<void>;
  close(): void;
}

type PeerConnectionClass = new (config: {
  iceServers: IceServerInit[];
  iceTransportPolicy?: "all" | "relay";
}) => PeerConnection;

const { RTCPeerConnection } = wrtcModule as unknown as { RTCPeerConnection: PeerConnectionClass };

/** Every peer connection made here, so a test's cleanup can close what a failed test left open. */
const open = new Set<PeerConnection>();

/** A relay-only peer connection (`iceTransportPolicy: "relay"`): host candidates are never used. */
export function relayOnlyPeer(iceServers: IceServerInit[]): PeerConnection {
  const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: "relay" });
  open.add(pc);
  return pc;
}

/** Closes every peer connection made by {@link relayOnlyPeer}. */
export function closeAllPeers(): void {
  for (const pc of open) pc.close();
  open.clear();
}

/** The candidate type (`host`, `srflx`, `relay`, …) of an ICE candidate line. */
export function candidateType(candidate: string): string | undefined {
  return / typ (\S+)/.exec(candidate)?.[1];
}

/** Resolves once ICE gathering of `pc` is complete (rejects after `timeoutMs`). */
export function gatheringComplete(pc: PeerConnection, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`ICE gathering not complete within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const check = () => {
      if (pc.iceGatheringState !== "complete") return;
      clearTimeout(timer);
      resolve();
    };
    pc.onicegatheringstatechange = check;
    check();
  });
}
