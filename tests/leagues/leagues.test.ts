import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../support/databases';
import { startHub, type TestHub } from '../support/hub';

describe.each(DATABASES)('leagues over REST [%s]', (db) => {
  let t: TestHub;
  let staff: Awaited<ReturnType<TestHub['login']>>;
  beforeAll(async () => {
    t = await startHub({ db });
    staff = await t.login('leaguestaff', 'staff');
  });
  afterAll(() => t?.close());

  async function create(name: string, steamLeagueId?: number | null) {
    const res = await staff.post('/api/leagues', steamLeagueId === undefined ? { name } : { name, steamLeagueId });
    expect(res.status, res.text).toBe(201);
    return res.body as { id: number; name: string; steamLeagueId: number | null };
  }

  it('creates, lists (by name), reads, renames and deletes a league', async () => {
    const b = await create('  Beta League  ', 17000);
    expect(b).toEqual({ id: expect.any(Number), name: 'Beta League', steamLeagueId: 17000 });
    const a = await create('alpha league');
    expect(a.steamLeagueId).toBeNull();

    const list = await t.client().get('/api/leagues');
    expect(list.status).toBe(200);
    expect(list.body.items.map((l: { name: string }) => l.name)).toEqual(['alpha league', 'Beta League']);
    expect((await t.client().get(`/api/leagues/${b.id}`)).body).toEqual(b);

    // A rename keeps the Steam league id; setting only the id keeps the name.
    const renamed = await staff.patch(`/api/leagues/${b.id}`, { name: 'Gamma League' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toEqual({ id: b.id, name: 'Gamma League', steamLeagueId: 17000 });
    const reid = await staff.patch(`/api/leagues/${b.id}`, { steamLeagueId: 17001 });
    expect(reid.body).toEqual({ id: b.id, name: 'Gamma League', steamLeagueId: 17001 });
    const unset = await staff.patch(`/api/leagues/${b.id}`, { steamLeagueId: null });
    expect(unset.body.steamLeagueId).toBeNull();
    expect((await t.client().get(`/api/leagues/${b.id}`)).body).toEqual({ id: b.id, name: 'Gamma League', steamLeagueId: null });

    const del = await staff.delete(`/api/leagues/${a.id}`);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect((await t.client().get(`/api/leagues/${a.id}`)).status).toBe(404);
    expect((await t.client().get('/api/leagues')).body.items.map((l: { id: number }) => l.id)).not.toContain(a.id);
    await staff.delete(`/api/leagues/${b.id}`);
  });

  it('an admin may manage leagues too', async () => {
    const admin = await t.login('leagueadmin', 'admin');
    const res = await admin.post('/api/leagues', { name: 'Admin League' });
    expect(res.status).toBe(201);
    expect((await admin.delete(`/api/leagues/${res.body.id}`)).status).toBe(204);
  });

  it('refuses a duplicate name (any case) or Steam league id with 409', async () => {
    const first = await create('Dup League', 42);
    for (const body of [{ name: 'Dup League' }, { name: 'dup league' }, { name: 'Other League', steamLeagueId: 42 }]) {
      const res = await staff.post('/api/leagues', body);
      expect(res.status, JSON.stringify(body)).toBe(409);
      expect(res.body.error.code).toBe('conflict');
    }
    const second = await create('Second League');
    expect((await staff.patch(`/api/leagues/${second.id}`, { name: 'DUP LEAGUE' })).status).toBe(409);
    expect((await staff.patch(`/api/leagues/${second.id}`, { steamLeagueId: 42 })).status).toBe(409);
    // Renaming a league to its own name (another case) is not a duplicate.
    expect((await staff.patch(`/api/leagues/${first.id}`, { name: 'DUP league', steamLeagueId: 42 })).status).toBe(200);
    expect((await t.client().get(`/api/leagues/${second.id}`)).body).toEqual({ id: second.id, name: 'Second League', steamLeagueId: null });
  });

  it('RT4 two creates racing for one name: exactly one 201, the other 409', async () => {
    const results = await Promise.all([staff.post('/api/leagues', { name: 'Race League' }), staff.post('/api/leagues', { name: 'Race League' })]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const named = (await t.client().get('/api/leagues')).body.items.filter((l: { name: string }) => l.name === 'Race League');
    expect(named).toHaveLength(1);
  });

  it('refuses to delete a league while a tournament uses it (409), allows it afterwards', async () => {
    const league = await create('Used League');
    const tournament = await staff.post('/api/tournaments', { name: 'Cup', startsAt: '2030-01-01T18:00:00Z', leagueId: league.id });
    expect(tournament.status, tournament.text).toBe(201);
    const refused = await staff.delete(`/api/leagues/${league.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/used by 1 tournament/);
    expect((await t.client().get(`/api/leagues/${league.id}`)).status).toBe(200);
    expect((await staff.delete(`/api/tournaments/${tournament.body.id}`)).status).toBe(204);
    expect((await staff.delete(`/api/leagues/${league.id}`)).status).toBe(204);
  });

  it('RT8 a rename shows at once on the tournament page that uses the league', async () => {
    const league = await create('Shown League');
    const tournament = (await staff.post('/api/tournaments', { name: 'Shown Cup', startsAt: '2030-01-01T18:00:00Z', leagueId: league.id })).body;
    expect((await t.client().get(`/api/tournaments/${tournament.id}`)).body.league.name).toBe('Shown League');
    await staff.patch(`/api/leagues/${league.id}`, { name: 'Renamed League' });
    expect((await t.client().get(`/api/tournaments/${tournament.id}`)).body.league.name).toBe('Renamed League');
  });

  it('RT3 members and anonymous users cannot change leagues; unknown ids are 404 first', async () => {
    const league = await create('Guarded League');
    const member = await t.login('leaguemember', 'member');
    const anon = t.client();
    expect((await anon.post('/api/leagues', { name: 'Nope' })).status).toBe(401);
    expect((await anon.patch(`/api/leagues/${league.id}`, { name: 'Nope' })).status).toBe(401);
    expect((await anon.delete(`/api/leagues/${league.id}`)).status).toBe(401);
    const created = await member.post('/api/leagues', { name: 'Nope' });
    expect(created.status).toBe(403);
    expect(created.body.error.code).toBe('forbidden');
    expect((await member.patch(`/api/leagues/${league.id}`, { name: 'Nope' })).status).toBe(403);
    expect((await member.delete(`/api/leagues/${league.id}`)).status).toBe(403);
    expect((await member.patch('/api/leagues/999999', { name: 'Nope' })).status).toBe(404);
    expect((await staff.patch('/api/leagues/999999', { name: 'Nope' })).status).toBe(404);
    expect((await staff.delete('/api/leagues/999999')).status).toBe(404);
    expect((await t.client().get('/api/leagues/999999')).status).toBe(404);
    // Without the CSRF token even staff are refused.
    expect((await staff.post('/api/leagues', { name: 'Nope' }, { csrf: false })).status).toBe(403);
    const names = (await t.client().get('/api/leagues')).body.items.map((l: { name: string }) => l.name);
    expect(names).not.toContain('Nope');
    expect(names).toContain('Guarded League');
  });

  it('RT2 bad input is 400 with issues and writes nothing', async () => {
    const league = await create('Valid League');
    const bad: unknown[] = [
      {},
      { name: '' },
      { name: '   ' },
      { name: 'x'.repeat(101) },
      { name: 'A', steamLeagueId: 0 },
      { name: 'A', steamLeagueId: 1.5 },
      { name: 'A', steamLeagueId: '5' },
      { name: 'A', extra: 1 },
    ];
    for (const body of bad) {
      const res = await staff.post('/api/leagues', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('invalid_payload');
      expect(res.body.error.issues.length).toBeGreaterThan(0);
    }
    expect((await staff.patch(`/api/leagues/${league.id}`, { name: '' })).status).toBe(400);
    expect((await staff.patch(`/api/leagues/${league.id}`, { id: 5 })).status).toBe(400);
    expect((await staff.patch('/api/leagues/abc', { name: 'x' })).status).toBe(400);
    const list = (await t.client().get('/api/leagues')).body.items.map((l: { name: string }) => l.name);
    expect(list).not.toContain('A');
    expect((await t.client().get(`/api/leagues/${league.id}`)).body.name).toBe('Valid League');
  });

  it('RT8 the cached list and item follow every change', async () => {
    const c = t.client();
    const before = (await c.get('/api/leagues')).body.items.length;
    await c.get('/api/leagues'); // served from the cache now
    const league = await create('Fresh League');
    expect((await c.get('/api/leagues')).body.items).toHaveLength(before + 1);
    await c.get(`/api/leagues/${league.id}`);
    await staff.patch(`/api/leagues/${league.id}`, { name: 'Fresher League' });
    expect((await c.get(`/api/leagues/${league.id}`)).body.name).toBe('Fresher League');
    await staff.delete(`/api/leagues/${league.id}`);
    expect((await c.get(`/api/leagues/${league.id}`)).status).toBe(404);
    expect((await c.get('/api/leagues')).body.items).toHaveLength(before);
  });
});
