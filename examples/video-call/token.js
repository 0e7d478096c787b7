// Signs Switchboard connect tokens the way any app backend does: an HS256 JWT keyed with the secret
// key's `sk_secret_…` string, with the key id (`sk_id_…`) as the header's `kid`. Any HS256 JWT
// library works; this uses `jose`.
import { SignJWT } from "jose";

/**
 * A token for one participant of one call room.
 *
 * @param {{ id: string, secret: string }} secretKey the app's secret key
 * @param {{ peerId: string, name: string, channel: string, ttlSec?: number }} who
 *   `peerId` becomes `sub` (the peer id others see), `name` travels as `peerMetadata` to everyone in
 *   the channel, and the token grants exactly that one channel.
 * @returns {Promise<string>} the compact JWT
 */
export function signCallToken(secretKey, { peerId, name, channel, ttlSec = 3600 }) {
  return new SignJWT({
    channels: [channel],
    // `send` carries the WebRTC offers, answers and ICE candidates between the peers.
    permissions: ["subscribe", "publish", "presence", "send"],
    peerMetadata: { name },
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: secretKey.id })
    .setSubject(peerId)
    .setIssuedAt()
    .setExpirationTime(`${ttlSec}s`)
    .sign(new TextEncoder().encode(secretKey.secret));
}
