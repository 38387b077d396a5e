import { csrfSync } from 'csrf-sync';
import type { Request, RequestHandler } from 'express';

const sync = csrfSync({
  getTokenFromRequest: (req: Request) => {
    const header = req.headers['x-csrf-token'];
    if (typeof header === 'string') return header;
    const body = req.body as { _csrf?: unknown } | undefined;
    return typeof body?._csrf === 'string' ? body._csrf : undefined;
  },
  errorConfig: { statusCode: 403, message: 'missing or invalid CSRF token: send the token from GET /api/me as x-csrf-token', code: 'EBADCSRFTOKEN' },
});

/** Checks the token, then drops a form's `_csrf` field: it is for this check, not part of the (strict) payload. */
const protection: RequestHandler = (req, res, next) =>
  sync.csrfSynchronisedProtection(req, res, (err?: unknown) => {
    if (!err && req.body && typeof req.body === 'object' && '_csrf' in req.body) delete (req.body as { _csrf?: unknown })._csrf;
    next(err);
  });

/**
 * Synchroniser-token CSRF protection for cookie-authenticated mutations: the token lives in
 * the session, the client reads it from GET /api/me and sends it as `x-csrf-token` (forms
 * send `_csrf`). GET, HEAD and OPTIONS are exempt.
 */
export const csrf = { ...sync, csrfSynchronisedProtection: protection };
