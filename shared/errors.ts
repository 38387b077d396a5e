import { z } from 'zod';

/** Every error the hub answers with, over REST (`{error}`) and in socket acks. */
export const ERROR_STATUS = {
  invalid_payload: 400,
  unauthenticated: 401,
  forbidden: 403,
  csrf_invalid: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ErrorCodeSchema = z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]);

/** One problem with the input: where (a path into the payload) and what. */
export const IssueSchema = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
  code: z.string().optional(),
});
export type Issue = z.infer<typeof IssueSchema>;

export const ApiErrorSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  issues: z.array(IssueSchema).optional(),
  retryAfterMs: z.number().int().min(0).optional().describe('With `unavailable` or `rate_limited`: when sending the same again may succeed, in ms'),
});
export type ApiErrorBody = z.infer<typeof ApiErrorSchema>;

export const ErrorEnvelopeSchema = z.object({ error: ApiErrorSchema }).meta({ id: 'Error' });

/** Turns zod's issues into the wire shape (no symbols, no internal detail). */
export function toIssues(error: z.ZodError, prefix: (string | number)[] = []): Issue[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
    message: issue.message,
    code: issue.code,
  }));
}

/**
 * Socket acknowledgement envelope: every command answers with one of these. `serverTime` (ISO
 * 8601) is the server's clock when it answered, so a client can show a deadline's time left
 * from the answer it just got; a failure the client library made itself (not connected, no
 * answer in time) has none.
 */
export type Ack<T> = { ok: true; data: T; serverTime: string } | { ok: false; error: ApiErrorBody; serverTime?: string };
