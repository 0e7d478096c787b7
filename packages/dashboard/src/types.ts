/**
 * The dashboard's view of the admin API, derived from the server's own TypeBox schemas (type-only
 * imports: nothing of the server ends up in the bundle), so a schema change breaks this build.
 */
import type { Static } from "typebox";
import type { AppStats, Kick, NodeStats, Presence } from "../../server/dist/http/admin/live.js";
import type {
  App,
  AppWithUsage,
  CreateAppBody,
  CreatedKey,
  CreateKeyBody,
  Key,
  UpdateAppBody,
} from "../../server/dist/http/admin/schemas.js";
import type { TokenRequest, TokenResponse } from "../../server/dist/http/rest/tokens.js";

export type AppJson = Static<typeof App>;
export type AppWithUsageJson = Static<typeof AppWithUsage>;
export type CreateAppJson = Static<typeof CreateAppBody>;
export type UpdateAppJson = Static<typeof UpdateAppBody>;
export type KeyJson = Static<typeof Key>;
export type CreatedKeyJson = Static<typeof CreatedKey>;
export type CreateKeyJson = Static<typeof CreateKeyBody>;
export type NodeStatsJson = Static<typeof NodeStats>;
export type AppStatsJson = Static<typeof AppStats>;
export type PresenceJson = Static<typeof Presence>;
export type KickJson = Static<typeof Kick>;
export type TokenRequestJson = TokenRequest;
export type TokenResponseJson = Static<typeof TokenResponse>;
export type Action = KeyJson["actions"][number];
