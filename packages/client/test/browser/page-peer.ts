/**
 * Reading the WebRTC state of a page's Peer, through the `peer` the example exposes on `window`:
 * each remote's `remote.pc.getStats()` (always the current connection: the SDK replaces it on a
 * reconnect), and watchers that tell whether a connection renegotiated or was replaced. Page-side
 * code runs in Chromium and the test tsconfig has no DOM lib, so what it touches is typed
 * structurally here.
 */
import type { Page } from "playwright-core";

/** One `getStats()` entry, with only the fields the tests read. */
interface StatsEntry {
  id: string;
  type: string;
  kind?: string;
  framesDecoded?: number;
  frameWidth?: number;
  frameHeight?: number;
  selectedCandidatePairId?: string;
  localCandidateId?: string;
  remoteCandidateId?: string;
  candidateType?: string;
  state?: string;
}

/** What the tests touch of a RemotePeer and its RTCPeerConnection, inside the page. */
interface PageRemote {
  id: string;
  state: string;
  metadata?: { name?: string };
  pc: {
    getStats(): Promise<{ forEach(callback: (entry: StatsEntry) => void): void }>;
    getConfiguration(): { iceTransportPolicy?: string; iceServers?: Array<{ urls: string | string[] }> };
    addEventListener(type: string, listener: () => void): void;
  };
}

/** The page's `window`, as far as the tests use it. */
interface CallWindow {
  peer?: { state: string; peerId: string; remotePeers: Iterable<PageRemote> };
  /** Installed by {@link watchNegotiation}. */
  negotiation?: { events: string[]; pcs: Map<string, unknown> };
  /** Saved by {@link rememberRemotes}. */
  remembered?: Map<string, { remote: unknown; pc: unknown }>;
}

/** `peer.state` of the page ("none" before the first join). */
export function peerState(page: Page): Promise<string> {
  return page.evaluate(() => (globalThis as unknown as CallWindow).peer?.state ?? "none");
}

/** One remote peer as the page's Peer sees it, with its inbound video from `remote.pc.getStats()`. */
export interface RemoteVideo {
  id: string;
  name: string | undefined;
  state: string;
  framesDecoded: number;
  frameWidth: number;
  frameHeight: number;
}

export function remoteVideo(page: Page): Promise<RemoteVideo[]> {
  return page.evaluate(async () => {
    const peer = (globalThis as unknown as CallWindow).peer;
    const out: RemoteVideo[] = [];
    for (const remote of peer?.remotePeers ?? []) {
      const video = { framesDecoded: 0, frameWidth: 0, frameHeight: 0 };
      (await remote.pc.getStats()).forEach((s) => {
        if (s.type !== "inbound-rtp" || s.kind !== "video") return;
        video.framesDecoded += s.framesDecoded ?? 0;
        video.frameWidth = s.frameWidth ?? video.frameWidth;
        video.frameHeight = s.frameHeight ?? video.frameHeight;
      });
      out.push({ id: remote.id, name: remote.metadata?.name, state: remote.state, ...video });
    }
    return out;
  });
}

/** The selected ICE candidate pair of each remote's connection. */
export interface SelectedPair {
  id: string;
  pairState: string | undefined;
  localType: string | undefined;
  remoteType: string | undefined;
  iceTransportPolicy: string | undefined;
  iceServerUrls: string[];
}

export function selectedPairs(page: Page): Promise<SelectedPair[]> {
  return page.evaluate(async () => {
    const peer = (globalThis as unknown as CallWindow).peer;
    const out: SelectedPair[] = [];
    for (const remote of peer?.remotePeers ?? []) {
      const byId = new Map<string, StatsEntry>();
      (await remote.pc.getStats()).forEach((s) => {
        byId.set(s.id, s);
      });
      const transport = [...byId.values()].find((s) => s.type === "transport" && s.selectedCandidatePairId);
      const pair = transport?.selectedCandidatePairId
        ? byId.get(transport.selectedCandidatePairId)
        : undefined;
      const config = remote.pc.getConfiguration();
      out.push({
        id: remote.id,
        pairState: pair?.state,
        localType: pair?.localCandidateId ? byId.get(pair.localCandidateId)?.candidateType : undefined,
        remoteType: pair?.remoteCandidateId ? byId.get(pair.remoteCandidateId)?.candidateType : undefined,
        iceTransportPolicy: config.iceTransportPolicy,
        iceServerUrls: (config.iceServers ?? []).flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls])),
      });
    }
    return out;
  });
}

/**
 * Records, from now on, every `signalingstatechange` and `negotiationneeded` of the remotes'
 * current peer connections (listeners added beside the SDK's own handlers), and which connection
 * each remote had: {@link negotiationSince} reads both back.
 */
export async function watchNegotiation(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = globalThis as unknown as CallWindow;
    const watch = { events: [] as string[], pcs: new Map<string, unknown>() };
    for (const remote of w.peer?.remotePeers ?? []) {
      const pc = remote.pc as PageRemote["pc"] & { signalingState: string };
      watch.pcs.set(remote.id, pc);
      pc.addEventListener("signalingstatechange", () =>
        watch.events.push(`${remote.id}: ${pc.signalingState}`),
      );
      pc.addEventListener("negotiationneeded", () => watch.events.push(`${remote.id}: negotiationneeded`));
    }
    w.negotiation = watch;
  });
}

/** Negotiation events since {@link watchNegotiation}, and whether any remote got a new connection. */
export function negotiationSince(page: Page): Promise<{ events: string[]; replacedPcs: string[] }> {
  return page.evaluate(() => {
    const w = globalThis as unknown as CallWindow;
    const watch = w.negotiation ?? { events: ["watchNegotiation was not called"], pcs: new Map() };
    const replacedPcs = [...(w.peer?.remotePeers ?? [])]
      .filter((r) => watch.pcs.get(r.id) !== r.pc)
      .map((r) => r.id);
    return { events: watch.events, replacedPcs };
  });
}

/** Keeps each remote and its current connection, for {@link changedSinceRemembered}. */
export async function rememberRemotes(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = globalThis as unknown as CallWindow;
    w.remembered = new Map([...(w.peer?.remotePeers ?? [])].map((r) => [r.id, { remote: r, pc: r.pc }]));
  });
}

/**
 * Ids of the remotes that are new objects since {@link rememberRemotes} (`newRemotes`), and of
 * those whose `remote.pc` is a new connection (`newPcs`).
 */
export function changedSinceRemembered(page: Page): Promise<{ newRemotes: string[]; newPcs: string[] }> {
  return page.evaluate(() => {
    const w = globalThis as unknown as CallWindow;
    const remotes = [...(w.peer?.remotePeers ?? [])];
    return {
      newRemotes: remotes.filter((r) => w.remembered?.get(r.id)?.remote !== r).map((r) => r.id),
      newPcs: remotes.filter((r) => w.remembered?.get(r.id)?.pc !== r.pc).map((r) => r.id),
    };
  });
}
