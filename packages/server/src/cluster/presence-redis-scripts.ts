/**
 * The Lua scripts of presence-redis.ts. Each runs atomically in Redis, which is what makes `first`
 * / `last`, `sweep` and `resync` race-free across nodes. Every script shares one calling convention:
 *
 * `ARGV[1]` key base (prefix), `ARGV[2]` now in ms (`""`: Redis' own clock, `TIME`), `ARGV[3]` the
 * calling node, `ARGV[4]` its ttl in ms, then the script's own arguments.
 *
 * Keys (every part percent-escaped for `:` and `%`, so no two tuples share a key; see
 * {@link presenceKeys}, which must build the same names):
 *
 * | key                         | type | holds                                                     |
 * | --------------------------- | ---- | --------------------------------------------------------- |
 * | `nodes`                     | zset | node → ms at which it expires (heartbeat); sweep reads it |
 * | `ch:<app>:<channel>`        | hash | peerId → metadata JSON of its first socket (`""`: none)   |
 * | `cs:<app>:<channel>:<peer>` | set  | `<node>:<socket>` of every socket of the peer in channel  |
 * | `pn:<app>:<peer>`           | hash | node → open sockets of the peer there (`nodesOf`)         |
 * | `ni:<node>`                 | set  | socket ids the node has state for (sweep / resync walk it) |
 * | `so:<node>:<socket>`        | hash | `app`, `peer`, `open` (`"1"` once opened)                 |
 * | `sk:<node>:<socket>`        | set  | channels the socket joined (`close` walks it)             |
 *
 * Keys are computed inside the scripts, so this targets a single Redis (or a primary with
 * replicas / Sentinel), not Redis Cluster.
 */

const PRELUDE = `
local P, NODE = ARGV[1], ARGV[3]
local NODES = P .. 'nodes'
local ESC = { ['%'] = '%25', [':'] = '%3A' }
local function esc(s) return (string.gsub(s, '[%%:]', ESC)) end
local function chKey(app, ch) return P .. 'ch:' .. esc(app) .. ':' .. esc(ch) end
local function csKey(app, ch, peer) return P .. 'cs:' .. esc(app) .. ':' .. esc(ch) .. ':' .. esc(peer) end
local function pnKey(app, peer) return P .. 'pn:' .. esc(app) .. ':' .. esc(peer) end
local function niKey(node) return P .. 'ni:' .. esc(node) end
local function soKey(node, id) return P .. 'so:' .. esc(node) .. ':' .. id end
local function skKey(node, id) return P .. 'sk:' .. esc(node) .. ':' .. id end
local function ref(node, id) return esc(node) .. ':' .. id end
local function now()
  if ARGV[2] ~= '' then return tonumber(ARGV[2]) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function alive() redis.call('ZADD', NODES, now() + tonumber(ARGV[4]), NODE) end

local function socketState(node, id, app, peer)
  local so = soKey(node, id)
  if redis.call('EXISTS', so) == 0 then
    redis.call('HSET', so, 'app', app, 'peer', peer, 'open', '0')
    redis.call('SADD', niKey(node), id)
  end
  return so
end
-- 1 when the socket made the peer present in the channel.
local function joinOne(node, id, app, ch, peer, meta)
  if redis.call('SADD', skKey(node, id), ch) == 0 then return 0 end
  redis.call('SADD', csKey(app, ch, peer), ref(node, id))
  return redis.call('HSETNX', chKey(app, ch), peer, meta)
end
-- 1 when the socket was the peer's last one in the channel.
local function leaveOne(node, id, app, ch, peer)
  if redis.call('SREM', skKey(node, id), ch) == 0 then return 0 end
  local cs = csKey(app, ch, peer)
  redis.call('SREM', cs, ref(node, id))
  if redis.call('SCARD', cs) > 0 then return 0 end
  redis.call('HDEL', chKey(app, ch), peer)
  return 1
end
local function openOne(node, id, app, peer)
  local so = socketState(node, id, app, peer)
  if redis.call('HGET', so, 'open') == '1' then return end
  redis.call('HSET', so, 'open', '1')
  redis.call('HINCRBY', pnKey(app, peer), node, 1)
end
-- Forgets the socket; appends app, channel, peer of every channel where it was the last socket.
local function closeOne(node, id, out)
  local so, sk = soKey(node, id), skKey(node, id)
  local s = redis.call('HMGET', so, 'app', 'peer', 'open')
  local app, peer = s[1], s[2]
  if not app then return end
  for _, ch in ipairs(redis.call('SMEMBERS', sk)) do
    if leaveOne(node, id, app, ch, peer) == 1 then
      out[#out + 1] = app; out[#out + 1] = ch; out[#out + 1] = peer
    end
  end
  if s[3] == '1' then
    local pn = pnKey(app, peer)
    if redis.call('HINCRBY', pn, node, -1) <= 0 then redis.call('HDEL', pn, node) end
  end
  redis.call('DEL', so, sk)
  redis.call('SREM', niKey(node), id)
end
local function removeNode(node, out)
  for _, id in ipairs(redis.call('SMEMBERS', niKey(node))) do closeOne(node, id, out) end
  redis.call('DEL', niKey(node))
  redis.call('ZREM', NODES, node)
end
`;

