import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { requestIdFrom, runInContext, type RequestContext } from './context';

/** Probes and scrapes would drown the log. */
const QUIET = new Set(['/healthz', '/readyz', '/metrics']);

const pathOf = (url: string | undefined) => {
  const raw = url ?? '';
  const query = raw.indexOf('?');
  return query === -1 ? raw : raw.slice(0, query);
};

/** Headers every answer carries, set once per request from a list computed at start-up. */
export type FixedHeaders = readonly (readonly [name: string, value: string])[];

/**
 * First middleware: gives the request its id (the caller's X-Request-Id or a new one), answers
 * it back in X-Request-Id with the fixed headers (security headers), runs the rest of the chain
 * inside that context, and writes one line per request when it completes: method, path without
 * the query (OAuth codes live there), status, time. Headers are not logged at all (cookies,
 * CSRF tokens).
 *
 * The line is the one pino-http wrote (same fields and messages), written directly: pino-http
 * made two child loggers and serialised the request for every request, even with logging off.
 */
export function requestLogging(log: Logger, fixedHeaders: FixedHeaders = []): RequestHandler {
  return function requestFront(req, res, next) {
    const context: RequestContext = { requestId: requestIdFrom(req.headers['x-request-id']) };
    (req as IncomingMessage & { id?: string }).id = context.requestId;
    res.setHeader('X-Request-Id', context.requestId);
    for (const [name, value] of fixedHeaders) res.setHeader(name, value);
    // Nothing to watch when no line could be written (level silent) or the path is a probe.
    if (log.isLevelEnabled('error') && !QUIET.has(pathOf(req.originalUrl ?? req.url))) logOnClose(log, req, res, context);
    runInContext(context, next);
  };
}

/** 'close' follows 'finish' on every answer, and also comes when the client goes away first. */
function logOnClose(log: Logger, req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, context: RequestContext) {
  const start = Date.now();
  res.once('close', () => {
    const failed = res.statusCode >= 500;
    // 503 is the documented "unavailable" (an upstream outage, shutting down): a warning, not a bug.
    const level = !failed ? 'info' : res.statusCode === 503 ? 'warn' : 'error';
    if (!log.isLevelEnabled(level)) return;
    const line = {
      reqId: context.requestId,
      ...(context.command ? { command: context.command } : {}),
      req: { id: context.requestId, method: req.method, path: pathOf(req.originalUrl ?? req.url) },
      res: { statusCode: res.statusCode },
      ...(failed ? { err: { type: 'Error', message: `failed with status code ${res.statusCode}` } } : {}),
      responseTime: Date.now() - start,
    };
    log[level](line, failed ? 'request errored' : 'request completed');
  });
}
