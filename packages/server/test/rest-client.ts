/**
 * A tiny `fetch` wrapper for the REST integration tests (rest-*.test.ts): JSON in, status + parsed
 * body + raw text out, with the secret-key bearer header built from a {@link SecretKey}.
 */
import type { SecretKey, TestServer } from "./helpers.js";

export interface RestResponse {
  status: number;
  /** Parsed JSON, or undefined when the body is not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read response fields freely; the schema is what is tested.
  body: any;
  /** The body exactly as sent, for byte-identity checks. */
  text: string;
  headers: Headers;
}

export interface RestRequest {
  /** A secret key (sent as `Bearer id:secret`), a raw Authorization header, or none. */
  auth?: SecretKey | { header: string } | null;
  /** Serialized as JSON (with `content-type: application/json`) unless `raw` is given. */
  body?: unknown;
  /** Sent as is; `contentType` defaults to application/json. */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export const bearerOf = (key: SecretKey): string => `Bearer ${key.id}:${key.secret}`;

/** Sends one request to the test server; `auth` defaults to the server's secret key. */
export async function rest(
  ts: TestServer,
  method: string,
  path: string,
  request: RestRequest = {},
): Promise<RestResponse> {
  const headers: Record<string, string> = { ...request.headers };
  const auth = request.auth === undefined ? ts.sk : request.auth;
  if (auth) headers.authorization = "header" in auth ? auth.header : bearerOf(auth);
  let body: string | undefined;
  if (request.raw !== undefined) body = request.raw;
  else if (request.body !== undefined) body = JSON.stringify(request.body);
  if (body !== undefined) headers["content-type"] = request.contentType ?? "application/json";
  const response = await fetch(`${ts.httpUrl}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, text, headers: response.headers };
}

/** `encodeURIComponent`, but also for the characters it leaves alone that matter in paths. */
export const enc = (segment: string): string =>
  encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
