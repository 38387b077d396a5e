import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ERROR_STATUS } from '../../shared/errors';
import { HubError } from '../commands/errors';

/** Unknown /api routes answer JSON, not the SPA. */
export const apiNotFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'not_found', message: `no route ${req.method} ${req.path}` } });
};

/** Maps every failure to `{error: {code, message, issues?}}`; only bugs become 500. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const e = err as { type?: string; code?: string; status?: number; statusCode?: number; message?: string };
    let error: HubError;
    if (err instanceof HubError) error = err;
    else if (e.code === 'EBADCSRFTOKEN') error = new HubError('csrf_invalid', e.message ?? 'invalid CSRF token');
    else if (e.type === 'entity.too.large') error = new HubError('payload_too_large', 'request body too large');
    else if (e.type === 'entity.parse.failed') error = new HubError('invalid_payload', 'malformed JSON body');
    else if (e.type?.startsWith('encoding.') || e.type === 'charset.unsupported') error = new HubError('invalid_payload', 'unsupported body encoding');
    else {
      // The path only, as in the access log: a query can hold an OAuth code or state.
      log.error({ err, method: req.method, path: req.originalUrl.split('?')[0] }, 'unhandled error');
      error = new HubError('internal', 'something went wrong on our side');
    }
    if (error.retryAfterMs !== undefined) res.setHeader('Retry-After', String(Math.ceil(error.retryAfterMs / 1000)));
    res.status(ERROR_STATUS[error.code]).json({ error: error.toBody() });
  };
}
