import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { type AppRuntime, currentUsage } from "../../apps.js";
import { callerOf } from "../secret-key-auth.js";
import { COMMON_ERRORS, SECRET_KEY_SECURITY } from "./schemas.js";

const Limit = (description: string) =>
  Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description });

const UsageResponse = Type.Object(
  {
    appId: Type.String(),
    periodStartUnix: Type.Integer({ description: "start of the current usage period, unix seconds" }),
    periodEndUnix: Type.Integer({ description: "end of the current usage period (exclusive), unix seconds" }),
    concurrentNow: Type.Integer({ description: "connections open on this node now" }),
    peakConcurrent: Type.Integer({ description: "most concurrent connections seen in the period" }),
    messagesUsed: Type.Integer({
      description: "accepted publish/send frames and REST publishes this period",
    }),
    plan: Type.Object({
      name: Type.String(),
      maxConcurrentConnections: Limit("null: unlimited"),
      maxMessagesPerPeriod: Limit("null: unlimited"),
    }),
  },
  { description: "usage of the key's app in the current period" },
);

/**
 * The report of `GET /v1/usage`: the counters of the period containing now (apps.ts
 * `currentUsage`: a period that rolled over with no traffic since reads as fresh) and the plan.
 */
export function usageReport(app: AppRuntime, nowSec = Date.now() / 1000) {
  const { plan } = app.record;
  const { periodStartUnix, periodEndUnix, concurrentNow, peakConcurrent, messagesUsed } = currentUsage(
    app,
    nowSec,
  );
  return {
    appId: app.id,
    periodStartUnix,
    periodEndUnix,
    concurrentNow,
    peakConcurrent,
    messagesUsed,
    plan: {
      name: plan.name,
      maxConcurrentConnections: plan.maxConcurrentConnections,
      maxMessagesPerPeriod: plan.maxMessagesPerPeriod,
    },
  };
}

/** `GET /v1/usage`: the calling key's app's usage in the current period and its plan limits. */
export function registerUsageRoute(app: FastifyInstance): void {
  app.get(
    "/v1/usage",
    {
      schema: {
        summary: "Usage and plan limits of the key's app",
        tags: ["usage"],
        security: SECRET_KEY_SECURITY,
        response: { 200: UsageResponse, ...COMMON_ERRORS },
      },
    },
    async (request) => usageReport(callerOf(request).app),
  );
}
