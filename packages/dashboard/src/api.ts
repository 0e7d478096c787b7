import type {
  AppJson,
  AppStatsJson,
  AppWithUsageJson,
  CreateAppJson,
  CreatedKeyJson,
  CreateKeyJson,
  KeyJson,
  KickJson,
  NodeStatsJson,
  PresenceJson,
  TokenRequestJson,
  TokenResponseJson,
  UpdateAppJson,
} from "./types.js";

/** An API answer other than 200, or no answer at all, in words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  /** "what failed: why (status code)". */
  describe(what: string): string {
    const where = this.status === 0 ? "no answer from the server" : `${this.status} ${this.code}`;
    return `${what}: ${this.message} (${where})`;
  }
}

/** What the dashboard says about an error thrown by `action`. */
export function errorText(what: string, error: unknown): string {
  if (error instanceof ApiError) return error.describe(what);
  return `${what}: ${error instanceof Error ? error.message : String(error)}`;
}

const enc = encodeURIComponent;

/** The admin API of the server that served the page, with one admin token (never put in a URL). */
export class AdminApi {
  constructor(private readonly token: string) {}

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(`/v1/admin${path}`, {
        method,
        headers,
        cache: "no-store",
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new ApiError(0, "network_error", error instanceof Error ? error.message : "request failed");
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const err = (json ?? {}) as { error?: string; message?: string };
      throw new ApiError(
        res.status,
        err.error ?? "error",
        err.message ?? (text.slice(0, 200) || res.statusText || "request failed"),
      );
    }
    return json as T;
  }

  listApps = () => this.request<AppJson[]>("GET", "/apps");
  getApp = (appId: string) => this.request<AppWithUsageJson>("GET", `/apps/${enc(appId)}`);
  createApp = (body: CreateAppJson) => this.request<AppJson>("POST", "/apps", body);
  updateApp = (appId: string, body: UpdateAppJson) =>
    this.request<AppJson>("PATCH", `/apps/${enc(appId)}`, body);
  setSuspended = (appId: string, suspended: boolean) =>
    this.request<AppJson>("POST", `/apps/${enc(appId)}/${suspended ? "suspend" : "resume"}`);

  listKeys = (appId: string) => this.request<KeyJson[]>("GET", `/apps/${enc(appId)}/keys`);
  createKey = (appId: string, body: CreateKeyJson) =>
    this.request<CreatedKeyJson>("POST", `/apps/${enc(appId)}/keys`, body);
  revokeKey = (keyId: string) => this.request<KeyJson>("POST", `/keys/${enc(keyId)}/revoke`);
  mintToken = (keyId: string, body: TokenRequestJson) =>
    this.request<TokenResponseJson>("POST", `/keys/${enc(keyId)}/tokens`, body);

  nodeStats = () => this.request<NodeStatsJson>("GET", "/stats");
  appStats = (appId: string) => this.request<AppStatsJson>("GET", `/apps/${enc(appId)}/stats`);
  presence = (appId: string, channel: string) =>
    this.request<PresenceJson>("GET", `/apps/${enc(appId)}/channels/${enc(channel)}/presence`);
  kick = (appId: string, peerId: string) =>
    this.request<KickJson>("DELETE", `/apps/${enc(appId)}/peers/${enc(peerId)}`);
}
