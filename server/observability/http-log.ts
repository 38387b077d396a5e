import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { requestIdFrom, runInContext } from './context';

/** Probes and scrapes would drown the log. */
const QUIET = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * First middleware: gives the request its id (the caller's X-Request-Id or a new one), answers
 * it back in X-Request-Id, runs the rest of the chain inside that context, and writes one line
 * per request when it completes: method, path without the query (OAuth codes live there),
 * status, time. Headers are not logged at all (cookies, CSRF tokens).
 */
export function requestLogging(log: Logger): RequestHandler[] {
  const context: RequestHandler = (req, res, next) => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    res.setHeader('X-Request-Id', requestId);
    (req as IncomingMessage & { id?: string }).id = requestId;
    runInContext({ requestId }, next);
  };
  const access = pinoHttp({
    logger: log,
    genReqId: (req: IncomingMessage & { id?: string }) => req.id ?? requestIdFrom(undefined),
    autoLogging: { ignore: (req) => QUIET.has((req.url ?? '').split('?')[0]!) },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    serializers: {
      req: (req: IncomingMessage & { id?: string; originalUrl?: string }) => ({ id: req.id, method: req.method, path: (req.originalUrl ?? req.url ?? '').split('?')[0] }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    // No req.log child per request: the hub logs through its own logger (the id comes from the context).
    quietReqLogger: true,
  });
  return [context, access as unknown as RequestHandler];
}
