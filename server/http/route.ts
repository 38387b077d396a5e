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

function parsePart<T extends z.ZodType | undefined>(schema: T, value: () => unknown, where: 'params' | 'query' | 'body') {
  if (!schema) return undefined; // value() not called: req.query is parsed on each read
  const raw = value();
  const result = schema.safeParse(where === 'body' && raw === undefined ? {} : raw);
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
export function mount<E extends Endpoint>(router: Router, hub: HubServices, endpoint: E, handler: Handler<E>, options: RouteOptions<E> = {}) {
  const method = endpoint.method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete';
  router[method](endpoint.path, async (req: Request, res: Response) => {
    nameCommand(`${endpoint.method} ${endpoint.path}`); // the label of the commands it runs
    const ctx = {
      params: parsePart(endpoint.params, () => req.params, 'params'),
      query: parsePart(endpoint.query, () => req.query, 'query'),
      body: parsePart(endpoint.body, () => req.body, 'body'),
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
      // Its own key space: entries of another shape (a plain JSON string before) may still sit in Redis.
      const answer = await hub.cache.get<CachedAnswer>(`answer:${cached.key}`, cached.tags, async () => {
        const json = JSON.stringify(checked(await handler(ctx)));
        const etagOf = req.app.get('etag fn') as ((body: Buffer) => string | undefined) | undefined;
        const bytes = Buffer.from(json, 'utf8');
        const stored: CachedAnswer = { json, etag: etagOf?.(bytes) };
        answerBytes.set(stored, bytes);
        return stored;
      });
      if (res.headersSent) return;
      res.status(status());
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
    res.status(status()).json(checked(result));
  });
}
