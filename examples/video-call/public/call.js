// The whole call: a Switchboard Peer in a room, one tile per remote peer, mute/camera/screen toggles.
import { Peer } from "/sdk.js";

const $ = (id) => document.getElementById(id);
const form = $("join-form");
const joinButton = form.querySelector("button[type=submit]");
const banner = $("banner");
const errorBox = $("error");
const callSection = $("call");
const remotes = $("remotes");
const localVideo = $("local-video");
const tileTemplate = $("remote-tile");
const muteButton = $("mute");
const cameraButton = $("camera");
const shareButton = $("share");

// `?relay=1` sends all media through TURN (iceTransportPolicy "relay"): a quick check of a TURN setup.
const relayOnly = new URLSearchParams(location.search).get("relay") === "1";
// Picked once per page load and put in every token (backend.js): after a reconnect the others see
// the same peer coming back, not a new one.
const peerId = crypto.randomUUID();

let peer; // the Peer while in a call
let camera; // the getUserMedia stream, from join to leave
let screenTrack; // the getDisplayMedia track while sharing

function showError(err) {
  errorBox.textContent = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  errorBox.hidden = false;
}

const pressed = (button) => button.getAttribute("aria-pressed") === "true";
const setPressed = (button, on) => button.setAttribute("aria-pressed", String(on));
const cameraTrack = () => camera.getVideoTracks()[0];

/** The SDK calls this on the first connect and on every reconnect: a token always fresh. */
async function fetchToken(name, room) {
  const res = await fetch("/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, room, peerId }),
  });
  if (!res.ok) throw new Error(`token request failed: HTTP ${res.status}`);
  return (await res.json()).token;
}

/** A tile for one remote peer: the name from its token's peerMetadata, and its media. */
function addTile(remote) {
  const tile = tileTemplate.content.firstElementChild.cloneNode(true);
  tile.dataset.peerId = remote.id;
  tile.querySelector("figcaption").textContent = remote.metadata?.name ?? "Guest";
  const video = tile.querySelector("video");
  const audio = tile.querySelector("audio");
  remote.on("stream-added", ({ stream }) => {
    video.srcObject = stream;
    audio.srcObject = stream;
  });
  remote.on("stream-removed", ({ stream }) => {
    if (video.srcObject !== stream) return;
    video.srcObject = null;
    audio.srcObject = null;
  });
  remotes.append(tile);
}

function removeTile(remote) {
  for (const tile of remotes.children) if (tile.dataset.peerId === remote.id) tile.remove();
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = form.elements.name.value.trim();
  const room = form.elements.room.value;
  joinButton.disabled = true;
  errorBox.hidden = true;
  try {
    const { switchboardUrl } = await (await fetch("/config.json")).json();
    camera = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    localVideo.srcObject = camera;
    peer = new Peer({
      url: switchboardUrl,
      tokenProvider: () => fetchToken(name, room),
      ...(relayOnly && {
        rtcPeerConnectionFactory: (config) =>
          new RTCPeerConnection({ ...config, iceTransportPolicy: "relay" }),
      }),
    });
    globalThis.peer = peer; // for the browser console (the example's tests read getStats through it)
    peer.on("state-change", ({ to }) => {
      banner.hidden = to !== "reconnecting";
    });
    peer.on("peer-joined", ({ peer: remote }) => addTile(remote));
    peer.on("peer-left", ({ peer: remote }) => removeTile(remote));
    peer.on("error", ({ error }) => showError(error));
    // Before join: every remote gets the stream, and its metadata before the media.
    peer.addStream(camera, { name });
    // The channel backend.js grants for this room.
    await peer.join(`video-call/${room}`);
    form.hidden = true;
    callSection.hidden = false;
  } catch (err) {
    showError(err);
    await hangUp();
  } finally {
    joinButton.disabled = false;
  }
});

muteButton.addEventListener("click", () => {
  const muted = !pressed(muteButton);
  for (const track of camera.getAudioTracks()) track.enabled = !muted;
  setPressed(muteButton, muted);
});

cameraButton.addEventListener("click", () => {
  const on = !pressed(cameraButton);
  // A disabled track keeps its sender and sends black frames: turning it back on needs no signalling.
  cameraTrack().enabled = on;
  setPressed(cameraButton, on);
});

async function startSharing() {
  const screen = await navigator.mediaDevices.getDisplayMedia({ video: true });
  const [track] = screen.getVideoTracks();
  // Same sender, new source: no renegotiation, the remotes' video simply changes.
  await peer.replaceTrack(cameraTrack(), track);
  screenTrack = track;
  // The browser's own "Stop sharing" ends the track.
  track.addEventListener("ended", () => stopSharing().catch(showError));
  localVideo.srcObject = screen;
  setPressed(shareButton, true);
}

async function stopSharing() {
  const track = screenTrack;
  if (track === undefined) return;
  screenTrack = undefined;
  setPressed(shareButton, false);
  localVideo.srcObject = camera;
  await peer?.replaceTrack(track, cameraTrack());
  track.stop();
}

shareButton.addEventListener("click", () => (screenTrack ? stopSharing() : startSharing()).catch(showError));

/** Leaves the call: closes the Peer (all its connections) and stops the camera and screen. */
async function hangUp() {
  const current = peer;
  peer = undefined;
  await current?.close();
  screenTrack?.stop();
  screenTrack = undefined;
  for (const track of camera?.getTracks() ?? []) track.stop();
  camera = undefined;
  remotes.replaceChildren();
  banner.hidden = true;
  callSection.hidden = true;
  form.hidden = false;
  setPressed(muteButton, false);
  setPressed(cameraButton, true);
  setPressed(shareButton, false);
}

$("leave").addEventListener("click", () => hangUp().catch(showError));
