/**
 * Helpers for the admin API integration tests: a test server with a known admin token, and a tiny
 * JSON client for `/v1/admin`.
 */
import { createHash } from "node:crypto";
import { ADMIN_TOKEN_SETTING } from "@switchboard/server";
import { expect } from "vitest";
import { type ServerConfig, type StartOptions, startServer, type TestServer } from "./helpers.js";

export const ADMIN_TOKEN = "admin-test-token-0123456789";

/** What an admin request answered. */
export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/** A JSON client for one server's admin API. */
export interface AdminClient {
  /** `path` is relative to `/v1/admin`; `body` is sent as JSON when given. */
  request<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<Answer<T>>;
  get<T = Record<string, unknown>>(path: string): Promise<Answer<T>>;
  post<T = Record<string, unknown>>(path: string, body?: unknown): Promise<Answer<T>>;
  patch<T = Record<string, unknown>>(path: string, body: unknown): Promise<Answer<T>>;
  del<T = Record<string, unknown>>(path: string): Promise<Answer<T>>;
  /** Like `request`, but fails the test unless the status is 200; returns the body. */
  ok<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
}

/** `token: null` sends no Authorization header. */
export function adminClient(httpUrl: string, token: string | null = ADMIN_TOKEN): AdminClient {
  const request = async <T>(method: string, path: string, body?: unknown): Promise<Answer<T>> => {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${httpUrl}/v1/admin${path}`, {
      method,
      headers,
      ...(body !== undefined && { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text === "" ? undefined : JSON.parse(text)) as T };
  };
  return {
    request,
    get: (path) => request("GET", path),
    post: (path, body) => request("POST", path, body),
    patch: (path, body) => request("PATCH", path, body),
    del: (path) => request("DELETE", path),
    async ok<T>(method: string, path: string, body?: unknown): Promise<T> {
      const answer = await request<T>(method, path, body);
      if (answer.status !== 200) {
        throw new Error(`${method} ${path} → ${answer.status} ${JSON.stringify(answer.body)}`);
      }
      return answer.body;
    },
  };
}

/** Sets the admin token of a store as `serve --admin-token` does (only its SHA-256 is stored). */
export async function setAdminToken(ts: TestServer, token = ADMIN_TOKEN): Promise<void> {
  await ts.store.setSetting(ADMIN_TOKEN_SETTING, createHash("sha256").update(token).digest("hex"));
}

/**
 * A test server whose admin token is {@link ADMIN_TOKEN}, and an admin client for it. The store
 * polls every 50 ms so suspensions and revocations reach live sockets quickly.
 */
export async function startAdminServer(
  config: Partial<ServerConfig> = {},
  options: StartOptions = {},
): Promise<{ ts: TestServer; admin: AdminClient }> {
  const ts = await startServer(config, { pollMs: 50, ...options });
  await setAdminToken(ts);
  return { ts, admin: adminClient(ts.httpUrl) };
}

/** The error body every failure has. */
export const errorBody = (error: string) => ({ error, message: expect.any(String) });
