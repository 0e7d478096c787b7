/**
 * The Redis {@link Broker}: Redis Pub/Sub, two connections per node, binary envelopes.
 *
 * - **One publish connection** (`…:pub`): one `PUBLISH` per `publish`, one per target node for
 *   `sendTo`. It has no offline queue: while Redis is away a publish fails at once and is counted
 *   (`onError(…, "publish")`) instead of piling up in memory, which is the at-most-once contract.
 * - **One subscriber connection** (`…:sub`): SUBSCRIBE / UNSUBSCRIBE per (app, channel) of
 *   interest, one PSUBSCRIBE per app wanted whole, plus this node's inbox and the cluster-wide
 *   channel (names: redis-channels.ts). It keeps an offline queue and retries forever, so interest
 *   changed during an outage is applied when Redis returns, and ioredis' `autoResubscribe`
 *   re-establishes the whole interest on every reconnect.
 *
 * Messages are read with `messageBuffer` / `pmessageBuffer`, so frames stay bytes end to end
 * (envelope-codec.ts). A node with both a channel and an app-wide subscription gets one publish
 * twice from Redis; sequence-filter.ts drops the second copy.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { Redis, type RedisOptions } from "ioredis";
import type { Broker, BrokerErrorHandler, BrokerFailure, EnvelopeHandler } from "./broker.js";
import { decodeEnvelope, encodeEnvelope } from "./envelope-codec.js";
import { createInterestSet, type InterestChange } from "./interest-set.js";
import { DEFAULT_REDIS_PREFIX, redisChannels } from "./redis-channels.js";
import { createSequenceFilter } from "./sequence-filter.js";
import type { Envelope } from "./types.js";

/** Options of {@link createRedisBroker}. */
export interface RedisBrokerOptions {
  /** Default `redis://127.0.0.1:6379`. */
  url?: string;
  /** Default: a random UUID. Must be unique in the cluster. */
  nodeId?: string;
  /** Prefix of every channel name (redis-channels.ts). Default {@link DEFAULT_REDIS_PREFIX}. */
  prefix?: string;
  /** Told about every swallowed failure (see {@link BrokerErrorHandler}). Default: ignore. */
  onError?: BrokerErrorHandler;
  /** Extra ioredis options for both connections (the broker's own settings win). */
  redis?: RedisOptions;
}

const CLOSE_TIMEOUT_MS = 1_000;

/** Ends `connection`: a polite QUIT when connected (flushing what is queued), else at once. */
async function end(connection: Redis): Promise<void> {
  if (connection.status !== "ready") {
    connection.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
  });
  await Promise.race([
    connection.quit().then(
      () => undefined,
      () => undefined,
    ),
    timeout,
  ]);
  clearTimeout(timer);
  connection.disconnect();
}

/** A broker on the Redis at `options.url`; nothing connects before `start`. */
export function createRedisBroker(options: RedisBrokerOptions = {}): Broker {
  const nodeId = options.nodeId ?? randomUUID();
  const names = redisChannels(options.prefix ?? DEFAULT_REDIS_PREFIX);
  const onError = options.onError ?? (() => {});
  const url = options.url ?? "redis://127.0.0.1:6379";
  // CLIENT SETNAME takes no spaces; the name lets an operator (and the tests) find the connections.
  const clientName = `${options.prefix ?? DEFAULT_REDIS_PREFIX}${nodeId}`.replace(/[^\w:.-]/g, "_");
  const pub = new Redis(url, {
    ...options.redis,
    lazyConnect: true,
    connectionName: `${clientName}:pub`,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
  });
  const sub = new Redis(url, {
    ...options.redis,
    lazyConnect: true,
    connectionName: `${clientName}:sub`,
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    autoResubscribe: true,
  });
  const interest = createInterestSet();
  const seen = createSequenceFilter();
  const epoch = randomBytes(4).readUInt32BE(0);
  let seq = 0;
  let handler: EnvelopeHandler | undefined;
  let state: "new" | "started" | "closed" = "new";
  let markStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });

  const fail =
    (where: BrokerFailure) =>
    (error: unknown): void => {
      onError(error instanceof Error ? error : new Error(String(error)), where);
    };
  for (const connection of [pub, sub]) connection.on("error", fail("connection"));

  const receive = (bytes: Buffer): void => {
    if (handler === undefined) return;
    let decoded: ReturnType<typeof decodeEnvelope>;
    try {
      decoded = decodeEnvelope(bytes);
    } catch (error) {
      fail("decode")(error);
      return;
    }
    const { envelope, from } = decoded;
    if (from === nodeId || !seen.accept(decoded)) return;
    // Interest turned off is off at once, even before Redis has processed the UNSUBSCRIBE.
    if (
      (envelope.kind === "message" || envelope.kind === "presence") &&
      !interest.wants(envelope.appId, envelope.channel)
    )
      return;
    handler(envelope, from);
  };
  sub.on("messageBuffer", (_channel: Buffer, message: Buffer) => receive(message));
  sub.on("pmessageBuffer", (_pattern: string, _channel: Buffer, message: Buffer) => receive(message));

  const apply = (change: InterestChange): Promise<void> => {
    const done = (): void => {};
    if (change.scope === "app") {
      const pattern = names.appPattern(change.appId);
      return (change.on ? sub.psubscribe(pattern) : sub.punsubscribe(pattern)).then(done, fail("interest"));
    }
    const channel = names.channel(change.appId, change.channel);
    return (change.on ? sub.subscribe(channel) : sub.unsubscribe(channel)).then(done, fail("interest"));
  };

  const send = (channel: string, bytes: Buffer): void => {
    pub.publish(channel, bytes).catch(fail("publish"));
  };
  const encode = (envelope: Envelope): Buffer | undefined => {
    try {
      seq += 1;
      return encodeEnvelope(envelope, { from: nodeId, epoch, seq });
    } catch (error) {
      fail("publish")(error);
      return undefined;
    }
  };

  return {
    nodeId,
    async start(onEnvelope) {
      if (state !== "new") throw new Error("redis broker: start called twice or after close");
      state = "started";
      handler = onEnvelope;
      // Connect first: a command on a lazy client that has not started connecting would start it.
      const connected = Promise.all([pub.connect(), sub.connect()]);
      // Queued on the subscriber until it is ready, then sent in this order.
      const subscriptions = [
        sub.subscribe(names.node(nodeId), names.all).then(() => undefined, fail("interest")),
        ...interest.subscriptions().map(apply),
      ];
      try {
        await connected;
        await Promise.all(subscriptions);
      } finally {
        markStarted();
      }
    },
    publish(envelope) {
      if (state !== "started") return;
      const bytes = encode(envelope);
      if (bytes === undefined) return;
      switch (envelope.kind) {
        case "message":
        case "presence":
          send(names.channel(envelope.appId, envelope.channel), bytes);
          return;
        default:
          send(names.all, bytes);
      }
    },
    sendTo(nodes, envelope) {
      if (state !== "started") return;
      const targets = new Set(nodes);
      targets.delete(nodeId);
      if (targets.size === 0) return;
      const bytes = encode(envelope);
      if (bytes === undefined) return;
      for (const target of targets) send(names.node(target), bytes);
    },
    async setInterest(appId, key, on) {
      if (state === "closed") return;
      const change = interest.set(appId, key, on);
      if (change === undefined) return;
      // Before start the change is only recorded: start subscribes the whole interest at once.
      if (state === "new") return started;
      return apply(change);
    },
    async close() {
      if (state === "closed") return;
      state = "closed";
      handler = undefined;
      markStarted();
      await Promise.all([end(pub), end(sub)]);
    },
  } satisfies Broker;
}
