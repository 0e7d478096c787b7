/**
 * A scripted `RTCPeerConnection` for fake-timer tests of `RemotePeer`: descriptions move
 * `signalingState` as the W3C state machine does, offers are recorded (with `iceRestart`), and
 * the test sets the transport state by hand.
 */
import type {
  IceCandidateLike,
  RawDataChannel,
  RTCPeerConnectionLike,
  RtpSenderLike,
  SessionDescriptionLike,
} from "../../../src/index.js";

export class FakeDataChannel implements RawDataChannel {
  readonly label: string;
  readonly id: number | null;
  readyState = "connecting";
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  binaryType = "blob";
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onbufferedamountlow: ((ev: unknown) => void) | null = null;
  readonly sent: unknown[] = [];

  constructor(label: string, id: number | null) {
    this.label = label;
    this.id = id;
  }

  send(data: string | ArrayBuffer | ArrayBufferView): void {
    if (this.readyState !== "open") throw new Error("InvalidStateError");
    this.sent.push(data);
  }

  close(): void {
    this.readyState = "closed";
    this.onclose?.({});
  }

  open(): void {
    this.readyState = "open";
    this.onopen?.({});
  }
}

export class FakePeerConnection implements RTCPeerConnectionLike {
  signalingState = "stable";
  iceConnectionState = "new";
  connectionState = "new";
  localDescription: SessionDescriptionLike | null = null;
  remoteDescription: SessionDescriptionLike | null = null;
  onnegotiationneeded: ((ev: unknown) => void) | null = null;
  onicecandidate: RTCPeerConnectionLike["onicecandidate"] = null;
  oniceconnectionstatechange: ((ev: unknown) => void) | null = null;
  onconnectionstatechange: ((ev: unknown) => void) | null = null;
  ontrack: RTCPeerConnectionLike["ontrack"] = null;
  ondatachannel: RTCPeerConnectionLike["ondatachannel"] = null;
  /** Every `createOffer` call's `iceRestart` option. */
  readonly offers: boolean[] = [];
  readonly channels: FakeDataChannel[] = [];
  closed = false;
  #sdp = 0;

  async createOffer(options?: { iceRestart?: boolean }): Promise<SessionDescriptionLike> {
    this.offers.push(options?.iceRestart === true);
    return { type: "offer", sdp: `fake-offer-${++this.#sdp}` };
  }

  async createAnswer(): Promise<SessionDescriptionLike> {
    return { type: "answer", sdp: `fake-answer-${++this.#sdp}` };
  }

  async setLocalDescription(d: SessionDescriptionLike): Promise<void> {
    if (d.type === "rollback") {
      this.signalingState = "stable";
      this.localDescription = null;
      return;
    }
    this.localDescription = d;
    this.signalingState = d.type === "offer" ? "have-local-offer" : "stable";
  }

  async setRemoteDescription(d: SessionDescriptionLike): Promise<void> {
    if (d.type === "answer" && this.signalingState !== "have-local-offer")
      throw new Error("InvalidStateError");
    this.remoteDescription = d;
    this.signalingState = d.type === "offer" ? "have-remote-offer" : "stable";
  }

  async addIceCandidate(_candidate: IceCandidateLike): Promise<void> {}

  addTrack(): RtpSenderLike {
    return { track: null, replaceTrack: async () => {} };
  }

  removeTrack(): void {}

  createDataChannel(label: string, init?: { id?: number }): FakeDataChannel {
    const channel = new FakeDataChannel(label, init?.id ?? null);
    this.channels.push(channel);
    return channel;
  }

  async getStats(): Promise<unknown> {
    return new Map();
  }

  close(): void {
    this.closed = true;
    this.signalingState = "closed";
  }

  /** Sets both transport states and fires their events, as a browser would. */
  setTransport(state: "new" | "checking" | "connected" | "disconnected" | "failed"): void {
    this.iceConnectionState = state;
    this.connectionState = state === "checking" ? "connecting" : state;
    this.oniceconnectionstatechange?.({});
    this.onconnectionstatechange?.({});
  }
}
