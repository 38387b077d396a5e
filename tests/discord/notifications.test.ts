import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DraftView } from '../../shared/schemas/draft';
import { eventually } from '../support/eventually';
import { FakeDiscordBot } from '../support/fake-discord-bot';
import { startHub, type TestHub } from '../support/hub';
import { captainOnTurn, setupDraft } from '../draft/fixtures';
import type { HeroDraftView } from '../../shared/schemas/herodraft';
import { heroIdsSorted, setupHeroDraft, startDrafting, teamAWinsTheToss } from '../herodraft/fixtures';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gfake2.fake-bot-token-for-tests-9876543210';
const ANNOUNCE = '423456789012345678';
const STAFF = '523456789012345678';

let discord: FakeDiscordBot;
let t: TestHub;

beforeAll(async () => {
  discord = await new FakeDiscordBot(TOKEN).start();
  t = await startHub({
    env: { DISCORD_BOT_TOKEN: TOKEN, DISCORD_API_BASE: discord.base, DISCORD_ANNOUNCE_CHANNEL_ID: ANNOUNCE, DISCORD_STAFF_CHANNEL_ID: STAFF },
  });
});
afterAll(async () => {
  await t?.close();
  await discord?.stop();
});

/** Gives a development-login member a real-looking Discord id (they have none), so DMs can reach them. */
async function withDiscordId(userId: number) {
  const discordId = `8${String(userId).padStart(17, '0')}`;
  await t.hub.services.db('users').where({ id: userId }).update({ discordId });
  return discordId;
}

const sentTo = (channel: string) => discord.messages.filter((m) => m.channel_id === channel).map((m) => m.content);

describe('Discord notifications', () => {
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

describe('Discord notifications: hero draft', () => {
  let h: TestHub;
  beforeAll(async () => {
    h = await startHub({
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
