import type { z } from 'zod';
import { api } from '$shared/api/contract';
import { buildPath, type BodyInput, type Endpoint, type ParamsInput, type QueryInput, type ResponseOf } from '$shared/api/endpoint';
import { ApiErrorSchema, toIssues, type ErrorCode, type Issue } from '$shared/errors';

export { api };

/** A failed call: the hub's uniform error body, or a local validation / network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'network',
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
  }

  /**
   * Field messages for a form, keyed by the path inside the body (`name`, `positions.1`).
   * Only the first message per field is kept: one line under an input is enough.
   */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const issue of this.issues) {
      if (issue.path[0] !== 'body' || issue.path.length < 2) continue;
      const key = issue.path.slice(1).join('.');
      out[key] ??= issue.message;
    }
    return out;
  }
}

type Has<T, K extends string> = K extends keyof T ? (T[K] extends z.ZodType ? true : false) : false;

/** What a call needs: exactly the parts the endpoint declares. */
export type CallInput<E extends Endpoint> = (Has<E, 'params'> extends true ? { params: ParamsInput<E> } : { params?: never }) &
  (Has<E, 'query'> extends true ? { query?: Partial<QueryInput<E>> } : { query?: never }) &
  (Has<E, 'body'> extends true ? { body: BodyInput<E> } : { body?: never });

type NeedsInput<E extends Endpoint> = Has<E, 'params'> extends true ? true : Has<E, 'body'> extends true ? true : false;
type CallArgs<E extends Endpoint> = NeedsInput<E> extends true ? [input: CallInput<E>] : [input?: CallInput<E>];

let csrfToken: string | null = null;

/** The session's CSRF token, as GET /api/me hands it out; set again after login or logout. */
export function setCsrfToken(token: string | null) {
  csrfToken = token;
}

async function freshCsrfToken(): Promise<string> {
  const me = await send(api.me, {});
  csrfToken = me.csrfToken;
  return csrfToken;
}

/**
 * Calls one endpoint of the shared contract. The body is checked against the endpoint's
 * schema first, so a form can show field errors without a round trip; the server checks again.
 */
export async function call<E extends Endpoint>(endpoint: E, ...args: CallArgs<E>): Promise<ResponseOf<E>> {
  const input = (args[0] ?? {}) as { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };
  if (endpoint.body) {
    const check = endpoint.body.safeParse(input.body ?? {});
    if (!check.success) {
      throw new ApiError(400, 'invalid_payload', 'Please correct the highlighted fields.', toIssues(check.error, ['body']));
    }
  }
  const mutation = endpoint.method !== 'GET';
  if (!mutation) return send(endpoint, input);
  try {
    return await send(endpoint, input, csrfToken ?? (await freshCsrfToken()));
  } catch (err) {
    // The session (and so its token) may have changed under us, e.g. a login in another tab.
    if (err instanceof ApiError && err.code === 'csrf_invalid') return send(endpoint, input, await freshCsrfToken());
    throw err;
  }
}

async function send<E extends Endpoint>(
  endpoint: E,
  input: { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown },
  token?: string,
): Promise<ResponseOf<E>> {
  let url = buildPath(endpoint.path, input.params);
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(input.query ?? {})) {
    if (value !== undefined && value !== null && value !== '') query.set(key, String(value));
  }
  if (query.size > 0) url += `?${query}`;

  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers['x-csrf-token'] = token;
  let body: string | undefined;
  if (endpoint.body) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(input.body ?? {});
  }

  let res: Response;
  try {
    res = await fetch(url, { method: endpoint.method, headers, body, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network', 'The hub could not be reached. Check your connection and try again.');
  }
  if (res.status === 204) return undefined as ResponseOf<E>;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy's error page, say): reported below from the status alone.
  }
  if (!res.ok) {
    const parsed = ApiErrorSchema.safeParse((json as { error?: unknown } | null)?.error);
    if (parsed.success) throw new ApiError(res.status, parsed.data.code, parsed.data.message, parsed.data.issues);
    throw new ApiError(res.status, res.status >= 500 ? 'internal' : 'invalid_payload', `The hub answered ${res.status}.`);
  }
  return json as ResponseOf<E>;
}

/** A message for the user from anything a call may throw. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'unauthenticated') return 'Please log in first.';
    if (err.code === 'forbidden') return `Not allowed: ${err.message}`;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
