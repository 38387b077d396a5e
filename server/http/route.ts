import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import { toIssues } from '../../shared/errors';
import type { BodyOf, Endpoint, ParamsOf, QueryOf, ResponseOf } from '../../shared/api/endpoint';
import type { Actor } from '../auth/actor';
import type { HubServices } from '../services';
import { invalid, unauthenticated } from './errors';
import { nameCommand } from '../observability/context';

export interface RequestContext<E extends Endpoint> {
  params: ParamsOf<E>;
  query: QueryOf<E>;
  body: BodyOf<E>;
  actor: Actor | null;
  hub: HubServices;
  req: Request;
  res: Response;
}

export interface RouteOptions<E extends Endpoint> {
  /** Serve from the read cache: the key must include everything the answer depends on. */
  cache?: (ctx: RequestContext<E>) => { key: string; tags: string[] };
}

export type Handler<E extends Endpoint> = (ctx: RequestContext<E>) => Promise<ResponseOf<E> | void>;

function parsePart<T extends z.ZodType | undefined>(schema: T, value: unknown, where: 'params' | 'query' | 'body') {
  if (!schema) return undefined;
  const result = schema.safeParse(where === 'body' && value === undefined ? {} : value);
  if (!result.success) {
    throw invalid(`invalid ${where === 'params' ? 'path' : where}`, toIssues(result.error, [where]));
  }
  return result.data;
}

export function actorOf(req: Request): Actor | null {
  const user = req.user as { id: number; role: Actor['role'] } | undefined;
  return user ? { id: user.id, role: user.role } : null;
}

/**
 * Mounts one endpoint of the shared contract: parse params, query and body with its schemas
 * (400 with the issues), require a login where the endpoint is not public, run the handler
 * (which authorises and changes state through the command bus) and answer with its status.
 */
export function mount<E extends Endpoint>(router: Router, hub: HubServices, endpoint: E, handler: Handler<E>, options: RouteOptions<E> = {}) {
  const method = endpoint.method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete';
  router[method](endpoint.path, async (req: Request, res: Response) => {
    nameCommand(`${endpoint.method} ${endpoint.path}`); // the label of the commands it runs
    const ctx = {
      params: parsePart(endpoint.params, req.params, 'params'),
      query: parsePart(endpoint.query, req.query, 'query'),
      body: parsePart(endpoint.body, req.body, 'body'),
      actor: actorOf(req),
      hub,
      req,
      res,
    } as RequestContext<E>;
    if (endpoint.access !== 'public' && !ctx.actor) throw unauthenticated();

    const checked = (result: unknown) => {
      if (endpoint.response && !hub.config.production) {
        // Outside production, an answer that breaks its own contract is a bug to catch in tests.
        const check = endpoint.response.safeParse(result);
        if (!check.success) throw new Error(`${endpoint.method} ${endpoint.path} answered outside its schema: ${check.error.message}`);
      }
      return result;
    };
    const status = () => (res.statusCode !== 200 ? res.statusCode : (endpoint.status ?? 200)); // a handler may pick another (e.g. /readyz 503)

    const cached = options.cache?.(ctx);
    if (cached) {
      // Cached answers are kept serialised: a hit costs no JSON.stringify of the whole body.
      const json = await hub.cache.get(cached.key, cached.tags, async () => JSON.stringify(checked(await handler(ctx))));
      if (!res.headersSent) res.status(status()).type('application/json').send(json);
      return;
    }
    const result = await handler(ctx);
    if (res.headersSent) return;
    if (endpoint.status === 204) {
      res.status(204).end();
      return;
    }
    res.status(status()).json(checked(result));
  });
}
