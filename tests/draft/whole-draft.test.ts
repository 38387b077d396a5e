import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyDraftEvent } from '../../shared/live/draft';
import type { DraftStyle, DraftView } from '../../shared/schemas/draft';
import { derivePosition, seededRandom, slotTeamIndex } from '../../server/draft/draft.rules';
import { ScriptedRandom } from '../support/random';
import { DATABASES } from '../support/databases';
import { startHub, type TestHub } from '../support/hub';
import { socketJar, unwrap } from '../support/socket';
import { checkFinalRosters, type Client, position, setupDraft } from './fixtures';

const TEAMS = 8;
const TEAM_SIZE = 5;
const PLAYERS = 34; // two left over once every team is full

/** Replays the final state with the pure rules: they must agree with every stored pick and roll. */
function replay(view: DraftView) {
  const mmr = new Map(view.pool.map((p) => [p.user.id, p.mmr]));
  for (const team of view.teams) mmr.set(team.captain.id, team.members[0]!.mmr);
  return derivePosition({
    style: view.style,
    teamSize: view.teamSize,
    teams: view.teams.map((t) => ({ id: t.id, captain: { userId: t.captain.id, mmr: mmr.get(t.captain.id)! } })),
    pool: view.pool.map((p) => ({ userId: p.user.id, mmr: p.mmr })),
    picks: view.picks.map((p) => ({ pickNumber: p.pickNumber, teamId: p.teamId, userId: p.userId })),
    rolls: view.rolls,
  });
}

describe.each(DATABASES)('whole 8-team drafts through the socket API [%s]', (db) => {
  let t: TestHub;
  let staff: Client;
  const sockets = socketJar();
  const open = (client?: Client) => sockets.open(t.url, client ? { cookie: client.cookieHeader() } : {});

  beforeAll(async () => {
    t = await startHub({ db, random: new ScriptedRandom(seededRandom(2026)) });
    staff = (await t.login('wholestaff', 'staff')) as Client;
  });
  afterEach(() => sockets.closeAll());
  afterAll(() => t?.close());

  async function wholeDraft(style: DraftStyle, captainMmr: (i: number) => number) {
    // Players' MMRs repeat in pairs so that shuffle totals tie now and then.
    const s = await setupDraft(t, staff, {
      teams: TEAMS,
      players: PLAYERS,
      teamSize: TEAM_SIZE,
      open: false,
      captainMmr,
      playerMmr: (i) => 7000 - Math.floor(i / 2) * 150,
    });
    const spectator = await open();
    const joined = unwrap(await spectator.join(s.room));
    const control = await open(staff);
    unwrap(await control.command('draft.configure', { tournamentId: s.id, style }));
    unwrap(await control.command('draft.open', { tournamentId: s.id }));
    let view = unwrap(await control.command('draft.start', { tournamentId: s.id }));
    const captainSockets = await Promise.all(s.captains.map((c) => open(c)));

    let n = 0;
    while (view.status === 'running') {
      const turn = view.turn!;
      if (style === 'shuffle') {
        // DR4: the team on turn is a lowest non-full team; a tie was rolled for.
        const openTeams = view.teams.filter((x) => !x.full);
        const lowest = Math.min(...openTeams.map((x) => x.totalMmr));
        expect(view.teams.find((x) => x.id === turn.teamId)!.totalMmr).toBe(lowest);
        const tied = openTeams.filter((x) => x.totalMmr === lowest).map((x) => x.id);
        if (tied.length > 1) expect(view.rolls.some((r) => r.pickNumber === turn.pickNumber)).toBe(true);
      }
      // Captains pick by turns: the best, the second best, or the third best left.
      const available = view.pool.filter((p) => p.teamId === null);
      const choice = available[n++ % Math.min(3, available.length)]!;
      const socket = captainSockets[s.teamIds.indexOf(turn.teamId!)]!;
      view = unwrap(await socket.command('draft.pick', { tournamentId: s.id, userId: choice.user.id, pickNumber: turn.pickNumber }));
    }

    checkFinalRosters(view);
    expect(view.picks).toHaveLength(TEAMS * (TEAM_SIZE - 1));
    expect(view.teams.every((x) => x.members.length === TEAM_SIZE)).toBe(true);
    expect(view.pool.filter((p) => p.teamId === null)).toHaveLength(PLAYERS - TEAMS * (TEAM_SIZE - 1));
    const replayed = replay(view);
    expect(replayed.complete).toBe(true);
    expect(replayed.teams.map((x) => x.total)).toEqual(view.teams.map((x) => x.totalMmr));

    // The spectator saw every event, in order, and holds the same final state as a fresh read.
    const events = await spectator.until(
      () => spectator.eventsOf(s.room).at(-1)?.type === 'draft.completed' && spectator.eventsOf(s.room),
      'the completed event',
    );
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => joined.seq + i + 1));
    if (!('snapshot' in joined)) throw new Error('a first join answers with a snapshot');
    const final = events.reduce(applyDraftEvent, joined.snapshot as DraftView);
    expect(position(final)).toEqual(position((await t.client().get(s.base)).body));
    // The tournament's teams are the drafted teams.
    const teams = (await t.client().get(`/api/tournaments/${s.id}/teams`)).body.items as { id: number; members: { user: { id: number } }[] }[];
    expect(teams.map((x) => [x.id, x.members.map((m) => m.user.id)])).toEqual(view.teams.map((x) => [x.id, x.members.map((m) => m.user.id)]));
    return { s, view };
  }

  it('DR2 DR8 a whole 8-team snake draft: the order reverses every round and every team ends with five', { timeout: 120_000 }, async () => {
    const { s, view } = await wholeDraft('snake', (i) => 2000 + i * 100);
    expect(view.picks.map((p) => p.teamId)).toEqual(view.picks.map((_, k) => s.teamIds[slotTeamIndex('snake', TEAMS, k)]));
    expect(view.rolls).toEqual([]);
  });

  it('DR4 DR5 DR8 a whole 8-team shuffle draft: the lowest total always picks, ties are rolled and stored', { timeout: 120_000 }, async () => {
    // Equal captains: the first pick is an eight-way tie.
    const { view } = await wholeDraft('shuffle', () => 3000);
    const firstRolls = view.rolls.filter((r) => r.pickNumber === 1 && r.round === 1);
    expect(firstRolls.map((r) => r.teamId).sort()).toEqual([...view.teams.map((x) => x.id)].sort());
    expect(view.rolls.every((r) => r.value >= 1 && r.value <= 6)).toBe(true);
  });
});
