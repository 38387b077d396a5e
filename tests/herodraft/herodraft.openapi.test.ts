import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub';

type JsonSchema = {
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  description?: string;
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
};

/**
 * The player draft names teams by id; the hero draft by their position in `teams[]`. A client
 * reading the OpenAPI document must be told which, on every such field.
 */
describe('the OpenAPI document on hero-draft team fields', () => {
  let t: TestHub;
  let root: JsonSchema;
  beforeAll(async () => {
    t = await startHub();
    const doc = (await t.client().get('/api/openapi.json')).body;
    root = doc.paths['/api/herodrafts/{heroDraftId}'].get.responses['200'].content['application/json'].schema;
  });
  afterAll(() => t?.close());

  /** A `$ref` into the document's `$defs`, followed. */
  const deref = (s: JsonSchema): JsonSchema => (s.$ref ? deref(root.$defs![s.$ref.replace('#/$defs/', '')]!) : s);
  /** The schema inside a nullable (`anyOf: [schema, null]`). */
  const nonNull = (s: JsonSchema): JsonSchema => deref(s.anyOf?.find((x) => x.type !== 'null') ?? s);
  const at = (...path: string[]): JsonSchema => path.reduce<JsonSchema>((s, key) => (key === '[]' ? nonNull(s).items! : nonNull(s).properties![key]!), root);

  it.each([
    ['toss.winner', ['toss', 'winner']],
    ['toss.due.team', ['toss', 'due', 'team']],
    ['turn.team', ['turn', 'team']],
    ['done[].team', ['done', '[]', 'team']],
    ['paused.resumeVotes[]', ['paused', 'resumeVotes', '[]']],
  ])('CM2 CM3 %s is described as a position in teams[] (0 = team A, 1 = team B), not a team id', (_name, path) => {
    const field = nonNull(at(...path));
    const said = `${at(...path).description ?? ''} ${field.description ?? ''}`;
    expect(said).toMatch(/position in `?teams\[\]`?/);
    expect(said).toMatch(/not a team id/);
    expect([field.minimum, field.maximum]).toEqual([0, 1]);
  });

  it('CM6 graceDueAt says it is set while a captain is away and announced by herodraft.grace', () => {
    expect(at('graceDueAt').description).toMatch(/herodraft\.grace/);
  });
});
