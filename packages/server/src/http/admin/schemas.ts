import { ACTIONS } from "@switchboard/protocol";
import { Type } from "typebox";
import {
  MAX_APP_NAME_CHARS,
  MAX_ORIGINS_PER_KEY,
  MAX_PATTERNS_PER_KEY,
  MAX_PLAN_NAME_CHARS,
} from "../../store/validate.js";
import { ErrorBody } from "../rest/schemas.js";

/**
 * Request and response schemas of the admin API. Requests are validated strictly (no coercion,
 * unknown properties refused: a mistyped plan field must not be silently ignored); the store then
 * applies the checks JSON Schema cannot express (trimming, control characters, origin shape) and
 * answers 400 with a message naming the field. Responses are serialized through these schemas, so a
 * field not listed here (such as a secret) can never leak into a list or get.
 */

/** OpenAPI security requirement of every admin route (scheme defined in openapi.ts). */
export const ADMIN_SECURITY = [{ adminToken: [] }];

/** Errors every admin route can answer besides its own. */
export const ADMIN_ERRORS = {
  400: ErrorBody,
  401: ErrorBody,
  404: ErrorBody,
  413: ErrorBody,
  503: ErrorBody,
} as const;

const Limit = (description: string) =>
  Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: `${description}; null: unlimited` });
const UnixSec = (description: string) => Type.Integer({ description: `${description}, unix seconds` });

export const Plan = Type.Object({
  name: Type.String({ description: 'label of the plan (default "default"), reported by GET /v1/usage' }),
  maxConcurrentConnections: Limit("concurrent connections across the app; over it a connect is closed 4010"),
  maxMessagesPerPeriod: Limit("accepted publish/send frames and REST publishes per period"),
  periodSec: Type.Integer({ description: "length of a usage period in seconds (default 2592000 = 30 days)" }),
});

export const PlanPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_PLAN_NAME_CHARS })),
    maxConcurrentConnections: Type.Optional(Limit("concurrent connections across the app")),
    maxMessagesPerPeriod: Type.Optional(Limit("messages per period")),
    periodSec: Type.Optional(Type.Integer({ minimum: 1, description: "a change starts a new period" })),
  },
  { additionalProperties: false },
);

export const Usage = Type.Object({
  periodStartUnix: UnixSec("start of the current usage period"),
  periodEndUnix: UnixSec("end of the current usage period (exclusive)"),
  concurrentNow: Type.Integer({ description: "connections open on this node now" }),
  peakConcurrent: Type.Integer({ description: "most concurrent connections seen in the period" }),
  messagesUsed: Type.Integer({ description: "messages counted against the plan this period" }),
});

export const App = Type.Object({
  id: Type.String(),
  name: Type.String(),
  suspended: Type.Boolean({ description: "a suspended app's connections are closed with 4012 and refused" }),
  plan: Plan,
  createdAt: UnixSec("creation time"),
});

export const AppWithUsage = Type.Object({ ...App.properties, usage: Usage });

const AppName = Type.String({ minLength: 1, maxLength: MAX_APP_NAME_CHARS });
export const CreateAppBody = Type.Object(
  { name: AppName, plan: Type.Optional(PlanPatch) },
  { additionalProperties: false },
);
export const UpdateAppBody = Type.Object(
  { name: Type.Optional(AppName), plan: Type.Optional(PlanPatch) },
  { additionalProperties: false },
);

export const AppParams = Type.Object({ appId: Type.String({ minLength: 1, maxLength: 64 }) });
export const KeyParams = Type.Object({ keyId: Type.String({ minLength: 1, maxLength: 64 }) });

const ActionName = Type.Enum([...ACTIONS], { description: "subscribe, publish, presence or send" });
const KeyType = Type.Enum(["publishable", "secret"]);

export const Key = Type.Object({
  id: Type.String({ description: "pk_live_… or sk_id_…" }),
  type: KeyType,
  appId: Type.String(),
  channelPatterns: Type.Array(Type.String()),
  actions: Type.Array(ActionName),
  allowedOrigins: Type.Array(Type.String(), {
    description: "publishable keys only; empty allows any origin",
  }),
  autoInjectTurn: Type.Boolean(),
  revoked: Type.Boolean(),
  createdAt: UnixSec("creation time"),
  revokedAt: Type.Union([Type.Integer(), Type.Null()], { description: "unix seconds, null while live" }),
});

export const CreatedKey = Type.Object({
  ...Key.properties,
  secret: Type.Optional(
    Type.String({ description: "sk_secret_… of a secret key: returned by this response only, never again" }),
  ),
});

const KeyScope = {
  channelPatterns: Type.Optional(
    Type.Array(Type.String(), { minItems: 1, maxItems: MAX_PATTERNS_PER_KEY, description: 'default ["**"]' }),
  ),
  actions: Type.Optional(
    Type.Array(ActionName, {
      minItems: 1,
      maxItems: ACTIONS.length,
      description: "default subscribe+publish+presence (publishable), all four (secret)",
    }),
  ),
  allowedOrigins: Type.Optional(
    Type.Array(Type.String(), { maxItems: MAX_ORIGINS_PER_KEY, description: "exact origins; default any" }),
  ),
  autoInjectTurn: Type.Optional(
    Type.Boolean({ description: "TURN credentials in welcome; default false (publishable), true (secret)" }),
  ),
};

export const CreateKeyBody = Type.Object({ type: KeyType, ...KeyScope }, { additionalProperties: false });
export const UpdateKeyBody = Type.Object(KeyScope, { additionalProperties: false });

export const Deleted = Type.Object({ id: Type.String(), deleted: Type.Literal(true) });
