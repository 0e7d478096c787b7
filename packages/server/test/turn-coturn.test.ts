/**
 * The TURN credentials Switchboard hands out work against a real coturn (`use-auth-secret`), and
 * expired or forged ones do not. Two `@roamhq/wrtc` peers, relay-only, each using exactly the
 * `iceServers` of its own `welcome`, signal over Switchboard `send`/`direct` frames and open a data
 * channel. Every wait is bounded (20 s, for a loaded 2-core machine); nothing sleeps to assert.
 */
import { createHmac } from "node:crypto";
import { mintIceServers } from "@switchboard/server";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { type Coturn, startCoturn } from "./coturn.js";
import {
  type Client,
  eventually,
  nowSec,
  peer,
  startServer,
  type TestServer,
  withTimeout,
} from "./helpers.js";
import { COTURN, describeWithTools } from "./tools.js";
import {
  type CandidateInit,
  candidateType,
  closeAllPeers,
  type DescriptionInit,
  gatheringComplete,
  type IceServerInit,
  type PeerConnection,
  relayOnlyPeer,
} from "./webrtc.js";

const SECRET = "coturn-test-shared-secret";
const WAIT_MS = 20_000;

/** The iceServers of a client's welcome, as received. */
function welcomeIceServers(client: Client): IceServerInit[] {
  const metadata = client.welcome?.metadata as { iceServers?: IceServerInit[] } | undefined;
  if (!metadata?.iceServers) throw new Error(`welcome without iceServers: ${JSON.stringify(client.welcome)}`);
  return metadata.iceServers;
}

type Signal = { sdp: DescriptionInit } | { candidate: CandidateInit };

/**
 * Wires `pc` to its Switchboard connection: local candidates go to `remotePeerId` as `send`
 * frames; `direct` frames from it (SDP, candidates) are applied in order. Candidates that arrive
 * before the remote description wait for it. Returns the local candidate lines, ICE errors and a
 * stop function.
 */
function signalOver(client: Client, pc: PeerConnection, remotePeerId: string) {
  const candidates: string[] = [];
  const errors: string[] = [];
  pc.onicecandidateerror = ({ errorCode, url }) => errors.push(`${errorCode} ${url}`);
  const send = (data: Signal) => client.send({ type: "send", to: remotePeerId, data });
  pc.onicecandidate = ({ candidate }) => {
    if (!candidate) return;
    candidates.push(candidate.candidate);
    send({ candidate: candidate.toJSON() });
  };
  let stopped = false;
  const pending: CandidateInit[] = [];
  let haveRemote = false;
  const pump = (async () => {
    while (!stopped) {
      const frame = await client.next(WAIT_MS);
      if (frame.type !== "direct" || frame.from !== remotePeerId) {
        throw new Error(`unexpected frame ${JSON.stringify(frame)}`);
      }
      const data = frame.data as Signal;
      if ("sdp" in data) {
        await pc.setRemoteDescription(data.sdp);
        haveRemote = true;
        for (const c of pending.splice(0)) await pc.addIceCandidate(c);
        if (data.sdp.type === "offer") {
          const answer = await pc.createAnswer();
          await pc.setLocalDescription(answer);
          send({ sdp: answer });
        }
      } else if (haveRemote) {
        await pc.addIceCandidate(data.candidate);
      } else {
        pending.push(data.candidate);
      }
    }
  })();
  // After stop(), the pending `next()` fails when the socket closes; that is the end, not an error.
  const ended = pump.catch((err: unknown) => {
    if (!stopped) throw err;
  });
  // Awaited later (or never, when an assertion fails first): must not count as unhandled meanwhile.
  ended.catch(() => {});
  return {
    candidates,
    errors,
    send,
    ended,
    stop() {
      stopped = true;
    },
  };
}

