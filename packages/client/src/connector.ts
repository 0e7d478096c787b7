/**
 * Connection attempts of one client: fetch a token (or use the key), open the socket and, when the
 * attempt ends, either schedule the next one by the reconnect policy or give up. The client keeps
 * the state machine and reads the frames; the connector tells it about each step through callbacks.
 */

import { classifyClose } from "@switchboard/protocol";
import { describeCloseCode } from "./codes.js";
import { SignallingConnectError, type SignallingConnectErrorCode, TokenProviderError } from "./errors.js";
import { MAX_TIMER_MS } from "./liveness.js";
import { keyHint } from "./logger.js";
import type { ResolvedOptions } from "./options.js";
import { type CloseClass, reconnectDelay } from "./reconnect.js";
import type { DisconnectedEvent, TokenProviderErrorEvent, WebSocketLike } from "./types.js";

type Timer = ReturnType<typeof setTimeout>;

/** One socket and what we learnt on it. */
export interface Session {
  readonly socket: WebSocketLike;
  welcomed: boolean;
  /** From a `going_away` frame, used when the 1001 close follows. */
  retryAfterMs: number | undefined;
}

/**
 * How one attempt ended: its socket closed or went quiet, it could not be created, or the token could
 * not be fetched. Together with the attempts before it, this decides whether another one follows.
 */
export interface AttemptEnd {
  /** Only a welcomed socket was announced as `connected`, so only its end is owed a `disconnected`. */
  readonly welcomed: boolean;
  /** `null` when no socket was involved (the token could not be fetched); reported as 1006 then. */
  readonly code: number | null;
  /** Close reason (untrusted when it came from the server), or a short text of ours. */
  readonly reason: string;
  readonly closeClass: CloseClass;
  /** The `going_away` frame's delay, when one announced this close. */
  readonly retryAfterMs?: number | undefined;
  /** Short text for the state change and the log. */
  readonly why: string;
  /** Becomes the `SignallingConnectError`'s cause when the client gives up on this end. */
  readonly cause?: Error | undefined;
}

/**
 * What the connector needs from its client. Each callback runs synchronously, and any of them may
 * let application listeners run, which may call `close()` and thereby `Connector.stop()`.
 */
export interface ConnectorCallbacks {
  /**
   * A socket was created for the current attempt: from now on the client reads frames from it and
   * sends on it. Its `onclose` belongs to the connector.
   */
  onSocket(session: Session): void;
  /**
   * `session`'s socket closed. Returns false when it is no longer the client's socket (the close is
   * stale and ignored); otherwise the client lets go of it and returns true.
   */
  releaseSocket(session: Session): boolean;
  /** Every attempt end, first, even after `stop()`: requests sent on it will never be answered. */
  onAttemptEnded(): void;
  /** `tokenProvider` failed, timed out or returned no token; the attempt ends right after. */
  onTokenProviderError(event: TokenProviderErrorEvent): void;
  /**
   * Another attempt is due after a delay: the client moves to `reconnecting` and, when `disconnect`
   * is given, reports the drop. Returns false when a listener closed the client meanwhile, so that
   * nothing is scheduled.
   */
  onRetry(why: string, disconnect: DisconnectedEvent | null): boolean;
  /** No further attempt: the client moves to `closed`, reporting `disconnect` (if any) and `error`. */
  onGiveUp(why: string, disconnect: DisconnectedEvent | null, error: SignallingConnectError): void;
}

/**
 * Runs connection attempts until `stop()`: `start()` begins one, and each end (reported by the
 * socket's close, by the client through `ended()`, or found here) leads to the next attempt or to
 * `onGiveUp`. After `stop()` no callback but `onAttemptEnded` is called again.
 */
export class Connector {
  /** Connection attempts started since the last `welcome` (or `connect()`); 1-based in events. */
  #attempt = 0;
  /** Reconnect attempts scheduled since the last `welcome` (or `connect()`): the policy's input. */
  #retry = 0;
  /** How the previous attempt since the last `welcome` ended (to spot repeated 4002s). */
  #lastCloseClass: CloseClass | null = null;
  /** Bumped whenever the current attempt is abandoned, so late provider results are ignored. */
  #generation = 0;
  #retryTimer: Timer | undefined;
  #providerTimer: Timer | undefined;
  #stopped = false;

  /**
   * @param opts the client's resolved options (auth, origin, timeouts, reconnect policy, logger).
   * @param callbacks how the client hears about sockets, retries and giving up.
   */
  constructor(
    private readonly opts: ResolvedOptions,
    private readonly callbacks: ConnectorCallbacks,
  ) {}

