/**
 * REST errors (protocol.md §11): every failure is `{error, message}` with one of these codes and
 * its HTTP status. Route code throws `HttpError`; the app's error handler renders it.
 */
export const HttpErrorStatus = {
  invalid_request: 400,
  channel_reserved: 400,
  turn_not_configured: 400,
  unauthorized: 401,
  channel_not_authorized: 403,
  action_not_permitted: 403,
  app_suspended: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal_error: 503,
  /** Cluster mode: what the request needs (the presence registry) cannot be reached; retry. */
  backend_error: 503,
} as const;
export type HttpErrorCode = keyof typeof HttpErrorStatus;

export class HttpError extends Error {
  override readonly name = "HttpError";
  readonly status: number;
  constructor(
    readonly code: HttpErrorCode,
    message: string,
  ) {
    super(message);
    this.status = HttpErrorStatus[code];
  }
}

/** The one 401 body: identical for every bad-credential case so keys cannot be enumerated. */
export const UNAUTHORIZED_BODY = {
  error: "unauthorized",
  message: "missing or invalid credentials",
} as const;

/** `promise`, with a backend failure (cluster registry away) turned into a 503 `backend_error`. */
export async function orBackendError<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (err) {
    throw new HttpError(
      "backend_error",
      `the cluster backend cannot be reached; retry (${(err as Error).message})`,
    );
  }
}
