import type { z } from 'zod';
import { toIssues } from '../../shared/errors';
import type { BodyOf, Endpoint, ParamsOf, ResponseOf } from '../../shared/api/endpoint';
import { type Actor, requireUser } from '../auth/actor';
import type { HubServices } from '../services';
import type { Authority } from './authority';
import { invalid } from './errors';

/** A command's input as REST gives it: the path's parameters and the body, side by side. */
export type RestInput<E extends Endpoint> = (ParamsOf<E> extends undefined ? unknown : ParamsOf<E>) & (BodyOf<E> extends undefined ? unknown : BodyOf<E>);

/**
 * One command of the table: everything about it in one place. Its REST route and its socket
 * event are generated from this (http/commands.ts, realtime/realtime.ts); both run it through
 * `runCommand`.
 */
export interface Command<I = unknown, O = unknown> {
  /** `feature.verb`: the socket event when it has one, and how logs and metrics name it. */
  name: string;
  /** The REST endpoint of the shared contract: its params and body schemas validate REST input. */
  rest: Endpoint;
  /** The command's input from REST's parts, when it is not simply `{...params, ...body}`. */
  fromRest?: (params: unknown, body: unknown) => I;
  /** The socket event's payload schema (shared/realtime.ts), for commands clients send live. */
  socket?: z.ZodType<I>;
  allow: Authority<I>;
  run(hub: HubServices, actor: Actor, input: I): Promise<O>;
}

/** Declares a command, typing its input and answer from its endpoint. */
export function command<E extends Endpoint, I = RestInput<E>>(def: {
  name: string;
  rest: E;
  fromRest?: (params: ParamsOf<E>, body: BodyOf<E>) => I;
  socket?: z.ZodType<NoInfer<I>>;
  allow: Authority<NoInfer<I>> | Authority<unknown>;
  run(hub: HubServices, actor: Actor, input: NoInfer<I>): Promise<ResponseOf<E> | void>;
}): Command<I, ResponseOf<E> | void> {
  return def as Command<I, ResponseOf<E> | void>;
}

/** Validates a socket payload with the command's schema (400-style issues on failure). */
export function parseSocketInput<I>(def: Command<I>, payload: unknown): I {
  const result = def.socket!.safeParse(payload);
  if (!result.success) throw invalid('invalid payload', toIssues(result.error));
  return result.data;
}

/** The command's input from REST parts already validated by the endpoint's schemas. */
export function restInput<I>(def: Command<I>, params: unknown, body: unknown): I {
  return def.fromRest ? def.fromRest(params, body) : ({ ...(params as object), ...(body as object) } as I);
}

/**
 * The one way a client's command runs, whatever its transport, once its input is valid:
 * authenticate (401), authorise (404, 403), then the command itself, whose one transaction on
 * the command bus locks the room, checks the rules, writes, emits, invalidates and broadcasts.
 */
export async function runCommand<I, O>(hub: HubServices, def: Command<I, O>, actor: Actor | null, input: I): Promise<O> {
  const user = requireUser(actor);
  await def.allow.check(hub.db, user, input);
  return def.run(hub, user, input);
}