/** Script name → Lua body (after the shared prelude). */
export const PRESENCE_SCRIPTS = {
  /** → 1 when the node was registered before (0: first heartbeat, swept, or data lost). */
  presenceHeartbeat: `
local existed = redis.call('ZSCORE', NODES, NODE)
alive()
if existed then return 1 end
return 0`,
  /** ARGV 5..7: app, peer, socket. */
  presenceOpen: `
openOne(NODE, ARGV[7], ARGV[5], ARGV[6])
return 0`,
  /** ARGV 5..7: app, peer, socket → flat (app, channel, peer) of the channels it was last in. */
  presenceClose: `
local out = {}
closeOne(NODE, ARGV[7], out)
return out`,
  /** ARGV 5..9: app, channel, peer, socket, metadata → 1 when first. */
  presenceJoin: `
socketState(NODE, ARGV[8], ARGV[5], ARGV[7])
return joinOne(NODE, ARGV[8], ARGV[5], ARGV[6], ARGV[7], ARGV[9])`,
  /** ARGV 5..8: app, channel, peer, socket → 1 when last. */
  presenceLeave: `
return leaveOne(NODE, ARGV[8], ARGV[5], ARGV[6], ARGV[7])`,
  /** → flat (app, channel, peer) of every peer that left with an expired node. */
  presenceSweep: `
local out = {}
for _, node in ipairs(redis.call('ZRANGEBYSCORE', NODES, '-inf', now())) do removeNode(node, out) end
return out`,
  /**
   * ARGV 5: JSON {c: [[app, peer, socket]…], j: [[app, channel, peer, socket, metadata]…]}
   * → { flat (app, channel, peer, metadata) joined, flat (app, channel, peer) left }.
   */
  presenceResync: `
local state = cjson.decode(ARGV[5])
local before, order = {}, {}
local function note(app, ch, peer)
  local k = app .. '\\0' .. ch .. '\\0' .. peer
  if before[k] == nil then
    before[k] = redis.call('HEXISTS', chKey(app, ch), peer)
    order[#order + 1] = { app, ch, peer, k }
  end
end
for _, id in ipairs(redis.call('SMEMBERS', niKey(NODE))) do
  local s = redis.call('HMGET', soKey(NODE, id), 'app', 'peer')
  if s[1] then
    for _, ch in ipairs(redis.call('SMEMBERS', skKey(NODE, id))) do note(s[1], ch, s[2]) end
  end
end
for _, j in ipairs(state.j) do note(j[1], j[2], j[3]) end
removeNode(NODE, {})
for _, c in ipairs(state.c) do openOne(NODE, c[3], c[1], c[2]) end
for _, j in ipairs(state.j) do
  socketState(NODE, j[4], j[1], j[3])
  joinOne(NODE, j[4], j[1], j[2], j[3], j[5])
end
alive()
local joined, left = {}, {}
for _, o in ipairs(order) do
  local meta = redis.call('HGET', chKey(o[1], o[2]), o[3])
  if before[o[4]] == 1 and not meta then
    left[#left + 1] = o[1]; left[#left + 1] = o[2]; left[#left + 1] = o[3]
  elseif before[o[4]] == 0 and meta then
    joined[#joined + 1] = o[1]; joined[#joined + 1] = o[2]; joined[#joined + 1] = o[3]
    joined[#joined + 1] = meta
  end
end
return { joined, left }`,
} as const;

/** The name of one script (also its ioredis command name). */
export type PresenceScript = keyof typeof PRESENCE_SCRIPTS;

/** The full Lua source of `script`. */
export function presenceLua(script: PresenceScript): string {
  return `${PRELUDE}\n${PRESENCE_SCRIPTS[script]}`;
}

const escapePart = (part: string): string => part.replace(/[%:]/g, (c) => (c === ":" ? "%3A" : "%25"));

/** The key names the TypeScript side reads directly (must match the prelude's). */
export function presenceKeys(base: string) {
  return {
    channel: (appId: string, channel: string) => `${base}ch:${escapePart(appId)}:${escapePart(channel)}`,
    peerNodes: (appId: string, peerId: string) => `${base}pn:${escapePart(appId)}:${escapePart(peerId)}`,
  };
}
