import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** Who may call an endpoint; the server checks it, the OpenAPI document shows it. */
export type Access = 'public' | 'user' | 'staff' | 'tournamentStaff' | 'admin';

/**
 * One REST endpoint: the single description that the server routes from, the typed client
 * calls through and the OpenAPI document is generated from.
 */
export interface Endpoint<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  method: HttpMethod;
  /** Express-style path, e.g. `/api/tournaments/:tournamentId`. */
  path: string;
  summary: string;
  tag: string;
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  /** JSON response schema; omitted for redirects and HTML pages. */
  response?: R;
  status?: 200 | 201 | 204 | 302;
  /** Non-JSON answers (login redirects, the development login page). */
  produces?: 'redirect' | 'html' | 'text';
  /**
   * Also takes an HTML form post (application/x-www-form-urlencoded) and answers it with this
   * redirect instead of the JSON answer, which a JSON request still gets.
   */
  formPostRedirect?: 302;
  /** Error statuses this endpoint documents beyond 400 (when it has input) and 500. */
  errors?: number[];
}

export function endpoint<const E extends Endpoint>(e: E): E {
  return e;
}

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;
type InputOf<T> = T extends z.ZodType ? z.input<T> : undefined;
export type ParamsOf<E extends Endpoint> = Infer<E['params']>;
export type QueryOf<E extends Endpoint> = Infer<E['query']>;
export type BodyOf<E extends Endpoint> = Infer<E['body']>;
export type ResponseOf<E extends Endpoint> = Infer<E['response']>;
/** What a client sends (before defaults and coercion). */
export type ParamsInput<E extends Endpoint> = InputOf<E['params']>;
export type QueryInput<E extends Endpoint> = InputOf<E['query']>;
export type BodyInput<E extends Endpoint> = InputOf<E['body']>;

/** Fills `:name` segments of a path. */
export function buildPath(path: string, params: Record<string, unknown> = {}): string {
  return path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(String(value));
  });
}
