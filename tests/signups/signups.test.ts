import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoomEventPayloads, type RoomEventType } from '../../shared/realtime';
import { ManualClock } from '../../server/deadlines/clock';
import { DATABASES } from '../support/databases';
import { type FakeOpenDota, startFakeOpenDota } from '../support/fake-opendota';
import { startHub, type TestHub } from '../support/hub';
import type { HttpClient } from '../support/http';
import { steamId64 } from '../steam/fixtures';

type Client = HttpClient & { userId: number };

const POSITIONS = { '1': 5, '2': 4, '3': 0, '4': 0, '5': 1 };
const HOUR = 3_600_000;

describe.each(DATABASES)('sign-ups over REST [%s]', (db) => {
  let t: TestHub;
  let od: FakeOpenDota;
  let clock: ManualClock;
  let staff: Client;
  let helper: Client; // tournament staff (a member) of each tournament made here
  let outsider: Client;
  let n = 0;

  beforeAll(async () => {
    od = await startFakeOpenDota();
    clock = new ManualClock(Date.parse('2026-12-01T18:00:00Z'));
    t = await startHub({ db, clock, env: { ...od.env(), OPENDOTA_RATE_MS: '10', STEAM_BACKOFF_MS: '100' } });
    staff = await t.login('sustaff', 'staff');
    helper = await t.login('suhelper');
    outsider = await t.login('suoutsider');
  });
  afterAll(async () => {
    await t?.close();
    await od?.close();
  });

  const knex = () => t.hub.services.db;
  const member = () => t.login(`sumember${++n}`);
  const steam = () => steamId64(800_000 + ++n);
  const body = (over: Record<string, unknown> = {}) => ({ steamId: steam(), declaredMmr: 3000, positions: POSITIONS, ...over });

  async function tournament(settings: Record<string, unknown> = {}): Promise<{ id: number; base: string }> {
    const res = await staff.post('/api/tournaments', { name: 'Sign-up Cup', startsAt: '2026-12-20T18:00:00Z' });
    expect(res.status).toBe(201);
    const base = `/api/tournaments/${res.body.id}`;
    expect((await staff.post(`${base}/staff`, { userId: helper.userId })).status).toBe(201);
    expect((await staff.patch(base, { state: 'registration' })).status).toBe(200);
    if (Object.keys(settings).length > 0) expect((await helper.put(`${base}/signup-settings`, settings)).status).toBe(200);
    return { id: res.body.id as number, base };
  }
  const events = async (id: number) =>
    (
      await knex()('events')
        .where({ room: `tournament:${id}` })
        .orderBy('seq')
        .select('type')
    ).map((e) => e.type as string);
  const pool = async (base: string) =>
    ((await t.client().get(`${base}/players`)).body.items as { user: { id: number }; mmr: number }[]).map((p) => [p.user.id, p.mmr]);
  const list = async (base: string, as: HttpClient = t.client()) => (await as.get(`${base}/signups`)).body.items as Record<string, any>[];
  const stateOf = async (base: string, userId: number) => (await list(base)).find((s) => s.user.id === userId)?.state as string | undefined;
  /** What the hub stores about sign-ups and the tournament room: unchanged after a refusal. */
  const stored = async (id: number) => ({
    signups: await knex()('signups').where({ tournamentId: id }).orderBy('userId'),
    settings: await knex()('signup_settings').where({ tournamentId: id }),
    pool: await knex()('pool_players').where({ tournamentId: id }).orderBy('userId'),
    events: await events(id),
  });

  it('SU1 a member signs up (pending with manual approval), edits it with the same call, withdraws, and may sign up again', async () => {
    const { id, base } = await tournament();
    const p = await member();
    const first = await p.post(`${base}/signups`, body({ note: 'can play late' }));
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({
      state: 'pending',
      declaredMmr: 3000,
      note: 'can play late',
      user: { id: p.userId },
      waitlistPosition: null,
      checkedIn: false,
    });
    const edit = await p.post(`${base}/signups`, body({ declaredMmr: 3300, note: '' }));
    expect(edit.status, edit.text).toBe(200);
    expect(edit.body).toMatchObject({ state: 'pending', declaredMmr: 3300 });
    expect(await knex()('signups').where({ tournamentId: id })).toHaveLength(1);
    const gone = await p.delete(`${base}/signups/me`);
    expect(gone.status, gone.text).toBe(200);
    expect(gone.body.state).toBe('withdrawn');
    expect((await p.delete(`${base}/signups/me`)).status).toBe(409);
    const again = await p.post(`${base}/signups`, body());
    expect(again.body.state).toBe('pending');
    expect((await events(id)).filter((e) => e.startsWith('signup.'))).toEqual(['signup.created', 'signup.updated', 'signup.withdrawn', 'signup.created']);
    const mine = await p.get('/api/me/signups');
    expect(mine.status).toBe(200);
    expect(mine.body.items).toEqual([
      expect.objectContaining({ tournament: expect.objectContaining({ id }), signup: expect.objectContaining({ state: 'pending' }), checkIn: null }),
    ]);
  });

  it('SU7 the list is public; the note only for staff and the member themself', async () => {
    const { base } = await tournament();
    const p = await member();
    await p.post(`${base}/signups`, body({ note: 'secret to staff' }));
    expect((await list(base))[0]).toMatchObject({ note: null, user: { id: p.userId } });
    expect((await list(base))[0]!.user).not.toHaveProperty('role');
    expect((await list(base, outsider))[0]!.note).toBeNull();
    expect((await list(base, helper))[0]!.note).toBe('secret to staff');
    expect((await list(base, p))[0]!.note).toBe('secret to staff');
    expect((await t.client().get('/api/tournaments/999999/signups')).status).toBe(404);
    expect((await outsider.get(`${base}/signups/${p.userId}/mmr-check`)).status).toBe(403);
    expect((await t.client().get(`${base}/signups/${p.userId}/mmr-check`)).status).toBe(401);
  });

  it('SU2 SU3 over capacity the sign-ups wait in order; automatic approval puts the first in the pool; a withdrawal lets the first waitlisted in', async () => {
    const { id, base } = await tournament({ capacity: 2, approval: 'automatic' });
    const [a, b, c, d] = [await member(), await member(), await member(), await member()];
    for (const p of [a, b, c, d]) expect((await p.post(`${base}/signups`, body({ declaredMmr: 3000 + p.userId }))).status).toBe(200);
    const items = await list(base);
    expect(items.map((s) => [s.user.id, s.state, s.waitlistPosition])).toEqual([
      [a.userId, 'approved', null],
      [b.userId, 'approved', null],
      [c.userId, 'waitlisted', 1],
      [d.userId, 'waitlisted', 2],
    ]);
    expect((await pool(base)).map(([u]) => u).sort()).toEqual([a.userId, b.userId].sort());
    // The member's own view (profile, header): "waitlisted #2".
    const own = (await d.get('/api/me/signups')).body.items;
    expect(own).toEqual([
      expect.objectContaining({
        tournament: expect.objectContaining({ id, state: 'registration' }),
        signup: expect.objectContaining({ state: 'waitlisted', waitlistPosition: 2 }),
      }),
    ]);
    const settings = await t.client().get(`${base}/signup-settings`);
    expect(settings.body).toMatchObject({ capacity: 2, approval: 'automatic', open: true, places: { taken: 2, waitlisted: 2 } });

    expect((await a.delete(`${base}/signups/me`)).status).toBe(200);
    expect(await stateOf(base, c.userId)).toBe('approved');
    expect((await list(base)).find((s) => s.user.id === d.userId)!.waitlistPosition).toBe(1);
    expect((await d.get('/api/me/signups')).body.items[0].signup.waitlistPosition).toBe(1);
    expect((await pool(base)).map(([u]) => u).sort()).toEqual([b.userId, c.userId].sort());
    expect((await events(id)).slice(-4)).toEqual(['pool.removed', 'signup.withdrawn', 'pool.added', 'signup.approved']);

    // A larger capacity lets the waitlist in.
    expect((await helper.put(`${base}/signup-settings`, { capacity: 3 })).status).toBe(200);
    expect(await stateOf(base, d.userId)).toBe('approved');
  });

  it('SU2 two members taking the last place at the same instant: one place, one waitlist entry (repeated)', async () => {
    for (let round = 0; round < 3; round++) {
      const { base } = await tournament({ capacity: 1, approval: 'automatic' });
      const [a, b] = [await member(), await member()];
      const answers = await Promise.all([a.post(`${base}/signups`, body()), b.post(`${base}/signups`, body())]);
      expect(answers.map((r) => r.status)).toEqual([200, 200]);
      expect(answers.map((r) => r.body.state).sort()).toEqual(['approved', 'waitlisted']);
      expect(await pool(base)).toHaveLength(1);
    }
  });

  it('SU2 six members at once for two places: two places, four in the waitlist numbered 1 to 4, the pool holds the two', async () => {
    const { id, base } = await tournament({ capacity: 2, approval: 'automatic' });
    const members = [];
    for (let i = 0; i < 6; i++) members.push(await member());
    const answers = await Promise.all(members.map((p) => p.post(`${base}/signups`, body())));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const items = await list(base);
    expect(items.filter((s) => s.state === 'approved')).toHaveLength(2);
    expect(items.filter((s) => s.state === 'waitlisted').map((s) => s.waitlistPosition)).toEqual([1, 2, 3, 4]);
    expect((await pool(base)).map(([u]) => u).sort()).toEqual(
      items
        .filter((s) => s.state === 'approved')
        .map((s) => s.user.id)
        .sort(),
    );
    // RT5: the room's events are numbered without a gap.
    const seqs = (
      await knex()('events')
        .where({ room: `tournament:${id}` })
        .orderBy('seq')
        .select('seq')
    ).map((e) => Number(e.seq));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it('SU3 staff taking an approved player out of the pool by hand decline the sign-up, and the first waitlisted moves up', async () => {
    const { id, base } = await tournament({ capacity: 1, approval: 'automatic' });
    const [a, b] = [await member(), await member()];
    await a.post(`${base}/signups`, body());
    await b.post(`${base}/signups`, body());
    expect((await helper.delete(`${base}/players/${a.userId}`)).status).toBe(204);
    expect((await list(base)).find((s) => s.user.id === a.userId)).toMatchObject({ state: 'declined', reason: 'removed from the pool by staff' });
    expect(await stateOf(base, b.userId)).toBe('approved');
    expect(await pool(base)).toEqual([[b.userId, 3000]]);
    expect((await events(id)).slice(-4)).toEqual(['pool.removed', 'signup.declined', 'pool.added', 'signup.approved']);
  });

  it('SU3 a captain cannot withdraw (their team would lose its captain): 409, nothing written', async () => {
    const { id, base } = await tournament({ approval: 'automatic' });
    const p = await member();
    expect((await p.post(`${base}/signups`, body())).body.state).toBe('approved');
    expect((await helper.post(`${base}/teams`, { captainUserId: p.userId })).status).toBe(201);
    const before = await stored(id);
    const refused = await p.delete(`${base}/signups/me`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('captain');
    expect(await stored(id)).toEqual(before);
  });

  it('SU5 SU6 refusals write nothing: closed, wrong state, MMR outside the range, no Steam, Steam of another member, declined', async () => {
    const { id, base } = await tournament({ mmrMin: 2000, mmrMax: 5000, closesAt: new Date(clock.now() + HOUR).toISOString() });
    const p = await member();
    const before = await stored(id);
    const low = await p.post(`${base}/signups`, body({ declaredMmr: 1999 }));
    expect(low.status).toBe(400);
    expect(low.body.error.issues).toEqual([expect.objectContaining({ path: ['body', 'declaredMmr'] })]);
    expect((await p.post(`${base}/signups`, body({ declaredMmr: 5001 }))).status).toBe(400);
    const noSteam = await p.post(`${base}/signups`, { declaredMmr: 3000, positions: POSITIONS });
    expect(noSteam.status).toBe(400);
    expect(noSteam.body.error.issues).toEqual([expect.objectContaining({ path: ['body', 'steamId'] })]);
    // Another member's Steam account: on their profile, or in their sign-up here.
    const holder = await member();
    const held = steam();
    expect((await holder.patch('/api/me', { steamId: held })).status).toBe(200);
    expect((await p.post(`${base}/signups`, body({ steamId: held }))).status).toBe(409);
    const other = await member();
    const used = steam();
    expect((await other.post(`${base}/signups`, body({ steamId: used }))).status).toBe(200);
    const afterOther = await stored(id);
    expect((await p.post(`${base}/signups`, body({ steamId: used }))).status).toBe(409);
    expect((await p.post(`${base}/signups`, { bogus: 1 })).status).toBe(400);
    expect((await t.client().post(`${base}/signups`, body())).status).toBe(401);
    expect((await p.post('/api/tournaments/999999/signups', body())).status).toBe(404);
    expect(await stored(id)).toEqual(afterOther);
    expect(afterOther.signups).toHaveLength(before.signups.length + 1);

    // Declined: no resubmission, and its Steam account stays taken.
    expect((await helper.post(`${base}/signups/${other.userId}/decline`, { reason: 'smurf' })).status).toBe(200);
    expect((await p.post(`${base}/signups`, body({ steamId: used }))).status).toBe(409);
    const declined = await other.post(`${base}/signups`, body());
    expect(declined.status).toBe(409);
    expect(declined.body.error.message).toContain('smurf');

    // After the closing time: no sign-up, no edit, no withdrawal.
    const late = await member();
    const q = await member();
    expect((await q.post(`${base}/signups`, body())).status).toBe(200);
    clock.advance(HOUR);
    const closedBefore = await stored(id);
    expect((await late.post(`${base}/signups`, body())).status).toBe(409);
    expect((await q.post(`${base}/signups`, body({ declaredMmr: 4000 }))).status).toBe(409);
    expect((await q.delete(`${base}/signups/me`)).status).toBe(409);
    expect(await stored(id)).toEqual(closedBefore);
    expect((await t.client().get(`${base}/signup-settings`)).body.open).toBe(false);

    // Closed by hand, and a tournament in another state.
    const other2 = await tournament({ closed: true });
    expect((await late.post(`${other2.base}/signups`, body())).status).toBe(409);
    const drafting = await tournament();
    expect((await staff.patch(drafting.base, { state: 'draft' })).status).toBe(200);
    const stateRefused = await late.post(`${drafting.base}/signups`, body());
    expect(stateRefused.status).toBe(409);
    expect(stateRefused.body.error.message).toContain('registration');
  });

  it('SU9 staff approve, decline with a reason, waitlist on and off, set the pool MMR; the pool follows and each is an event', async () => {
    const { id, base } = await tournament({ capacity: 2 });
    const [a, b, c] = [await member(), await member(), await member()];
    for (const p of [a, b, c]) await p.post(`${base}/signups`, body({ declaredMmr: 3500 }));
    expect(await stateOf(base, c.userId)).toBe('waitlisted');
    expect(await pool(base)).toEqual([]);

    const approved = await helper.post(`${base}/signups/${a.userId}/approve`);
    expect(approved.status, approved.text).toBe(200);
    expect(await pool(base)).toEqual([[a.userId, 3500]]);
    expect((await helper.post(`${base}/signups/${a.userId}/approve`)).status).toBe(409);
    // No free place for the waitlisted one.
    expect((await helper.post(`${base}/signups/${c.userId}/approve`)).status).toBe(409);
    expect((await helper.post(`${base}/signups/${c.userId}/waitlist`, { on: false })).status).toBe(409);

    const mmr = await helper.patch(`${base}/signups/${a.userId}`, { poolMmr: 4100 });
    expect(mmr.body).toMatchObject({ poolMmr: 4100, declaredMmr: 3500 });
    expect(await pool(base)).toEqual([[a.userId, 4100]]);

    // a to the waitlist: out of the pool, behind c.
    const moved = await helper.post(`${base}/signups/${a.userId}/waitlist`, { on: true });
    expect(moved.body).toMatchObject({ state: 'waitlisted', waitlistPosition: 2 });
    expect(await pool(base)).toEqual([]);
    // A place is free now: c off the waitlist (pending: approval is manual).
    expect((await helper.post(`${base}/signups/${c.userId}/waitlist`, { on: false })).body.state).toBe('pending');

    // Declining b (pending) frees a place: a, first waitlisted, moves up.
    const declined = await helper.post(`${base}/signups/${b.userId}/decline`, { reason: 'not in the guild' });
    expect(declined.body).toMatchObject({ state: 'declined', reason: 'not in the guild' });
    expect(await stateOf(base, a.userId)).toBe('pending');
    expect((await helper.post(`${base}/signups/${b.userId}/decline`, { reason: 'again' })).status).toBe(409);
    expect((await helper.post(`${base}/signups/${b.userId}/decline`, {})).status).toBe(400);
    expect((await helper.post(`${base}/signups/${outsider.userId}/approve`)).status).toBe(404);
    expect((await outsider.post(`${base}/signups/${a.userId}/approve`)).status).toBe(403);

    expect((await events(id)).filter((e) => e.startsWith('signup.') || e.startsWith('pool.'))).toEqual([
      'signup.settings',
      'signup.created',
      'signup.created',
      'signup.created',
      'pool.added',
      'signup.approved',
      'pool.updated',
      'signup.updated',
      'pool.removed',
      'signup.waitlisted',
      'signup.updated',
      'signup.declined',
      'signup.updated',
    ]);
  });

  it('SU9 the rules staff set: defaults, a partial change keeps the rest, a floor above the ceiling or a capacity of 0 is a 400 and writes nothing; the pool MMR back to the declared one', async () => {
    const { id, base } = await tournament();
    expect((await t.client().get(`${base}/signup-settings`)).body).toMatchObject({
      capacity: null,
      closesAt: null,
      closed: false,
      approval: 'manual',
      mmrMin: null,
      mmrMax: null,
      steamRequired: true,
      open: true,
      checkIn: null,
      places: { taken: 0, waitlisted: 0 },
    });
    expect((await helper.put(`${base}/signup-settings`, { mmrMax: 4000 })).body).toMatchObject({ mmrMax: 4000, steamRequired: true });
    const before = await stored(id);
    const crossed = await helper.put(`${base}/signup-settings`, { mmrMin: 4500 });
    expect(crossed.status).toBe(400);
    expect(crossed.body.error.issues).toEqual([expect.objectContaining({ path: ['body', 'mmrMax'] })]);
    expect((await helper.put(`${base}/signup-settings`, { mmrMin: 4500, mmrMax: 4000 })).status).toBe(400);
    expect((await helper.put(`${base}/signup-settings`, { capacity: 0 })).status).toBe(400);
    expect((await helper.put(`${base}/signup-settings`, { approval: 'sometimes' })).status).toBe(400);
    expect((await outsider.put(`${base}/signup-settings`, { capacity: 3 })).status).toBe(403);
    expect(await stored(id)).toEqual(before);
    expect((await t.client().get('/api/me/signups')).status).toBe(401);

    const p = await member();
    await p.post(`${base}/signups`, body({ declaredMmr: 3900 }));
    await helper.post(`${base}/signups/${p.userId}/approve`);
    expect((await helper.patch(`${base}/signups/${p.userId}`, { poolMmr: 4800 })).status).toBe(200);
    expect(await pool(base)).toEqual([[p.userId, 4800]]);
    expect((await helper.patch(`${base}/signups/${p.userId}`, { poolMmr: null })).body.poolMmr).toBeNull();
    expect(await pool(base)).toEqual([[p.userId, 3900]]);
    // The member's own edit of the declared MMR moves the pool row while staff set none.
    expect((await p.post(`${base}/signups`, body({ declaredMmr: 3700 }))).status).toBe(200);
    expect(await pool(base)).toEqual([[p.userId, 3700]]);
  });

  it('SU3 adding by hand and CSV import still work beside sign-ups; an approved sign-up already in the pool stays as it is', async () => {
    const { base } = await tournament();
    const p = await member();
    await p.post(`${base}/signups`, body());
    expect((await helper.post(`${base}/players`, { userId: p.userId, mmr: 2500 })).status).toBe(201);
    expect((await helper.post(`${base}/signups/${p.userId}/approve`)).status).toBe(200);
    expect(await pool(base)).toEqual([[p.userId, 2500]]);
    const csv = `discord_id,username,mmr\n${String(500_000_000_000_000_000n + BigInt(++n))},csvsu${n},3100\n`;
    const imported = await helper.post(`${base}/players/import`, { csv });
    expect(imported.status, imported.text).toBe(200);
    expect(await pool(base)).toHaveLength(2);
  });

  it('SU10 SU4 check-in: players and staff check in while the window is open; at the close who missed leaves and the checked-in waitlisted take the places, once', async () => {
    const { id, base } = await tournament({ capacity: 2, approval: 'automatic' });
    const [a, b, c, d] = [await member(), await member(), await member(), await member()];
    for (const p of [a, b, c, d]) await p.post(`${base}/signups`, body());
    expect((await a.post(`${base}/checkin`)).status).toBe(409); // not open yet

    expect((await helper.post(`${base}/checkin/open`, { closesAt: new Date(clock.now() - 1).toISOString() })).status).toBe(400);
    const opened = await helper.post(`${base}/checkin/open`, { closesAt: new Date(clock.now() + 30 * 60_000).toISOString() });
    expect(opened.status, opened.text).toBe(200);
    expect(opened.body.checkIn).toMatchObject({ open: true, closedAt: null });

    const self = await a.post(`${base}/checkin`);
    expect(self.status, self.text).toBe(200);
    expect(self.body.checkedIn).toBe(true);
    expect((await a.post(`${base}/checkin`)).status).toBe(200); // twice: nothing more
    expect((await helper.post(`${base}/signups/${d.userId}/checkin`)).body.checkedIn).toBe(true); // d waits second in line
    const stranger = await member();
    expect((await stranger.post(`${base}/checkin`)).status).toBe(404);
    const mine = (await b.get('/api/me/signups')).body.items[0];
    expect(mine.checkIn.open).toBe(true);

    const before = await events(id);
    clock.advance(30 * 60_000 - 1);
    expect(await events(id)).toEqual(before);
    clock.advance(1);
    await t.hub.services.commands.idle(5000);
    const closed = await waitForEvent(id, 'checkin.closed');
    expect(closed).toMatchObject({ removed: [b.userId], promoted: [d.userId] });
    const items = await list(base);
    expect(items.find((s) => s.user.id === b.userId)).toMatchObject({ state: 'declined', missedCheckIn: true });
    expect(items.find((s) => s.user.id === d.userId)).toMatchObject({ state: 'approved' });
    expect(items.find((s) => s.user.id === c.userId)).toMatchObject({ state: 'waitlisted', waitlistPosition: 1 });
    expect((await pool(base)).map(([u]) => u).sort()).toEqual([a.userId, d.userId].sort());
    expect((await events(id)).slice(before.length)).toEqual(['pool.removed', 'signup.declined', 'pool.added', 'signup.approved', 'checkin.closed']);
    // Once: no deadline is left, and checking in is over.
    expect(await knex()('deadlines').where({ room: `checkin:${id}` })).toEqual([]);
    expect((await c.post(`${base}/checkin`)).status).toBe(409);
    const settings = (await t.client().get(`${base}/signup-settings`)).body;
    expect(settings.checkIn).toMatchObject({ open: false });
    expect(settings.checkIn.closedAt).not.toBeNull();
  });

  async function waitForEvent(id: number, type: string): Promise<Record<string, unknown>> {
    for (let i = 0; i < 250; i++) {
      const row = await knex()('events')
        .where({ room: `tournament:${id}`, type })
        .first('payload');
      if (row) return typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no ${type} event`);
  }

  it('SU8 the MMR check: medal, leaderboard rank, games and last match from OpenDota; nulls, an unknown account and a failure are answers', async () => {
    const { base } = await tournament({ steamRequired: false });
    const ranked = await member();
    const account = 900_000 + ++n;
    od.setProfile(account, { personaname: 'Ranked One', steamid: steamId64(account), rank_tier: 75, leaderboard_rank: null });
    od.setWinLoss(account, { win: 310, lose: 290 });
    od.setRecent(account, [
      {
        match_id: 7_700_000_001,
        match_seq_num: 1,
        start_time: 1_764_900_000,
        duration: 2400,
        radiant_win: true,
        leagueid: 0,
        players: [{ account_id: account, player_slot: 0, hero_id: 1, kills: 5, deaths: 2, assists: 9 }],
      },
    ] as never);
    await ranked.post(`${base}/signups`, body({ steamId: steamId64(account) }));
    const check = await helper.get(`${base}/signups/${ranked.userId}/mmr-check`);
    expect(check.status, check.text).toBe(200);
    expect(check.body).toMatchObject({
      available: true,
      accountId: account,
      personaName: 'Ranked One',
      rankTier: 75,
      medal: 'Divine 5',
      leaderboardRank: null,
      gamesPlayed: 600,
      lastMatchAt: new Date(1_764_900_000 * 1000).toISOString(),
    });

    const unranked = await member();
    const account2 = 900_000 + ++n;
    od.setProfile(account2, { personaname: 'New', steamid: steamId64(account2), rank_tier: null });
    await unranked.post(`${base}/signups`, body({ steamId: steamId64(account2) }));
    expect((await helper.get(`${base}/signups/${unranked.userId}/mmr-check`)).body).toMatchObject({
      available: true,
      rankTier: null,
      medal: null,
      gamesPlayed: 0,
      lastMatchAt: null,
    });

    const unknown = await member();
    await unknown.post(`${base}/signups`, body({ steamId: steamId64(900_000 + ++n) }));
    expect((await helper.get(`${base}/signups/${unknown.userId}/mmr-check`)).body).toMatchObject({ available: false, reason: 'unknown_account' });

    const none = await member();
    await none.post(`${base}/signups`, { declaredMmr: 3000, positions: POSITIONS });
    expect((await helper.get(`${base}/signups/${none.userId}/mmr-check`)).body).toMatchObject({ available: false, reason: 'no_steam' });

    // OpenDota down: a sign-up still goes through at once, and the check says OpenDota failed.
    const failing = await member();
    od.setDown(503);
    try {
      const signed = await failing.post(`${base}/signups`, body());
      expect(signed.status).toBe(200);
      const down = await helper.get(`${base}/signups/${failing.userId}/mmr-check`);
      expect(down.status).toBe(200);
      expect(down.body).toMatchObject({ available: false, reason: 'upstream' });
    } finally {
      od.setDown(null);
    }
  });
  it('SU9 every sign-up and check-in event this file made fits its schema in the shared realtime contract', async () => {
    const rows = await knex()('events').whereIn('type', Object.keys(RoomEventPayloads)).select('type', 'payload');
    expect(rows.length).toBeGreaterThan(20);
    for (const row of rows) {
      const payload = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
      const check = RoomEventPayloads[row.type as RoomEventType].safeParse(payload);
      expect(check.success, `${row.type}: ${check.error?.message}`).toBe(true);
    }
  });
});
