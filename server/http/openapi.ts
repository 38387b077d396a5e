import { z } from 'zod';
import { ErrorEnvelopeSchema } from '../../shared/errors';
import type { Endpoint } from '../../shared/api/endpoint';
import { api } from '../../shared/api/contract';

const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid input (the issues say where)',
  401: 'Not logged in',
  403: 'Forbidden, or a missing CSRF token',
  404: 'Not found',
  409: 'Conflict: the state changed or the thing already exists',
  413: 'Payload too large',
  429: 'Rate limited',
  500: 'Server bug',
  503: 'A dependency is down',
};

const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');
const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any', reused: 'inline' }) as Record<string, unknown>;

function parameters(e: Endpoint) {
  const list: unknown[] = [];
  for (const where of ['params', 'query'] as const) {
    const schema = e[where];
    if (!schema) continue;
    const json = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, s] of Object.entries(json.properties ?? {})) {
      list.push({ name, in: where === 'params' ? 'path' : 'query', required: where === 'params' || (json.required ?? []).includes(name), schema: s });
    }
  }
  return list;
}

function requestContent(body: z.ZodType, formPost: boolean) {
  const schema = jsonSchema(body, 'input');
  return { 'application/json': { schema }, ...(formPost ? { 'application/x-www-form-urlencoded': { schema } } : {}) };
}

/** The OpenAPI 3.1 document, generated from the shared contract (the same one routes mount). */
export function buildOpenApi(version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorContent = { 'application/json': { schema: jsonSchema(ErrorEnvelopeSchema, 'output') } };
  for (const [name, e] of Object.entries(api) as [string, Endpoint][]) {
    const status = e.status ?? 200;
    const responses: Record<string, unknown> = {};
    if (e.produces === 'redirect') responses[status] = { description: 'Redirect' };
    else if (e.produces === 'html') responses[status] = { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } };
    else if (status === 204) responses[204] = { description: 'Done' };
    else {
      const description = e.formPostRedirect ? 'OK, to a JSON request' : 'OK';
      responses[status] = { description, content: { 'application/json': { schema: e.response ? jsonSchema(e.response, 'output') : {} } } };
    }
    if (e.formPostRedirect) responses[e.formPostRedirect] = { description: 'Redirect, to an HTML form post' };
    const errors = new Set([...(e.errors ?? []), ...(e.params || e.query || e.body ? [400] : [])]);
    if (e.method !== 'GET') errors.add(403).add(429);
    for (const code of [...errors].sort()) responses[code] = { description: STATUS_TEXT[code] ?? 'Error', content: errorContent };
    (paths[openApiPath(e.path)] ??= {})[e.method.toLowerCase()] = {
      operationId: name,
      summary: e.summary,
      tags: [e.tag],
      'x-access': e.access,
      parameters: parameters(e),
      ...(e.body ? { requestBody: { required: true, content: requestContent(e.body, Boolean(e.formPostRedirect)) } } : {}),
      responses,
      ...(e.access === 'public' ? {} : { security: [{ session: [] }] }),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'DTX Hub API',
      version,
      description:
        'REST API of the DTX Hub. Reads are public. Mutations need a logged-in session (cookie `dtx.sid`) and the CSRF token from GET /api/me in the `x-csrf-token` header. Errors are `{error: {code, message, issues?}}`.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'dtx.sid', description: 'Session cookie set by the Discord login; mutations also need x-csrf-token.' },
      },
    },
    paths,
  };
}
