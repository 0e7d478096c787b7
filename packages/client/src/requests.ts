/**
 * Pending requests: `requestId` correlation, the queue of requests waiting for a connection, and
 * ack timeouts. Owns no socket: the client decides when a request is sent.
 */

import { encodeFrame, utf8Length } from "@switchboard/protocol";
import { AckTimeoutError, OversizedError, SendError, ServerRequestError } from "./errors.js";

/** A client frame this table can carry (a `requestId` is added). */
export type RequestFrame =
  | { type: "subscribe"; channel: string; includeSenderMetadata?: boolean }
  | { type: "unsubscribe"; channel: string }
  | { type: "publish"; channel: string; data: unknown }
  | { type: "send"; to: string; data: unknown };

/** What happens when a request settles. Exactly one of the two is called, once. */
export interface RequestHandlers {
  ack(): void;
  reject(error: Error): void;
}

/** One request, queued (`sent: false`) or in flight. */
export interface PendingRequest {
  readonly id: string;
  readonly frame: RequestFrame;
  /** The encoded frame, `requestId` included: exactly what goes on the wire. */
  readonly text: string;
  /** UTF-8 bytes of `text`. */
  readonly size: number;
  sent: boolean;
  readonly handlers: RequestHandlers;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** The table of pending requests of one client. */
export class RequestTable {
  /** Insertion order is call order, which is also the order queued requests are flushed in. */
  readonly #pending = new Map<string, PendingRequest>();
  readonly #ackTimeoutMs: number;
  #nextId = 0;

  constructor(ackTimeoutMs: number) {
    this.#ackTimeoutMs = ackTimeoutMs;
  }

  /**
   * Encodes `frame` with a fresh `requestId`, checks it against `cap` (UTF-8 bytes) and registers
   * it, starting its ack timer. Throws `SendError('invalid_args')` when `data` is not JSON
   * (a cycle, a `bigint`) and `OversizedError` when the frame is too big; nothing is registered then.
   */
  add(frame: RequestFrame, cap: number, handlers: RequestHandlers): PendingRequest {
    this.#nextId += 1;
    const id = `r${this.#nextId}`;
    let text: string;
    try {
      text = encodeFrame({ ...frame, requestId: id } as Parameters<typeof encodeFrame>[0]);
    } catch (cause) {
      throw new SendError("invalid_args", "data is not serialisable as JSON", { cause });
    }
    const size = utf8Length(text);
    if (size > cap) throw new OversizedError(size, cap);
    const timer = setTimeout(() => {
      if (this.#pending.delete(id)) handlers.reject(new AckTimeoutError(id, this.#ackTimeoutMs));
    }, this.#ackTimeoutMs);
    const request: PendingRequest = { id, frame, text, size, sent: false, handlers, timer };
    this.#pending.set(id, request);
    return request;
  }

  /** Requests not sent yet, in call order. */
  queued(): PendingRequest[] {
    return [...this.#pending.values()].filter((r) => !r.sent);
  }

  /** Settles the request with this id as acknowledged. Returns false when no such request is pending. */
  ack(id: string): boolean {
    const request = this.#take(id);
    if (request === undefined) return false;
    request.handlers.ack();
    return true;
  }

  /** Settles the request with this id with a `ServerRequestError`. Returns false when not pending. */
  fail(id: string, code: string, serverMessage: string): boolean {
    const request = this.#take(id);
    if (request === undefined) return false;
    request.handlers.reject(new ServerRequestError(code, id, serverMessage));
    return true;
  }

  /** Rejects one request (e.g. found oversized at flush time). */
  reject(id: string, error: Error): void {
    this.#take(id)?.handlers.reject(error);
  }

  /** Rejects every request already sent (the socket they went out on is gone). */
  rejectSent(makeError: (id: string) => Error): void {
    for (const request of [...this.#pending.values()]) {
      if (request.sent) this.#take(request.id)?.handlers.reject(makeError(request.id));
    }
  }

  /** Rejects every request, queued or sent. */
  rejectAll(makeError: (id: string) => Error): void {
    for (const request of [...this.#pending.values()]) {
      this.#take(request.id)?.handlers.reject(makeError(request.id));
    }
  }

  /** Number of pending requests (queued and in flight). */
  get size(): number {
    return this.#pending.size;
  }

  #take(id: string): PendingRequest | undefined {
    const request = this.#pending.get(id);
    if (request === undefined) return undefined;
    this.#pending.delete(id);
    clearTimeout(request.timer);
    return request;
  }
}
