import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BracketMatch, Stage } from '../../shared/schemas/brackets';
import type { DraftView } from '../../shared/schemas/draft';
import { DATABASES } from '../support/databases';
import { eventually } from '../support/eventually';
import { FakeDiscordBot } from '../support/fake-discord-bot';
import { type FakeOpenDota, startFakeOpenDota } from '../support/fake-opendota';
import { type FakeSteam, startFakeSteam } from '../support/fake-steam';
import { startHub, type TestHub } from '../support/hub';
import type { HttpClient } from '../support/http';
import { captainOnTurn, setupDraft, unique } from '../draft/fixtures';
import type { HeroDraftView } from '../../shared/schemas/herodraft';
import { heroIdsSorted, setupHeroDraft, startDrafting, teamAWinsTheToss } from '../herodraft/fixtures';
import { finishedMatch, twoTeamSeries } from '../steam/fixtures';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gfake2.fake-bot-token-for-tests-9876543210';
const ANNOUNCE = '423456789012345678';
const STAFF = '523456789012345678';

/** Steam's pollers slow and quiet: only the imports a test asks for (match suggestions, DC19). */
const STEAM_QUIET = { STEAM_RATE_MS: '10', STEAM_SEQ_RATE_MS: '10', OPENDOTA_RATE_MS: '10', STEAM_BACKOFF_MS: '100', STEAM_LIVE_POLL_MS: '3600000' };