  /** Starts an attempt now: with a key the socket opens at once, with a provider after the token. */
  start(): void {
    this.#attempt += 1;
    const attempt = this.#attempt;
    this.#generation += 1;
    const generation = this.#generation;
    const { auth, origin } = this.opts;
    if (auth.kind === "key") {
      this.#openSocket(`${origin}/v1?key=${encodeURIComponent(auth.apiKey)}`, attempt, {
        auth: "key",
        key: keyHint(auth.apiKey),
      });
      return;
    }
    this.#fetchToken(auth.tokenProvider, attempt, generation);
  }

  /** A `welcome` arrived: the next drop starts a fresh series of attempts and backoff. */
  connected(): void {
    this.#attempt = 0;
    this.#retry = 0;
    this.#lastCloseClass = null;
  }

  /**
   * The current attempt ended (for ends the connector cannot see itself, like the inactivity
   * watchdog). Schedules the next attempt, or gives up on a terminal close, with `reconnect: false`
   * or when the policy says so.
   */
  ended(end: AttemptEnd): void {
    this.callbacks.onAttemptEnded();
    if (this.#stopped) return;
    const { closeClass, reason, why } = end;
    let delay: number | null = null;
    let giveUp: SignallingConnectErrorCode | null = null;
    // 4002 twice in a row means the provider hands out expired tokens: back off instead of looping.
    const effectiveClass =
      closeClass === "fresh-token" && this.#lastCloseClass === "fresh-token" ? "backoff" : closeClass;
    this.#lastCloseClass = closeClass;
    if (closeClass === "terminal") giveUp = "terminal_close";
    else if (this.opts.reconnect === false) giveUp = "reconnect_disabled";
    else {
      this.#retry += 1;
      delay = reconnectDelay(this.#retry, effectiveClass, this.opts.reconnect, end.retryAfterMs);
      if (delay === null) giveUp = "attempts_exhausted";
    }
    const closeCode = end.code ?? 1006;
    if (giveUp !== null || delay === null) {
      this.callbacks.onGiveUp(
        giveUp === "attempts_exhausted" ? "reconnect attempts exhausted" : why,
        end.welcomed ? { code: closeCode, reason, willReconnect: false } : null,
        new SignallingConnectError(
          giveUp ?? "attempts_exhausted",
          end.code,
          reason,
          end.cause && { cause: end.cause },
        ),
      );
      return;
    }
    const disconnect = end.welcomed ? { code: closeCode, reason, willReconnect: true } : null;
    if (!this.callbacks.onRetry(why, disconnect)) return;
    this.opts.logger.info("reconnect scheduled", {
      delayMs: delay,
      retry: this.#retry,
      closeClass: effectiveClass,
    });
    this.#retryTimer = setTimeout(
      () => {
        this.#retryTimer = undefined;
        this.start();
      },
      Math.min(delay, MAX_TIMER_MS),
    );
  }

  /** Abandons the current attempt and any scheduled one, for good: late token results are dropped. */
  stop(): void {
    this.#stopped = true;
    this.#generation += 1;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#providerTimer);
    this.#retryTimer = undefined;
    this.#providerTimer = undefined;
  }

  #fetchToken(provider: () => Promise<string>, attempt: number, generation: number): void {
    let settled = false;
    // True exactly once, for the first outcome, and only while this attempt is still current.
    const settle = (): boolean => {
      if (settled || generation !== this.#generation) return false;
      settled = true;
      clearTimeout(this.#providerTimer);
      this.#providerTimer = undefined;
      return true;
    };
    this.#providerTimer = setTimeout(() => {
      if (settle()) this.#providerFailed(new TokenProviderError("token_provider_timeout"), attempt);
    }, this.opts.tokenProviderTimeoutMs);
    let result: Promise<unknown>;
    try {
      result = Promise.resolve(provider());
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      (token) => {
        if (!settle()) return;
        if (typeof token !== "string" || token === "") {
          this.#providerFailed(new TokenProviderError("token_provider_invalid"), attempt);
          return;
        }
        // The token goes into the URL only; it is never logged.
        this.#openSocket(`${this.opts.origin}/v1?token=${encodeURIComponent(token)}`, attempt, {
          auth: "token",
        });
      },
      (cause: unknown) => {
        if (settle())
          this.#providerFailed(new TokenProviderError("token_provider_failed", { cause }), attempt);
      },
    );
  }

  #providerFailed(error: TokenProviderError, attempt: number): void {
    this.opts.logger.warn("tokenProvider failed", { code: error.code, attempt });
    this.callbacks.onTokenProviderError({ error, attempt });
    if (this.#stopped) return; // a listener called close()
    this.ended({
      welcomed: false,
      code: null,
      reason: "",
      closeClass: "backoff",
      why: "tokenProvider failed",
      cause: error,
    });
  }

  #openSocket(url: string, attempt: number, logContext: Record<string, unknown>): void {
    let socket: WebSocketLike;
    try {
      socket = this.opts.webSocketFactory(url);
    } catch (error) {
      // Only the error's name: browsers put the whole URL, token included, in the message.
      this.opts.logger.warn("webSocketFactory threw", { error: errorName(error) });
      this.ended({
        welcomed: false,
        code: 1006,
        reason: "",
        closeClass: "backoff",
        why: "socket could not be created",
      });
      return;
    }
    const session: Session = { socket, welcomed: false, retryAfterMs: undefined };
    this.callbacks.onSocket(session);
    socket.onclose = (ev) => this.#onClose(session, ev);
    this.opts.logger.info("connecting", { url: `${this.opts.origin}/v1`, attempt, ...logContext });
  }

  #onClose(session: Session, ev: { code: number; reason: string } | undefined): void {
    const code = typeof ev?.code === "number" ? ev.code : 1006;
    const reason = typeof ev?.reason === "string" ? ev.reason : "";
    if (!this.callbacks.releaseSocket(session)) return;
    this.opts.logger.info("socket closed", {
      code,
      reason: reason.slice(0, 123),
      welcomed: session.welcomed,
    });
    this.ended({
      welcomed: session.welcomed,
      code,
      reason,
      closeClass: classifyClose(code),
      retryAfterMs: session.retryAfterMs,
      why: `closed ${describeCloseCode(code)}`,
    });
  }
}

/**
 * The part of a thrown value that is safe to log. Socket errors may carry the URL, and with it the
 * token, in their message.
 */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
