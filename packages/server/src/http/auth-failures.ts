import type { FastifyRequest } from "fastify";
import { limitKeyOf } from "./client-address.js";
import type { RouteContext } from "./context.js";
import { createRestRateLimiter, type RestRateLimiter } from "./rest-rate.js";

const limiters = new WeakMap<RouteContext, RestRateLimiter>();

/**
 * The per-IP limiter of failed authentication attempts of one server (protocol.md §11, §13): a
 * wrong secret key and a wrong admin token are charged to the same bucket, and an address whose
 * bucket is empty gets `429` on both APIs before its credentials are looked at, so guessing one
 * kind of credential cannot be sped up by alternating with the other. `config.restRatePerSec`
 * failures per second, burst twice that. Made on first use, one per {@link RouteContext}.
 */
export function authFailuresOf(context: RouteContext): RestRateLimiter {
  let limiter = limiters.get(context);
  if (!limiter) {
    limiter = createRestRateLimiter(context.config.restRatePerSec);
    limiters.set(context, limiter);
  }
  return limiter;
}

/** The name a request's failures are charged to: its client address (IPv6 per /64). */
export function failureKeyOf(context: RouteContext, request: FastifyRequest): string {
  return limitKeyOf(context.clientAddress(request.raw));
}
