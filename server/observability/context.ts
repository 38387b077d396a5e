import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * What the current HTTP request or socket event is: its id (carried into every log line it
 * causes, through awaits, by AsyncLocalStorage) and the name of the command it runs (the label
 * of the command metrics).
 */
export interface RequestContext {
  requestId: string;
  /** `POST /api/tournaments/:id/teams`, `team.create`, `room:join`… */
  command?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const currentContext = (): RequestContext | undefined => storage.getStore();

/** A caller's X-Request-Id is kept when it is short and plain (it ends up in logs). */
export function requestIdFrom(header: unknown): string {
  return typeof header === 'string' && /^[\w.:-]{1,64}$/.test(header) ? header : randomUUID();
}

/** Runs `fn` as (part of) one request: log lines and commands inside carry its id. */
export function runInContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** Names the command of the current request (REST: the route pattern, once it matched). */
export function nameCommand(name: string) {
  const context = storage.getStore();
  if (context) context.command = name;
}