// Real ICE over a shared 2-core machine can miss a deadline once under heavy load (seen 2 in 30
// runs while other suites hammered the CPU); a retry keeps CI honest without hiding a broken setup,
// which fails every attempt.
describeWithTools(COTURN)(
  "TURN credentials against a real coturn",
  () => {
    let coturn: Coturn;
    let ts: TestServer;
    let turnUrl: string;

    beforeAll(async () => {
      coturn = await startCoturn(SECRET);
      turnUrl = `turn:127.0.0.1:${coturn.port}?transport=udp`;
      ts = await startServer({ turnSecret: SECRET, turnUrls: [turnUrl] });
    });
    afterEach(() => closeAllPeers());
    /** For failure messages: what coturn said last. */
    const coturnTail = () => `coturn log (tail):\n${coturn.log().split("\n").slice(-15).join("\n")}`;
    afterAll(async () => {
      closeAllPeers();
      await ts?.stop();
      await coturn?.stop();
    });

    it("the welcome's credentials carry a relay-only data channel both ways", async () => {
      const [aliceId, bobId] = [peer("alice"), peer("bob")];
      const alice = await ts.connectJwt({ sub: aliceId });
      const bob = await ts.connectJwt({ sub: bobId });
      const aliceIce = welcomeIceServers(alice);
      const bobIce = welcomeIceServers(bob);
      expect(aliceIce).toEqual([
        { urls: [turnUrl], username: expect.stringMatching(/^\d+:alice-/), credential: expect.any(String) },
      ]);

      const pcA = relayOnlyPeer(aliceIce);
      const pcB = relayOnlyPeer(bobIce);
      const sigA = signalOver(alice, pcA, bobId);
      const sigB = signalOver(bob, pcB, aliceId);

      const channel = pcA.createDataChannel("chat");
      const bobGot = new Promise<unknown>((resolve) => {
        pcB.ondatachannel = ({ channel: incoming }) => {
          incoming.onmessage = ({ data }) => {
            resolve(data);
            incoming.send("hello from bob");
          };
        };
      });
      const aliceGot = new Promise<unknown>((resolve) => {
        channel.onmessage = ({ data }) => resolve(data);
      });
      channel.onopen = () => channel.send("hello from alice");

      const offer = await pcA.createOffer();
      await pcA.setLocalDescription(offer);
      sigA.send({ sdp: offer });

      // Gathering ends by itself (success or 401) well before ICE would time out: check it first, so
      // refused credentials fail here with coturn's answer instead of as a silent round-trip timeout.
      await withTimeout(
        Promise.all([gatheringComplete(pcA, WAIT_MS), gatheringComplete(pcB, WAIT_MS)]),
        WAIT_MS,
        "ICE gathering",
      );
      const gathered = [...sigA.candidates, ...sigB.candidates];
      const why = () =>
        [
          `candidates ${JSON.stringify(gathered)}`,
          `ICE errors ${JSON.stringify([...sigA.errors, ...sigB.errors])}`,
          `ICE states ${pcA.iceConnectionState}/${pcB.iceConnectionState}`,
          coturnTail(),
        ].join("\n");
      expect(gathered.length, why()).toBeGreaterThan(0);
      expect(gathered.map(candidateType), why()).toEqual(gathered.map(() => "relay"));

      const signalling = Promise.all([sigA.ended, sigB.ended]);
      // A signalling failure (unexpected frame, bad SDP) fails the test at once instead of timing out.
      const result = await withTimeout(
        Promise.race([Promise.all([bobGot, aliceGot]), signalling.then(() => [])]),
        WAIT_MS,
        "data channel round trip",
      ).catch((err: unknown) => {
        throw new Error(`${err}\n${why()}`);
      });
      expect(result).toEqual(["hello from alice", "hello from bob"]);

      sigA.stop();
      sigB.stop();
      await Promise.all([alice.close(), bob.close()]);
      await signalling;
    }, 60_000);

    /** Gathers with `iceServers` on a relay-only peer: the local candidates and ICE error codes. */
    async function gather(iceServers: IceServerInit[]): Promise<{ candidates: string[]; errors: string[] }> {
      const pc = relayOnlyPeer(iceServers);
      const candidates: string[] = [];
      const errors: string[] = [];
      pc.onicecandidate = ({ candidate }) => {
        if (candidate) candidates.push(candidate.candidate);
      };
      pc.onicecandidateerror = ({ errorCode, url }) => errors.push(`${errorCode} ${url}`);
      pc.createDataChannel("probe");
      await pc.setLocalDescription(await pc.createOffer());
      await gatheringComplete(pc, WAIT_MS);
      pc.close();
      return { candidates, errors };
    }

    it("refuses credentials whose expiry has passed and credentials signed with another secret", async () => {
      const client = await ts.connectJwt({ sub: peer("mallory") });
      const [good] = welcomeIceServers(client) as [Required<IceServerInit>];
      const turn = { secret: SECRET, urls: [turnUrl], ttlSec: 86_400 };
      // Minted as Switchboard would have minted them an hour ago for a 60 s life.
      const expired = mintIceServers(turn, "mallory", 60, nowSec() - 3_600)?.iceServers as IceServerInit[];
      const expiredUser = expired[0]?.username as string;
      expect(Number(expiredUser.split(":")[0])).toBeLessThan(nowSec());
      // The welcome's own (unexpired) username, with a credential from a secret coturn does not know.
      const forged = [
        { ...good, credential: createHmac("sha1", "not-the-secret").update(good.username).digest("base64") },
      ];

      for (const [what, iceServers, username] of [
        ["expired", expired, expiredUser],
        ["forged", forged, good.username],
      ] as const) {
        const { candidates, errors } = await gather(iceServers);
        expect(candidates, `${what}: no candidate at all (relay-only)`).toEqual([]);
        expect(errors, `${what}: coturn answers 401\n${coturnTail()}`).toContain(`401 ${turnUrl}`);
        // coturn's own account of it: the username failed its auth check.
        const refusedInLog = () =>
          coturn
            .log()
            .split("\n")
            .some((line) => line.includes("check_stun_auth") && line.includes(`<${username}>`));
        await eventually(async () => (refusedInLog() ? true : undefined), WAIT_MS);
      }

      // Control: the unaltered credentials of the same welcome do gather a relay candidate.
      const control = await gather([good]);
      const controlWhy = `ICE errors ${JSON.stringify(control.errors)}\n${coturnTail()}`;
      expect(control.candidates.map(candidateType), controlWhy).toContain("relay");
      await client.close();
    }, 60_000);
  },
  { retry: 2 },
);
