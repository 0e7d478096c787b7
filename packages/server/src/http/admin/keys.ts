import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import type { KeyPatch } from "../../store/types.js";
import type { RouteContext } from "../context.js";
import { HttpError } from "../errors.js";
import {
  mintToken,
  type TokenRequest,
  TokenRequest as TokenRequestSchema,
  TokenResponse,
} from "../rest/tokens.js";
import {
  ADMIN_ERRORS,
  ADMIN_SECURITY,
  AppParams,
  CreatedKey,
  CreateKeyBody,
  Deleted,
  Key,
  KeyParams,
  UpdateKeyBody,
} from "./schemas.js";

type AppIdParams = Static<typeof AppParams>;
type KeyIdParams = Static<typeof KeyParams>;
const ErrorsWith409 = { ...ADMIN_ERRORS, 409: ADMIN_ERRORS[400] };

function notFound(keyId: string): never {
  throw new HttpError("not_found", `key ${keyId} not found`);
}

/** Only the fields given: `{}` changes nothing. */
function patchOf(body: Static<typeof UpdateKeyBody>): KeyPatch {
  const patch: KeyPatch = {};
  if (body.channelPatterns !== undefined) patch.channelPatterns = body.channelPatterns;
  if (body.actions !== undefined) patch.actions = body.actions;
  if (body.allowedOrigins !== undefined) patch.allowedOrigins = body.allowedOrigins;
  if (body.autoInjectTurn !== undefined) patch.autoInjectTurn = body.autoInjectTurn;
  return patch;
}

/**
 * Key routes: `POST|GET /apps/:appId/keys`, `GET|PATCH|DELETE /keys/:keyId`,
 * `POST /keys/:keyId/revoke`. A secret key's secret is in the create response only. Revoking or
 * deleting closes the key's live connections with 4001 (revocation.ts, within one poll interval);
 * an update applies to connections made after it.
 */
export function registerAdminKeyRoutes(
  admin: FastifyInstance,
  { store, keys, apps, config }: RouteContext,
): void {
  const schema = (summary: string, extra: object) => ({
    summary,
    tags: ["admin: keys"],
    security: ADMIN_SECURITY,
    ...extra,
  });

  admin.post<{ Params: AppIdParams; Body: Static<typeof CreateKeyBody> }>(
    "/apps/:appId/keys",
    {
      schema: schema("Create a key; a secret key's secret is returned this once (409 at 50 live keys)", {
        params: AppParams,
        body: CreateKeyBody,
        response: { 200: CreatedKey, ...ErrorsWith409 },
      }),
    },
    async (request) => {
      const { type, ...scope } = request.body;
      const { key, secret } = await store.createKey({ type, appId: request.params.appId, ...patchOf(scope) });
      return secret === undefined ? key : { ...key, secret };
    },
  );

  admin.get<{ Params: AppIdParams }>(
    "/apps/:appId/keys",
    {
      schema: schema("List an app's keys, revoked ones included, oldest first (never secrets)", {
        params: AppParams,
        response: { 200: Type.Array(Key), ...ADMIN_ERRORS },
      }),
    },
    async (request) => {
      const { appId } = request.params;
      if ((await store.getApp(appId)) === undefined)
        throw new HttpError("not_found", `app ${appId} not found`);
      return store.listKeys(appId);
    },
  );

  admin.get<{ Params: KeyIdParams }>(
    "/keys/:keyId",
    {
      schema: schema("A key (never its secret)", {
        params: KeyParams,
        response: { 200: Key, ...ADMIN_ERRORS },
      }),
    },
    async (request) => (await store.getKey(request.params.keyId)) ?? notFound(request.params.keyId),
  );

  admin.patch<{ Params: KeyIdParams; Body: Static<typeof UpdateKeyBody> }>(
    "/keys/:keyId",
    {
      schema: schema("Change a live key's patterns, actions, origins or TURN injection (revoked: 409)", {
        params: KeyParams,
        body: UpdateKeyBody,
        response: { 200: Key, ...ErrorsWith409 },
      }),
    },
    async (request) =>
      (await store.updateKey(request.params.keyId, patchOf(request.body))) ?? notFound(request.params.keyId),
  );

  admin.post<{ Params: KeyIdParams }>(
    "/keys/:keyId/revoke",
    {
      schema: schema("Revoke a key (idempotent); its connections are closed with 4001", {
        params: KeyParams,
        response: { 200: Key, ...ADMIN_ERRORS },
      }),
    },
    async (request) => (await store.revokeKey(request.params.keyId)) ?? notFound(request.params.keyId),
  );

  admin.delete<{ Params: KeyIdParams }>(
    "/keys/:keyId",
    {
      schema: schema("Delete a key for good; its connections are closed with 4001", {
        params: KeyParams,
        response: { 200: Deleted, ...ADMIN_ERRORS },
      }),
    },
    async (request) => {
      const { keyId } = request.params;
      if (!(await store.deleteKey(keyId))) notFound(keyId);
      return { id: keyId, deleted: true as const };
    },
  );

  admin.post<{ Params: KeyIdParams; Body: TokenRequest }>(
    "/keys/:keyId/tokens",
    {
      schema: schema(
        "Mint a connect token signed with a live secret key, as POST /v1/tokens does with that key (for the dashboard, which holds no secrets)",
        {
          params: KeyParams,
          body: TokenRequestSchema,
          response: { 200: TokenResponse, ...ADMIN_ERRORS, 403: ADMIN_ERRORS[400], 409: ADMIN_ERRORS[400] },
        },
      ),
    },
    async (request) => {
      const { keyId } = request.params;
      const record = (await store.getKey(keyId)) ?? notFound(keyId);
      if (record.type !== "secret")
        throw new HttpError("invalid_request", "only a secret key can sign tokens");
      const key = await keys.lookup(keyId);
      if (!key || record.revoked) throw new HttpError("conflict", `key ${keyId} is revoked`);
      const app = await apps.get(record.appId);
      if (app?.record.suspended) throw new HttpError("app_suspended", "this key's app is suspended");
      return mintToken(key, request.body, config.maxTokenTtlSec);
    },
  );
}
