import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startHub, type TestHub } from '../support/hub';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface Content {
  content?: Record<string, { schema: Parameters<typeof z.fromJSONSchema>[0] }>;
}
interface Operation {
  operationId: string;
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: Content;
  responses: Record<string, Content & { description: string }>;
}
interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
}
interface Layer {
  route?: { path: unknown; methods: Record<string, boolean>; stack: { handle: { name: string } }[] };
}

/** Express `:name` segments as OpenAPI `{name}`. */
const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');

describe('the OpenAPI document', () => {
  let t: TestHub;
  let doc: Document;
  beforeAll(async () => {
    t = await startHub();
    const res = await t.client().get('/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    doc = res.body;
  });
  afterAll(() => t?.close());

  /** "METHOD /path" for every route on the app's router, middleware and the SPA fallback aside. */
  function registeredRoutes(): string[] {
    const stack = (t.hub.app.router as unknown as { stack: Layer[] }).stack;
    const routes: string[] = [];
    for (const layer of stack) {
      const route = layer.route;
      if (!route) continue; // middleware
      if (route.stack.some((s) => s.handle.name === 'spaFallback')) continue;
      expect(typeof route.path, 'route paths are plain strings').toBe('string');
      for (const [method, on] of Object.entries(route.methods)) {
        if (on && method !== '_all') routes.push(`${method.toUpperCase()} ${toOpenApiPath(route.path as string)}`);
      }
    }
    return routes;
  }

  function documentedOperations(): string[] {
    const ops: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of METHODS) if (item[method]) ops.push(`${method.toUpperCase()} ${path}`);
    }
    return ops;
  }

  it('is an OpenAPI 3.1 document', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toBeTruthy();
    expect(Object.keys(doc.paths).length).toBeGreaterThan(10);
    for (const path of Object.keys(doc.paths)) expect(path, 'paths start with / and use {param}').toMatch(/^\/[^:]*$/);
  });

  it('finds the routes it compares (the walk of the router works)', () => {
    const routes = registeredRoutes();
    expect(routes).toContain('GET /healthz');
    expect(routes).toContain('GET /api/openapi.json');
    expect(routes).toContain('PATCH /api/tournaments/{tournamentId}/teams/{teamId}');
    expect(routes.some((r) => r.includes('splat'))).toBe(false);
  });

  it('documents every registered route, and every documented operation is registered', () => {
    const routes = registeredRoutes();
    const ops = documentedOperations();
    expect(new Set(routes).size, 'no route is registered twice').toBe(routes.length);
    const undocumented = routes.filter((r) => !ops.includes(r));
    const unregistered = ops.filter((o) => !routes.includes(o));
    expect(undocumented, 'registered but not in the document').toEqual([]);
    expect(unregistered, 'in the document but not registered').toEqual([]);
  });

  it('gives every operation a unique operationId and at least one response', () => {
    const ids: string[] = [];
    for (const item of Object.values(doc.paths)) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        expect(op.operationId).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
        ids.push(op.operationId);
      }
    }
    const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
    expect(duplicates).toEqual([]);
  });

  it('describes both answers of the development login: 200 with JSON the real answer fits for a JSON request, 302 for a form post', async () => {
    const op = doc.paths['/auth/dev']!.post!;
    expect(Object.keys(op.requestBody!.content!).sort()).toEqual(['application/json', 'application/x-www-form-urlencoded']);
    const documented = op.responses['200']?.content?.['application/json']?.schema;
    expect(documented, 'POST /auth/dev documents a 200 JSON answer').toBeDefined();
    const schema = z.fromJSONSchema(documented!);
    const json = await t.client().post('/auth/dev', { username: 'openapi_json', role: 'member' });
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toMatch(/application\/json/);
    expect(schema.safeParse(json.body).success, JSON.stringify(json.body)).toBe(true);
    expect(schema.safeParse({ ok: false }).success, 'the schema is not an empty one').toBe(false);

    expect(op.responses['302']).toBeDefined();
    const c = t.client();
    const token = /name="_csrf" value="([^"]+)"/.exec((await c.get('/auth/dev')).text)![1]!;
    const form = await c.request('POST', '/auth/dev', {
      raw: new URLSearchParams({ _csrf: token, username: 'openapi_form' }).toString(),
      contentType: 'application/x-www-form-urlencoded',
      csrf: false,
    });
    expect(form.status).toBe(302);
  });

  it('declares every path parameter, required, and no path parameter the path lacks', () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
        expect(declared.map((p) => p.name).sort(), `${method.toUpperCase()} ${path}`).toEqual(inPath);
        for (const p of declared) expect(p.required, `${method.toUpperCase()} ${path} {${p.name}}`).toBe(true);
      }
    }
  });
});
