import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allHeroes, fromDotaconstants, heroes } from '../../server/herodraft/heroes';
import type { Hero } from '../../shared/schemas/herodraft';
import { startHub, type TestHub } from '../support/hub';

describe('GET /api/heroes: Captains Mode heroes by default, every hero with scope=all', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startHub();
  });
  afterAll(() => t?.close());

  it('without a query: the Captains Mode list, as before, each hero flagged captainsMode', async () => {
    const res = await t.client().get('/api/heroes');
    expect(res.status).toBe(200);
    const list: Hero[] = res.body.heroes;
    expect(list.map((h) => h.id)).toEqual(heroes().map((h) => h.id));
    expect(list.every((h) => h.captainsMode === true)).toBe(true);
    expect((await t.client().get('/api/heroes?scope=captainsMode')).body).toEqual(res.body);
  });

  it('scope=all: every hero (match pages name heroes Captains Mode leaves out), Pudge is 14', async () => {
    const res = await t.client().get('/api/heroes?scope=all');
    expect(res.status).toBe(200);
    expect(res.body.imageBase).toBe('https://cdn.cloudflare.steamstatic.com');
    const list: Hero[] = res.body.heroes;
    expect(list).toHaveLength(allHeroes().length);
    expect(list.length).toBeGreaterThanOrEqual(heroes().length);
    expect(list.find((h) => h.id === 14)).toMatchObject({ localizedName: 'Pudge', primaryAttr: 'str', img: '/apps/dota2/images/dota_react/heroes/pudge.png' });
    const ids = new Set(list.map((h) => h.id));
    for (const h of heroes()) expect(ids.has(h.id)).toBe(true);
    for (const h of list) expect(typeof h.captainsMode).toBe('boolean');
  });

  it('an unknown scope is a 400 naming the query parameter', async () => {
    const res = await t.client().get('/api/heroes?scope=everything');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_payload');
    expect(res.body.error.issues[0].path).toEqual(['query', 'scope']);
  });

  it('the OpenAPI document shows the optional scope parameter', async () => {
    const doc = (await t.client().get('/api/openapi.json')).body;
    const scope = doc.paths['/api/heroes'].get.parameters.find((p: { name: string }) => p.name === 'scope');
    expect(scope).toMatchObject({ in: 'query', required: false, schema: { enum: ['captainsMode', 'all'] } });
  });

  it('a hero dotaconstants marks cm_enabled: false is kept, flagged, and left out of the draft list', () => {
    const raw = {
      '1': { id: 1, name: 'npc_dota_hero_antimage', localized_name: 'Anti-Mage', primary_attr: 'agi', img: '/a.png?', icon: '/a_icon.png?', cm_enabled: true },
      '200': { id: 200, name: 'npc_dota_hero_newcomer', localized_name: 'Newcomer', primary_attr: 'all', cm_enabled: false },
      '14': { id: 14, name: 'npc_dota_hero_pudge', localized_name: 'Pudge', primary_attr: 'str' },
    };
    const list = fromDotaconstants(raw);
    expect(list.map((h) => [h.localizedName, h.captainsMode])).toEqual([
      ['Anti-Mage', true],
      ['Newcomer', false],
      ['Pudge', true], // no flag: enabled
    ]);
    expect(list[0]).toMatchObject({ img: '/a.png', icon: '/a_icon.png' });
    expect(list[1]).toMatchObject({ primaryAttr: 'all', img: null, icon: null });
  });
});
