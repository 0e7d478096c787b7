import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import { currentUsage } from "../../apps.js";
import type { AppRecord } from "../../store/types.js";
import type { RouteContext } from "../context.js";
import { HttpError } from "../errors.js";
import {
  ADMIN_ERRORS,
  ADMIN_SECURITY,
  App,
  AppParams,
  AppWithUsage,
  CreateAppBody,
  Deleted,
  UpdateAppBody,
} from "./schemas.js";

type AppIdParams = Static<typeof AppParams>;
const ErrorsWith409 = { ...ADMIN_ERRORS, 409: ADMIN_ERRORS[400] };

/**
 * App CRUD: `POST /apps`, `GET /apps`, `GET|PATCH|DELETE /apps/:appId`,
 * `POST /apps/:appId/suspend|resume`. Suspension and deletion reach live connections through the
 * store's change feed (revocation.ts), within one poll interval: suspended → 4012, deleted → 4001.
 */
export function registerAdminAppRoutes(admin: FastifyInstance, { store, apps }: RouteContext): void {
  const schema = (summary: string, extra: object) => ({
    summary,
    tags: ["admin: apps"],
    security: ADMIN_SECURITY,
    ...extra,
  });

  async function withUsage(record: AppRecord) {
    const runtime = await apps.get(record.id);
    if (!runtime) throw new HttpError("not_found", `app ${record.id} not found`);
    return { ...record, usage: currentUsage(runtime) };
  }

  admin.post<{ Body: Static<typeof CreateAppBody> }>(
    "/apps",
    { schema: schema("Create an app", { body: CreateAppBody, response: { 200: App, ...ADMIN_ERRORS } }) },
    async (request) => {
      const { name, plan } = request.body;
      return store.createApp(plan === undefined ? { name } : { name, plan });
    },
  );

  admin.get(
    "/apps",
    {
      schema: schema("List apps, oldest (the default app) first", {
        response: { 200: Type.Array(App), ...ADMIN_ERRORS },
      }),
    },
    async () => store.listApps(),
  );

  admin.get<{ Params: AppIdParams }>(
    "/apps/:appId",
    {
      schema: schema("An app with its current usage", {
        params: AppParams,
        response: { 200: AppWithUsage, ...ADMIN_ERRORS },
      }),
    },
    async (request) => withUsage(await getApp(request.params.appId)),
  );

  admin.patch<{ Params: AppIdParams; Body: Static<typeof UpdateAppBody> }>(
    "/apps/:appId",
    {
      schema: schema("Rename an app or change its plan (null = unlimited)", {
        params: AppParams,
        body: UpdateAppBody,
        response: { 200: App, ...ADMIN_ERRORS },
      }),
    },
    async (request) => {
      const { name, plan } = request.body;
      const updated = await store.updateApp(request.params.appId, {
        ...(name !== undefined && { name }),
        ...(plan !== undefined && { plan }),
      });
      return updated ?? notFound(request.params.appId);
    },
  );

  admin.delete<{ Params: AppIdParams }>(
    "/apps/:appId",
    {
      schema: schema("Delete an app with its keys and usage (not the default app: 409)", {
        params: AppParams,
        response: { 200: Deleted, ...ErrorsWith409 },
      }),
    },
    async (request) => {
      const { appId } = request.params;
      if (!(await store.deleteApp(appId))) notFound(appId);
      return { id: appId, deleted: true as const };
    },
  );

  for (const [action, suspended] of [
    ["suspend", true],
    ["resume", false],
  ] as const) {
    admin.post<{ Params: AppIdParams }>(
      `/apps/:appId/${action}`,
      {
        schema: schema(
          suspended
            ? "Suspend an app: live connections are closed with 4012, new ones refused"
            : "Resume a suspended app",
          { params: AppParams, response: { 200: App, ...ADMIN_ERRORS } },
        ),
      },
      async (request) =>
        (await store.updateApp(request.params.appId, { suspended })) ?? notFound(request.params.appId),
    );
  }

  async function getApp(appId: string): Promise<AppRecord> {
    return (await store.getApp(appId)) ?? notFound(appId);
  }
}

function notFound(appId: string): never {
  throw new HttpError("not_found", `app ${appId} not found`);
}
