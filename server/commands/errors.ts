import type { ErrorCode, Issue } from '../../shared/errors';

/**
 * An expected failure of a command or read: its code says what went wrong. Each transport maps
 * it: REST to `{error: {code, message, issues?}}` with the code's HTTP status, a socket to
 * `{ok: false, error}`. Anything else thrown is a bug.
 */
export class HubError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: Issue[],
    /** When the same request may succeed again (unavailable, rate_limited). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
  toBody() {
    return {
      code: this.code,
      message: this.message,
      ...(this.issues ? { issues: this.issues } : {}),
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
    };
  }
}

export const invalid = (message: string, issues?: Issue[]) => new HubError('invalid_payload', message, issues);
export const unauthenticated = (message = 'log in first') => new HubError('unauthenticated', message);
export const forbidden = (message: string) => new HubError('forbidden', message);
export const notFound = (what: string) => new HubError('not_found', `${what} not found`);
export const conflict = (message: string) => new HubError('conflict', message);
export const unavailable = (message: string, retryAfterMs: number) => new HubError('unavailable', message, undefined, retryAfterMs);
