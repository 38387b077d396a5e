import { type HeroDraftDelta, heroDraftScalars } from '../../shared/live/herodraft';
import { rooms } from '../../shared/rooms';
import type { HeroDraftView, HeroList } from '../../shared/schemas/herodraft';
import { tags } from '../cache/read-cache';
import { roomTag } from '../commands/command';
import { isoTime } from '../db/base.model';
import type { Db } from '../db/knex';
import { serverTimeOf } from '../deadlines/deadlines';
import { readConsistently, roomSeq } from '../events/snapshot';
import type { HubServices } from '../services';
import { findTournament } from '../tournaments/access';
import { displayName } from '../users/user.model';
import { actingTeam, heroDraftTournament, type HeroDraftRows, loadHeroDraftRows, reserveOf, turnClock } from './herodraft.load';
import { HeroDraft } from './herodraft.model';
import { choiceDue, turnDeadline } from './herodraft.rules';
import { allHeroes, heroes } from './heroes';

/** `all` for pages that name the heroes of real games; the default stays what a draft offers. */
export function heroList(hub: HubServices, scope: 'captainsMode' | 'all' = 'captainsMode'): HeroList {
  return { imageBase: hub.config.heroDraft.imageBase, heroes: scope === 'all' ? allHeroes() : heroes() };
}

/** The draft's public view at `seq`: what its room's events carry and its snapshot shows. */
export function buildHeroDraftView(rows: HeroDraftRows, seq: number): HeroDraftView {
  const d = rows.draft;
  const team = actingTeam(d);
  const clock = d.status === 'drafting' ? turnClock(d) : null;
  const choices = d.tossWinner === null ? null : { tossWinner: d.tossWinner, winnerChoice: d.winnerChoice, loserChoice: d.loserChoice };
  const done = rows.done.map((s) => ({
    stepIndex: s.stepIndex,
    team: (s.teamId === d.homeTeamId ? 0 : 1) as 0 | 1,
    action: s.action,
    heroId: s.heroId,
    method: s.method,
  }));
  return {
    id: d.id,
    tournamentId: d.tournamentId,
    bracketMatchId: d.bracketMatchId,
    gameNumber: d.gameNumber,
    preset: d.preset,
    steps: d.steps,
    reserveSeconds: d.reserveSeconds,
    status: d.status,
    teams: rows.teams.map((t, i) => ({
      id: t.id,
      name: t.name,
      captain: { id: t.captainUserId, name: rows.captains[i] ? displayName(rows.captains[i]) : `user ${t.captainUserId}` },
      ready: Boolean(i === 0 ? d.homeReady : d.awayReady),
      reserveMs: reserveOf(d, i as 0 | 1),
      side: d.radiant === null ? null : d.radiant === i ? ('radiant' as const) : ('dire' as const),
      firstPick: d.firstPick === null ? null : d.firstPick === i,
      picks: done.filter((s) => s.team === i && s.action === 'pick' && s.heroId !== null).map((s) => s.heroId!),
      bans: done.filter((s) => s.team === i && s.action === 'ban' && s.heroId !== null).map((s) => s.heroId!),
    })),
    toss: {
      winner: d.tossWinner,
      winnerChoice: d.winnerChoice,
      loserChoice: d.loserChoice,
      due: d.status === 'choosing' && choices ? choiceDue(choices) : null,
    },
    stepIndex: d.stepIndex,
    done,
    turn:
      clock && team !== null
        ? {
            stepIndex: d.stepIndex,
            team,
            action: d.steps[d.stepIndex]!.action,
            startedAt: new Date(clock.startedAt).toISOString(),
            stepMs: clock.stepMs,
            reserveMs: clock.reserveMs,
            deadlineAt: new Date(turnDeadline(clock)).toISOString(),
          }
        : null,
    paused:
      d.status === 'paused' && team !== null
        ? { reason: d.pauseReason, stepMs: d.stepMs ?? 0, reserveMs: reserveOf(d, team), resumeVotes: d.resumeVotes ?? [] }
        : null,
    graceDueAt: d.graceDueAtMs === null ? null : new Date(Number(d.graceDueAtMs)).toISOString(),
    completedAt: d.completedAt ? isoTime(d.completedAt) : null,
    seq,
  };
}

/** Events whose effect is the whole draft: its setup (preset, steps, reserve) and a reset. */
const WHOLE_VIEW_EVENTS = new Set(['herodraft.created', 'herodraft.configured', 'herodraft.reset']);

/**
 * What a hero-draft event carries: its details (the step done, the grace, the penalty…) and the
 * view's changing fields at the event (`set`). Creating the draft, changing its timings and a
 * reset carry the whole view too, so every hero draft's log starts with a whole view.
 * shared/live/herodraft.ts applies it.
 */
export function heroDraftEventPayload(view: HeroDraftView, type: string, details: Record<string, unknown>): HeroDraftDelta & Record<string, unknown> {
  const set = heroDraftScalars(view);
  return WHOLE_VIEW_EVENTS.has(type) ? { ...details, set, heroDraft: view } : { ...details, set };
}

/** The draft and the seq it reflects, read consistently (the room snapshot). */
export async function heroDraftSnapshot(db: Db, id: number): Promise<HeroDraftView> {
  return readConsistently(db, async (trx) => buildHeroDraftView(await loadHeroDraftRows(trx, id), await roomSeq(trx, rooms.heroDraft(id))));
}

/** Besides its own room, a view shows team and captain names. */
export const heroDraftTags = (tournamentId: number) => [tags.tournament(tournamentId), tags.userList()];

/** The REST read: the cached view plus the hub's clock (for countdowns). */
export async function readHeroDraft(hub: HubServices, id: number) {
  const tournamentId = await heroDraftTournament(hub.db, id);
  const view = await hub.cache.get(`herodraft:${id}`, [roomTag(rooms.heroDraft(id)), ...heroDraftTags(tournamentId)], () => heroDraftSnapshot(hub.db, id));
  return { ...view, serverTime: serverTimeOf(hub) };
}

/** The drafts of a tournament (a match page finds its draft and result here, the bracket page its series' drafts). */
export async function listHeroDrafts(hub: HubServices, tournamentId: number): Promise<{ items: HeroDraftView[] }> {
  await findTournament(hub.db, tournamentId);
  const ids = (await HeroDraft.query(hub.db).where({ tournamentId }).orderBy('id').select('id')).map((r) => r.id);
  // Every bracket spectator reads this: cached per set of drafts, stale on any of their events.
  const roomTags = ids.map((id) => roomTag(rooms.heroDraft(id)));
  return hub.cache.get(`herodrafts:${tournamentId}:${ids.join(',')}`, [...heroDraftTags(tournamentId), ...roomTags], async () => ({
    items: await Promise.all(ids.map((id) => heroDraftSnapshot(hub.db, id))),
  }));
}