describe.each(DATABASES)('Discord notifications [%s]', (db) => {
  let discord: FakeDiscordBot;
  let steam: FakeSteam;
  let od: FakeOpenDota;
  let t: TestHub;

  beforeAll(async () => {
    [discord, steam, od] = await Promise.all([new FakeDiscordBot(TOKEN).start(), startFakeSteam(), startFakeOpenDota()]);
    t = await startHub({
      db,
      env: {
        DISCORD_BOT_TOKEN: TOKEN,
        DISCORD_API_BASE: discord.base,
        DISCORD_ANNOUNCE_CHANNEL_ID: ANNOUNCE,
        DISCORD_STAFF_CHANNEL_ID: STAFF,
        ...steam.env(),
        ...od.env(),
        ...STEAM_QUIET,
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([discord?.stop(), steam?.close(), od?.close()]);
  });

  /** Gives a development-login member a real-looking Discord id (they have none), so DMs can reach them. */
  async function withDiscordId(userId: number) {
    const discordId = `8${String(userId).padStart(17, '0')}`;
    await t.hub.services.db('users').where({ id: userId }).update({ discordId });
    return discordId;
  }

  const sentTo = (channel: string) => discord.messages.filter((m) => m.channel_id === channel).map((m) => m.content);

  describe('the bot tells', () => {
    it('DC9 DC10 the player draft: the announcements channel hears it start, each captain gets a DM when their turn starts, with the link', async () => {
      const staff = await t.login('dcstaff', 'staff');
      const s = await setupDraft(t, staff, { teams: 2, players: 2, teamSize: 2 });
      const ids = await Promise.all(s.captains.map((c) => withDiscordId(c.userId)));
      // PUBLIC_URL is the test hub's own address (tests/support/hub.ts).
      const link = `${t.url}/tournaments/${s.id}/draft`;
      let view = (await staff.post(`${s.base}/start`, {})).body as DraftView;
      const first = captainOnTurn(s, view);
      const firstDm = discord.dmChannelOf(ids[s.captains.indexOf(first)]!);
      await eventually(() => sentTo(ANNOUNCE).length === 1 && sentTo(firstDm).length === 1, 'the start announced and the first captain told', {
        timeoutMs: 8000,
      });
      expect(sentTo(ANNOUNCE)[0]).toMatch(new RegExp(`^The player draft of ${view.tournamentName} has started: watch it live\\.\\n`));
      expect(sentTo(ANNOUNCE)[0]!.endsWith(link)).toBe(true);
      expect(sentTo(firstDm)[0]).toBe(`Your turn to pick in the player draft of ${view.tournamentName} (pick 1).\n${link}`);

      const pick = await first.post(`${s.base}/picks`, { userId: s.players[0]!.userId, pickNumber: 1 });
      expect(pick.status, pick.text).toBe(201);
      view = pick.body as DraftView;
      const second = captainOnTurn(s, view);
      expect(second).not.toBe(first);
      const secondDm = discord.dmChannelOf(ids[s.captains.indexOf(second)]!);
      await eventually(() => sentTo(secondDm).length === 1, 'the second captain told', { timeoutMs: 8000 });
      expect(sentTo(secondDm)[0]).toMatch(/^Your turn to pick in the player draft of .+ \(pick 2\)\.\n/);
      // Each notice once; DMs opened for the captains only.
      expect(discord.messages).toHaveLength(3);
      expect(discord.calls.filter((c) => c.path === '/users/@me/channels').map((c) => c.body.recipient_id)).toEqual(
        expect.arrayContaining([ids[s.captains.indexOf(first)], ids[s.captains.indexOf(second)]]),
      );
    });

    it('DC11 a disputed report: the staff channel hears of it, with the bracket link; a claim alone tells nobody', async () => {
      const staff = await t.login('dcstaff2', 'staff');
      const created = await staff.post('/api/tournaments', { name: 'Dispute Cup', startsAt: '2030-05-01T18:00:00Z' });
      const id = created.body.id as number;
      const captains = [];
      for (let i = 0; i < 2; i++) {
        const user = await t.login(`dcdisp${i}`);
        captains.push(user);
        expect((await staff.post(`/api/tournaments/${id}/players`, { userId: user.userId, mmr: (i + 1) * 1000 })).status).toBe(201);
        expect((await staff.post(`/api/tournaments/${id}/teams`, { captainUserId: user.userId, name: `D${i + 1}` })).status).toBe(201);
      }
      const stage = await staff.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination', captainReports: true });
      expect(stage.status, stage.text).toBe(201);
      const series = (stage.body as { matches: { id: number; key: string }[] }).matches[0]!;
      const url = (what: string) => `/api/tournaments/${id}/series/${series.id}/${what}`;
      expect((await captains[0]!.post(url('claim'), { scoreA: 1, scoreB: 0 })).status).toBe(200);
      const before = sentTo(STAFF).length;
      const disputed = await captains[1]!.post(url('dispute'), {});
      expect(disputed.status, disputed.text).toBe(200);
      await eventually(() => sentTo(STAFF).length === before + 1, 'the staff told', { timeoutMs: 8000 });
      expect(sentTo(STAFF).at(-1)).toBe(
        `The result claimed for series ${series.key} is disputed: staff decide by reporting it.\n${t.url}/tournaments/${id}/bracket`,
      );
      expect(before).toBe(0);
    });

    it('DC10 each series result goes to the announcements channel with the bracket link, a correction says so', async () => {
      const staff = await t.login('dcstaff3', 'staff');
      const created = await staff.post('/api/tournaments', { name: 'Result Cup', startsAt: '2030-05-01T18:00:00Z' });
      const id = created.body.id as number;
      for (let i = 0; i < 2; i++) {
        const user = await t.login(`dcres${i}`);
        expect((await staff.post(`/api/tournaments/${id}/players`, { userId: user.userId, mmr: (i + 1) * 1000 })).status).toBe(201);
        expect((await staff.post(`/api/tournaments/${id}/teams`, { captainUserId: user.userId, name: `R${i + 1}` })).status).toBe(201);
      }
      const stage = await staff.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination' });
      expect(stage.status, stage.text).toBe(201);
      const series = (stage.body as { matches: { id: number; key: string }[] }).matches[0]!;
      const before = sentTo(ANNOUNCE).length;
      const reported = await staff.post(`/api/tournaments/${id}/series/${series.id}/report`, { scoreA: 1, scoreB: 0 });
      expect(reported.status, reported.text).toBe(200);
      const m = (reported.body as { matches: { id: number; version: number; teamA: { name: string }; teamB: { name: string } }[] }).matches.find(
        (x) => x.id === series.id,
      )!;
      const link = `${t.url}/tournaments/${id}/bracket`;
      await eventually(() => sentTo(ANNOUNCE).length === before + 1, 'the result announced', { timeoutMs: 8000 });
      expect(sentTo(ANNOUNCE).at(-1)).toBe(`Result, series ${series.key}: ${m.teamA.name} 1-0 ${m.teamB.name}.\n${link}`);
      const corrected = await staff.post(`/api/tournaments/${id}/series/${series.id}/report`, {
        scoreA: 0,
        scoreB: 1,
        correct: true,
        expectedVersion: m.version,
      });
      expect(corrected.status, corrected.text).toBe(200);
      await eventually(() => sentTo(ANNOUNCE).length === before + 2, 'the correction announced', { timeoutMs: 8000 });
      expect(sentTo(ANNOUNCE).at(-1)).toBe(`Corrected result, series ${series.key}: ${m.teamA.name} 0-1 ${m.teamB.name}.\n${link}`);
    });
  });

  /** The outbox rows of one kind (written in the command's transaction: there as soon as it answered). */
  const queued = async (kind: string) =>
    (await t.hub.services.db('discord_outbox').where({ kind }).orderBy('id')) as { content: string; userDiscordId: string | null }[];

  /** A tournament with `n` teams of one (each a captain with a Discord id), as staff create it. */
  async function teamsOf(staff: HttpClient, name: string, n: number) {
    const created = await staff.post('/api/tournaments', { name, startsAt: '2030-05-01T18:00:00Z' });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as number;
    const captains: { client: Awaited<ReturnType<TestHub['login']>>; discordId: string; teamId: number; team: string }[] = [];
    for (let i = 0; i < n; i++) {
      const client = await t.login(unique('dccap'));
      expect((await staff.post(`/api/tournaments/${id}/players`, { userId: client.userId, mmr: 5000 - i * 100 })).status).toBe(201);
      const team = `${name.split(' ')[0]}${i + 1}`;
      const res = await staff.post(`/api/tournaments/${id}/teams`, { captainUserId: client.userId, name: team });
      expect(res.status, res.text).toBe(201);
      captains.push({ client, discordId: await withDiscordId(client.userId), teamId: res.body.id, team });
    }
    return { id, captains };
  }

  const dmsOf = (discordId: string) => sentTo(discord.dmChannelOf(discordId));

  describe('DMs a member may turn off', () => {
    it('DC12 PATCH /api/me turns Discord DMs off and on again; the answer and /api/me say so; a wrong value is a 400 naming the field', async () => {
      const member = await t.login(unique('dcoptout'));
      expect((await member.get('/api/me')).body.user.discordDms).toBe(true);
      const off = await member.patch('/api/me', { discordDms: false });
      expect(off.status, off.text).toBe(200);
      expect(off.body.discordDms).toBe(false);
      expect((await member.get('/api/me')).body.user.discordDms).toBe(false);
      const bad = await member.patch('/api/me', { discordDms: 'no' });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body.error)).toContain('discordDms');
      expect((await member.get('/api/me')).body.user.discordDms).toBe(false);
      // Other fields leave it as it is; another member cannot read it.
      expect((await member.patch('/api/me', { mmr: 3200 })).body.discordDms).toBe(false);
      expect((await (await t.login(unique('dcother'))).get(`/api/users/${member.userId}`)).body.discordDms).toBeUndefined();
      const on = await member.patch('/api/me', { discordDms: true });
      expect(on.body.discordDms).toBe(true);
    });

    it('DC12 a captain who turned DMs off gets no turn DM (nothing queued); turned on again, the next turn is sent', async () => {
      const staff = await t.login(unique('dcoptstaff'), 'staff');
      const s = await setupDraft(t, staff, { teams: 2, players: 4, teamSize: 3, style: 'snake' });
      const ids = await Promise.all(s.captains.map((c) => withDiscordId(c.userId)));
      for (const c of s.captains) expect((await c.patch('/api/me', { discordDms: false })).status).toBe(200);
      const rowsFor = async (i: number) => (await queued('draft.turn')).filter((r) => r.userDiscordId === ids[i]);

      let view = (await staff.post(`${s.base}/start`, {})).body as DraftView;
      const first = s.captains.indexOf(captainOnTurn(s, view));
      const second = 1 - first;
      expect(await rowsFor(first)).toEqual([]);
      // The second captain turns DMs on again; the first keeps them off. Snake: first, second, second, first.
      expect((await s.captains[second]!.patch('/api/me', { discordDms: true })).status).toBe(200);
      for (let pick = 1; pick <= 3; pick++) {
        const res = await captainOnTurn(s, view).post(`${s.base}/picks`, { userId: s.players[pick - 1]!.userId, pickNumber: pick });
        expect(res.status, res.text).toBe(201);
        view = res.body as DraftView;
      }
      expect(captainOnTurn(s, view)).toBe(s.captains[first]);
      expect(await rowsFor(first)).toEqual([]);
      expect((await rowsFor(second)).map((r) => r.content.split('\n')[0])).toEqual([
        `Your turn to pick in the player draft of ${view.tournamentName} (pick 2).`,
        `Your turn to pick in the player draft of ${view.tournamentName} (pick 3).`,
      ]);
      await eventually(() => dmsOf(ids[second]!).length === 2, 'the second captain told twice', { timeoutMs: 8000 });
      expect(dmsOf(ids[first]!)).toEqual([]);
      // The start was announced all the same: opting out is about DMs only.
      expect((await queued('draft.started')).some((r) => r.content.includes(view.tournamentName))).toBe(true);
    });
  });

  describe('captains about their series', () => {
    it('DC12 DC13 DC14 a captain who turned DMs off is not told that their series is ready nor asked to confirm: nothing queued for them', async () => {
      const staff = await t.login(unique('dcquietstaff'), 'staff');
      const { id, captains } = await teamsOf(staff, 'Quiet Cup', 2);
      const [talker, quiet] = captains as [(typeof captains)[0], (typeof captains)[0]];
      expect((await quiet.client.patch('/api/me', { discordDms: false })).status).toBe(200);
      const rowsTo = async (kind: string, who: { discordId: string }) => (await queued(kind)).filter((r) => r.userDiscordId === who.discordId);
      const created = await staff.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination', captainReports: true });
      expect(created.status, created.text).toBe(201);
      expect(await rowsTo('series.ready', talker)).toHaveLength(1);
      expect(await rowsTo('series.ready', quiet)).toEqual([]);
      const m = (created.body as Stage).matches[0]!;
      const claim = await talker.client.post(
        `/api/tournaments/${id}/series/${m.id}/claim`,
        m.teamA!.id === talker.teamId ? { scoreA: 1, scoreB: 0 } : { scoreA: 0, scoreB: 1 },
      );
      expect(claim.status, claim.text).toBe(200);
      expect(await rowsTo('series.confirm', quiet)).toEqual([]);
      // Turned on again: the next report asks them.
      expect((await quiet.client.patch('/api/me', { discordDms: true })).status).toBe(200);
      const again = await talker.client.post(
        `/api/tournaments/${id}/series/${m.id}/claim`,
        m.teamA!.id === talker.teamId ? { scoreA: 1, scoreB: 0 } : { scoreA: 0, scoreB: 1 },
      );
      expect(again.status, again.text).toBe(200);
      expect(await rowsTo('series.confirm', quiet)).toHaveLength(1);
    });

    it('DC13 each captain gets one DM when a series of theirs is ready (opponent, best of, link); never twice for the same series', async () => {
      const staff = await t.login(unique('dcreadystaff'), 'staff');
      const { id, captains } = await teamsOf(staff, 'Ready Cup', 4);
      const link = `${t.url}/tournaments/${id}/bracket`;
      const readyRows = async () => (await queued('series.ready')).filter((r) => captains.some((c) => c.discordId === r.userDiscordId));
      const created = await staff.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination', bestOf: 3 });
      expect(created.status, created.text).toBe(201);
      let stage = created.body as Stage;
      const semis = stage.matches.filter((m) => m.status === 'ready');
      expect(semis).toHaveLength(2);
      const captainOf = (team: { id: number }) => captains.find((c) => c.teamId === team.id)!;
      const readyText = (m: BracketMatch, own: { name: string }, other: { name: string }) =>
        `Your series ${m.key} in Ready Cup is ready to play: ${own.name} vs ${other.name}, best of ${m.bestOf}.\n${link}`;
      await eventually(() => captains.every((c) => dmsOf(c.discordId).length === 1), 'each semi-finalist told', { timeoutMs: 8000 });
      for (const m of semis) {
        expect(dmsOf(captainOf(m.teamA!).discordId)).toEqual([readyText(m, m.teamA!, m.teamB!)]);
        expect(dmsOf(captainOf(m.teamB!).discordId)).toEqual([readyText(m, m.teamB!, m.teamA!)]);
      }

      const report = async (m: { id: number }, body: Record<string, unknown>) => {
        const res = await staff.post(`/api/tournaments/${id}/series/${m.id}/report`, body);
        expect(res.status, res.text).toBe(200);
        return res.body as Stage;
      };
      // The first semi: the final still waits for its other team, so nobody is told anything new.
      await report(semis[0]!, { scoreA: 2, scoreB: 0 });
      expect(await readyRows()).toHaveLength(4);
      stage = await report(semis[1]!, { scoreA: 0, scoreB: 2 });
      const final = stage.matches.find((m) => m.status === 'ready')!;
      expect([final.teamA!.id, final.teamB!.id].sort()).toEqual([semis[0]!.teamA!.id, semis[1]!.teamB!.id].sort());
      await eventually(
        () => dmsOf(captainOf(final.teamA!).discordId).length === 2 && dmsOf(captainOf(final.teamB!).discordId).length === 2,
        'both finalists told',
        {
          timeoutMs: 8000,
        },
      );
      expect(dmsOf(captainOf(final.teamA!).discordId)[1]).toBe(readyText(final, final.teamA!, final.teamB!));
      expect(final.bestOf).toBeGreaterThan(0);

      // A correction puts the other team of the first semi into the final: it is told, the finalist already told is not told again.
      const corrected = semis[0]!;
      const before = stage.matches.find((m) => m.id === corrected.id)!;
      stage = await report(corrected, { scoreA: 0, scoreB: 2, correct: true, expectedVersion: before.version });
      const newFinal = stage.matches.find((m) => m.id === final.id)!;
      expect([newFinal.teamA!.id, newFinal.teamB!.id]).toContain(corrected.teamB!.id);
      await eventually(() => dmsOf(captainOf(corrected.teamB!).discordId).length === 2, 'the new finalist told', { timeoutMs: 8000 });
      expect(await readyRows()).toHaveLength(7);
      // The final's result: nothing is ready any more, nothing new is queued.
      await report(newFinal, { scoreA: 2, scoreB: 1 });
      expect(await readyRows()).toHaveLength(7);
      const told = captains.map((c) => dmsOf(c.discordId).length);
      expect(told.reduce((a, b) => a + b, 0)).toBe(7);
    });

    it('DC14 a captain reports a result: the other captain alone gets a DM that it waits for their confirmation, with the link', async () => {
      const staff = await t.login(unique('dcconfstaff'), 'staff');
      const { id, captains } = await teamsOf(staff, 'Confirm Cup', 2);
      const created = await staff.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination', captainReports: true });
      expect(created.status, created.text).toBe(201);
      const m = (created.body as Stage).matches[0]!;
      const [reporter, other] = m.teamA!.id === captains[0]!.teamId ? [captains[0]!, captains[1]!] : [captains[1]!, captains[0]!];
      const sideOfReporter = m.teamA!.id === reporter.teamId ? 'a' : 'b';
      const before = (await queued('series.confirm')).length;
      const claim = await reporter.client.post(
        `/api/tournaments/${id}/series/${m.id}/claim`,
        sideOfReporter === 'a' ? { scoreA: 1, scoreB: 0 } : { scoreA: 0, scoreB: 1 },
      );
      expect(claim.status, claim.text).toBe(200);
      const rows = (await queued('series.confirm')).slice(before);
      expect(rows.map((r) => r.userDiscordId)).toEqual([other.discordId]);
      const score = sideOfReporter === 'a' ? '1-0' : '0-1';
      const expected = `${reporter.team} reported series ${m.key} in Confirm Cup: ${m.teamA!.name} ${score} ${m.teamB!.name}. It waits for your confirmation: confirm or dispute it.\n${t.url}/tournaments/${id}/bracket`;
      await eventually(() => dmsOf(other.discordId).includes(expected), 'the other captain asked', { timeoutMs: 8000 });
      expect(dmsOf(reporter.discordId).some((text) => text.includes('confirmation'))).toBe(false);
      // Confirming asks nobody anything more.
      const confirmed = await other.client.post(`/api/tournaments/${id}/series/${m.id}/confirm`, {});
      expect(confirmed.status, confirmed.text).toBe(200);
      expect(await queued('series.confirm')).toHaveLength(before + 1);
    });
  });

  describe('the announcements channel', () => {
    it('DC15 sign-up opening is announced with the sign-up link: the tournament entering registration, and staff reopening it; not while it stays open', async () => {
      const staff = await t.login(unique('dcsignstaff'), 'staff');
      const created = await staff.post('/api/tournaments', { name: 'Open Cup', startsAt: '2030-05-01T18:00:00Z' });
      const id = created.body.id as number;
      const link = `${t.url}/tournaments/${id}/signup`;
      const mine = async () => (await queued('signup.opened')).filter((r) => r.content.includes('Open Cup'));
      const moved = await staff.patch(`/api/tournaments/${id}`, { state: 'registration' });
      expect(moved.status, moved.text).toBe(200);
      const expected = `Sign-up is open for Open Cup: sign up on the hub, or with /signup here.\n${link}`;
      await eventually(() => sentTo(ANNOUNCE).includes(expected), 'sign-up announced', { timeoutMs: 8000 });
      // A change while open says nothing; closing says nothing; reopening with a close time says when it closes.
      const closesAt = Date.parse('2030-04-30T12:00:00Z');
      expect((await staff.put(`/api/tournaments/${id}/signup-settings`, { capacity: 20 })).status).toBe(200);
      expect((await staff.put(`/api/tournaments/${id}/signup-settings`, { closed: true })).status).toBe(200);
      expect(await mine()).toHaveLength(1);
      expect((await staff.put(`/api/tournaments/${id}/signup-settings`, { closed: false, closesAt: new Date(closesAt).toISOString() })).status).toBe(200);
      const again = `Sign-up is open for Open Cup until <t:${closesAt / 1000}:f>: sign up on the hub, or with /signup here.\n${link}`;
      await eventually(() => sentTo(ANNOUNCE).includes(again), 'the reopening announced', { timeoutMs: 8000 });
      expect(await mine()).toHaveLength(2);
    });

    it('DC15 a tournament entering registration with sign-up closed by staff announces nothing', async () => {
      const staff = await t.login(unique('dcsignstaff2'), 'staff');
      const created = await staff.post('/api/tournaments', { name: 'Closed Cup', startsAt: '2030-05-01T18:00:00Z' });
      const id = created.body.id as number;
      expect((await staff.put(`/api/tournaments/${id}/signup-settings`, { closed: true })).status).toBe(200);
      expect((await staff.patch(`/api/tournaments/${id}`, { state: 'registration' })).status).toBe(200);
      expect((await queued('signup.opened')).filter((r) => r.content.includes('Closed Cup'))).toEqual([]);
    });

    it('DC16 check-in opening is announced once with its close time (Discord shows it in each reader’s time zone) and the link', async () => {
      const staff = await t.login(unique('dccheckstaff'), 'staff');
      const created = await staff.post('/api/tournaments', { name: 'Check Cup', startsAt: '2030-05-01T18:00:00Z' });
      const id = created.body.id as number;
      expect((await staff.patch(`/api/tournaments/${id}`, { state: 'registration' })).status).toBe(200);
      const closesAt = Date.now() + 3_600_000 - (Date.now() % 1000);
      const opened = await staff.post(`/api/tournaments/${id}/checkin/open`, { closesAt: new Date(closesAt).toISOString() });
      expect(opened.status, opened.text).toBe(200);
      const expected = `Check-in is open for Check Cup until <t:${closesAt / 1000}:f>: check in on the hub, or with /checkin here. Players who do not check in lose their place.\n${t.url}/tournaments/${id}/signup`;
      await eventually(() => sentTo(ANNOUNCE).includes(expected), 'check-in announced', { timeoutMs: 8000 });
      // Moving its close while it is open announces nothing new.
      const later = await staff.post(`/api/tournaments/${id}/checkin/open`, { closesAt: new Date(closesAt + 600_000).toISOString() });
      expect(later.status, later.text).toBe(200);
      expect((await queued('checkin.opened')).filter((r) => r.content.includes('Check Cup'))).toHaveLength(1);
    });

    it('DC17 DC19 the teams are final when the player draft completes; a partial roster match asks staff to confirm it, once', async () => {
      const staff = await t.login(unique('dcteamstaff'), 'staff');
      const s = await twoTeamSeries(t, staff, 820000);
      const { name } = (await t.client().get(`/api/tournaments/${s.id}`)).body as { name: string };
      const teamsText = `The teams of ${name} are final: Alpha and Bravo.\n${t.url}/tournaments/${s.id}`;
      await eventually(() => sentTo(ANNOUNCE).includes(teamsText), 'the teams announced', { timeoutMs: 8000 });
      expect((await queued('teams.final')).filter((r) => r.content.includes(name))).toHaveLength(1);

      // Two stand-ins: 8 of 10 players, a suggestion for staff.
      od.addMatch(finishedMatch(8_300_000_001, [820000, 820001, 820002, 820003, 990101], [820005, 820006, 820007, 820008, 990102], true));
      const imported = await staff.post(`/api/tournaments/${s.id}/steam/import`, { matchIds: ['8300000001'] });
      expect(imported.body).toMatchObject({ suggested: 1 });
      const key = (await t.client().get(`/api/tournaments/${s.id}/bracket`)).body.stages[0].matches.find((m: { id: number }) => m.id === s.seriesId).key;
      const suggestion = `Match 8300000001 may be series ${key} of ${name} (Alpha vs Bravo: 8 of 10 players): confirm or dismiss the suggestion.\n${t.url}/tournaments/${s.id}/matches`;
      await eventually(() => sentTo(STAFF).includes(suggestion), 'staff asked', { timeoutMs: 8000 });
      // The same match again: already suggested, nothing new.
      await staff.post(`/api/tournaments/${s.id}/steam/import`, { matchIds: ['8300000001'] });
      expect((await queued('match.suggested')).filter((r) => r.content.includes('8300000001'))).toHaveLength(1);
    });

    it('DC18 the winner is announced when the tournament finishes, once; finishing it again with the same winner says nothing', async () => {
      const staff = await t.login(unique('dcwinstaff'), 'staff');
      const { id } = await teamsOf(staff, 'Winner Cup', 2);
      const stage = await staff.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination' });
      const m = (stage.body as Stage).matches[0]!;
      expect((await staff.post(`/api/tournaments/${id}/series/${m.id}/report`, { scoreA: 0, scoreB: 1 })).status).toBe(200);
      const step = async (state: string) => expect((await staff.patch(`/api/tournaments/${id}`, { state })).status).toBe(200);
      for (const state of ['registration', 'drafting', 'playing']) await step(state);
      expect(await queued('tournament.winner')).toEqual([]);
      await step('finished');
      const expected = `${m.teamB!.name} won Winner Cup!\n${t.url}/tournaments/${id}`;
      await eventually(() => sentTo(ANNOUNCE).includes(expected), 'the winner announced', { timeoutMs: 8000 });
      await step('playing');
      await step('finished');
      expect((await queued('tournament.winner')).filter((r) => r.content.includes('Winner Cup'))).toHaveLength(1);
    });
  });

  describe('the staff channel', () => {
    it('DC19 a sign-up waiting for approval: a new one under manual approval and one moved up from the waitlist; none when approval is automatic', async () => {
      const staff = await t.login(unique('dcpendstaff'), 'staff');
      const created = await staff.post('/api/tournaments', { name: 'Pending Cup', startsAt: '2030-05-01T18:00:00Z' });
      const id = created.body.id as number;
      expect((await staff.put(`/api/tournaments/${id}/signup-settings`, { capacity: 1, steamRequired: false, approval: 'manual' })).status).toBe(200);
      expect((await staff.patch(`/api/tournaments/${id}`, { state: 'registration' })).status).toBe(200);
      const mine = async () => (await queued('signup.pending')).filter((r) => r.content.includes('Pending Cup'));
      const positions = { '1': 5, '2': 4, '3': 0, '4': 0, '5': 0 };
      const a = await t.login(unique('dcpenda'));
      const b = await t.login(unique('dcpendb'));
      const nameOf = async (c: HttpClient) => (await c.get('/api/me')).body.user.displayName as string;
      expect((await a.post(`/api/tournaments/${id}/signups`, { declaredMmr: 4100, positions })).body.state).toBe('pending');
      const first = `${await nameOf(a)} (4100 MMR) signed up for Pending Cup and waits for approval.\n${t.url}/tournaments/${id}/manage`;
      await eventually(() => sentTo(STAFF).includes(first), 'staff told of the sign-up', { timeoutMs: 8000 });
      // The second goes to the waitlist: nothing to approve yet. When the first withdraws, it moves up and waits.
      const waitlisted = await b.post(`/api/tournaments/${id}/signups`, { declaredMmr: 3900, positions });
      expect(waitlisted.body.state).toBe('waitlisted');
      expect(await mine()).toHaveLength(1);
      expect((await a.delete(`/api/tournaments/${id}/signups/me`)).status).toBe(200);
      const second = `${await nameOf(b)} (3900 MMR) signed up for Pending Cup and waits for approval.\n${t.url}/tournaments/${id}/manage`;
      await eventually(() => sentTo(STAFF).includes(second), 'staff told of the promotion', { timeoutMs: 8000 });
      // Automatic approval: nothing waits, nothing is said.
      expect((await staff.put(`/api/tournaments/${id}/signup-settings`, { approval: 'automatic', capacity: null })).status).toBe(200);
      const c = await t.login(unique('dcpendc'));
      const auto = await c.post(`/api/tournaments/${id}/signups`, { declaredMmr: 3000, positions });
      expect(auto.body.state).toBe('approved');
      expect(await mine()).toHaveLength(2);
    });
  });

  describe('the hero draft', () => {
    let h: TestHub;
    beforeAll(async () => {
      h = await startHub({
        db,
        env: { DISCORD_BOT_TOKEN: TOKEN, DISCORD_API_BASE: discord.base, DISCORD_ANNOUNCE_CHANNEL_ID: ANNOUNCE, HERODRAFT_GRACE_MS: '60000' },
        random: teamAWinsTheToss(),
      });
    });
    afterAll(() => h?.close());

    it('DC9 a captain gets a DM when the hero draft comes to their team (first step, then each change of hands), with its link', async () => {
      const staff = await h.login('dccmstaff', 'staff');
      const s = await setupHeroDraft(h, staff);
      const ids: string[] = [];
      for (const c of s.captains) {
        const discordId = `7${String(c.userId).padStart(17, '0')}`;
        await h.hub.services.db('users').where({ id: c.userId }).update({ discordId });
        ids.push(discordId);
      }
      let v: HeroDraftView = await startDrafting(s);
      const heroes = heroIdsSorted();
      // Who acts at each step, and so when the turn changes hands.
      const acting: { team: 0 | 1; action: string }[] = [{ team: v.turn!.team as 0 | 1, action: v.turn!.action }];
      for (let i = 0; i < 6; i++) {
        const team = v.turn!.team as 0 | 1;
        const res = await s.captains[team].post(`${s.base}/steps`, { stepIndex: i, heroId: heroes[i * 2] });
        expect(res.status, res.text).toBe(201);
        v = res.body as HeroDraftView;
        acting.push({ team: v.turn!.team as 0 | 1, action: v.turn!.action });
      }
      const handovers = acting.filter((a, i) => i === 0 || a.team !== acting[i - 1]!.team);
      const expected = (team: 0 | 1) => handovers.filter((a) => a.team === team).length;
      const dms = (team: 0 | 1) => sentTo(discord.dmChannelOf(ids[team]!));
      await eventually(() => dms(0).length === expected(0) && dms(1).length === expected(1), 'one DM per handover', { timeoutMs: 8000 });
      expect(handovers.length).toBeGreaterThan(1);
      const link = `${h.url}/herodrafts/${s.id}`;
      expect(dms(handovers[0]!.team)[0]).toMatch(new RegExp(`^Your ${handovers[0]!.action} in the hero draft of .+ vs .+: you are on turn\\.\\n`));
      for (const team of [0, 1] as const) for (const text of dms(team)) expect(text.endsWith(link)).toBe(true);
    });
  });
});
