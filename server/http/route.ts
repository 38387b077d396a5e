import type { IRouter, Request, Response } from 'express';
import type { z } from 'zod';
import { toIssues } from '../../shared/errors';
import type { BodyOf, Endpoint, ParamsOf, QueryOf, ResponseOf } from '../../shared/api/endpoint';
import type { Actor } from '../auth/actor';
import type { HubServices } from '../services';
import { invalid, unauthenticated } from '../commands/errors';
import { nameCommand } from '../observability/context';
import { type Command, restInput, runCommand } from '../commands/define';

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

function parsePart(schema: z.ZodType, value: unknown, where: 'params' | 'query' | 'body') {
  const result = schema.safeParse(where === 'body' && value === undefined ? {} : value);
  if (!result.success) {
    throw invalid(`invalid ${where === 'params' ? 'path' : where}`, toIssues(result.error, [where]));
  }
  return result.data;
}

/**
 * A cached answer: its JSON and its ETag, both made once when it is stored (a hit neither
 * stringifies nor hashes the body). Plain strings, so that the Redis cache can hold it too.
 */
interface CachedAnswer {
  json: string;
  etag?: string;
}
/** The JSON as bytes, once per answer this process holds (the memory cache hands back the same object). */
const answerBytes = new WeakMap<CachedAnswer, Buffer>();

function bytesOf(answer: CachedAnswer): Buffer {
  let bytes = answerBytes.get(answer);
  if (!bytes) {
    bytes = Buffer.from(answer.json, 'utf8');
    answerBytes.set(answer, bytes);
  }
  return bytes;
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
export function mount<E extends Endpoint>(router: IRouter, hub: HubServices, endpoint: E, handler: Handler<E>, options: RouteOptions<E> = {}) {
  const method = endpoint.method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete';
  const commandName = `${endpoint.method} ${endpoint.path}`;
  // Made once per route, not per request (each closure made per request costs, more so under tsx).
  const checked = (result: unknown) => {
    if (endpoint.response && !hub.config.production) {
      // Outside production, an answer that breaks its own contract is a bug to catch in tests.
      const check = endpoint.response.safeParse(result);
      if (!check.success) throw new Error(`${commandName} answered outside its schema: ${check.error.message}`);
    }
    return result;
  };
  // A handler may pick another status (e.g. /readyz 503).
  const statusOf = (res: Response) => (res.statusCode !== 200 ? res.statusCode : (endpoint.status ?? 200));
  const store = async (ctx: RequestContext<E>): Promise<CachedAnswer> => {
    const json = JSON.stringify(checked(await handler(ctx)));
    const etagOf = ctx.req.app.get('etag fn') as ((body: Buffer) => string | undefined) | undefined;
    const bytes = Buffer.from(json, 'utf8');
    const answer: CachedAnswer = { json, etag: etagOf?.(bytes) };
    answerBytes.set(answer, bytes);
    return answer;
  };

  router[method](endpoint.path, async (req: Request, res: Response) => {
    nameCommand(commandName); // the label of the commands it runs
    const ctx = {
      params: endpoint.params && parsePart(endpoint.params, req.params, 'params'),
      query: endpoint.query && parsePart(endpoint.query, req.query, 'query'), // req.query parses the URL on each read
      body: endpoint.body && parsePart(endpoint.body, req.body, 'body'),
      actor: actorOf(req),
      hub,
      req,
      res,
    } as RequestContext<E>;
    if (endpoint.access !== 'public' && !ctx.actor) throw unauthenticated();

    const cached = options.cache?.(ctx);
    if (cached) {
      // Its own key space: entries of another shape (a plain JSON string before) may still sit in Redis.
      const answer = await hub.cache.get<CachedAnswer>(`answer:${cached.key}`, cached.tags, () => store(ctx));
      if (res.headersSent) return;
      res.status(statusOf(res));
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      // Set before send(), Express uses this ETag (and still answers 304 to a matching If-None-Match).
      if (answer.etag) res.setHeader('ETag', answer.etag);
      res.send(bytesOf(answer));
      return;
    }
    const result = await handler(ctx);
    if (res.headersSent) return;
    if (endpoint.status === 204) {
      res.status(204).end();
      return;
    }
    res.status(statusOf(res)).json(checked(result));
  });
}

/** Mounts a command of the command table on its REST endpoint: the endpoint validates, `runCommand` does the rest. */
export function mountCommand(router: IRouter, hub: HubServices, def: Command<unknown, unknown>) {
  mount(router, hub, def.rest, ({ actor, params, body }) => runCommand(hub, def, actor, restInput(def, params, body)) as Promise<never>);
}
