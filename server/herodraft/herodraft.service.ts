import type { Knex } from 'knex';
import { rooms } from '../../shared/rooms';
import type {
  HeroDraftChoice,
  HeroDraftCreate,
  HeroDraftGraceEvent,
  HeroDraftStep,
  HeroDraftStepEvent,
  HeroDraftView,
  HeroList,
} from '../../shared/schemas/herodraft';
import { type Actor, requireUser } from '../auth/actor';
import { tags } from '../cache/read-cache';
import { type CommandTx, roomTag } from '../commands/command';
import { isoTime } from '../db/base.model';
import type { Db } from '../db/knex';
import { serverTimeOf, type Deadline } from '../deadlines/deadlines';
import { readConsistently, roomSeq } from '../events/snapshot';
import { conflict, forbidden, notFound } from '../commands/errors';
import type { HubServices } from '../services';
import { Team } from '../teams/team.model';
import { findTournament, isTournamentStaff, requireTournamentStaff } from '../tournaments/access';
import { displayName, User } from '../users/user.model';
import { HeroDraft, HeroDraftStepRow } from './herodraft.model';
import {
  availableHeroes,
  buildSequence,
  checkChoice,
  checkHero,
  choiceDue,
  coinToss,
  deduct,
  DEFAULT_PRESET,
  DEFAULT_TIMING,
  type Preset,
  settleChoices,
  spend,
  teamOfStep,
  timeoutChoice,
  type TurnClock,
  turnDeadline,
} from './herodraft.rules';
import { allHeroes, heroes, heroIds } from './heroes';

/** Deadline kinds: the step on turn, and a captain's disconnect grace. */
export const STEP_DEADLINE = 'herodraft.step';
export const GRACE_DEADLINE = 'herodraft.grace';

/** `all` for pages that name the heroes of real games; the default stays what a draft offers. */
export function heroList(hub: HubServices, scope: 'captainsMode' | 'all' = 'captainsMode'): HeroList {
  return { imageBase: hub.config.heroDraft.imageBase, heroes: scope === 'all' ? allHeroes() : heroes() };
}

// ---------------------------------------------------------------- loading and views

interface Loaded {
  draft: HeroDraft;
  teams: [Team, Team];
  captains: [User | undefined, User | undefined];
  done: HeroDraftStepRow[];
}

async function load(db: Knex, id: number): Promise<Loaded> {
  const draft = await HeroDraft.query(db).findById(id);
  if (!draft) throw notFound(`hero draft ${id}`);
  const [teamA, teamB, done] = await Promise.all([
    Team.query(db).findById(draft.homeTeamId),
    Team.query(db).findById(draft.awayTeamId),
    HeroDraftStepRow.query(db).where({ heroDraftId: id }).orderBy('stepIndex'),
  ]);
  const users = await User.query(db).findByIds([teamA!.captainUserId, teamB!.captainUserId]);
  const byId = new Map(users.map((u) => [u.id, u]));
  return { draft, teams: [teamA!, teamB!], captains: [byId.get(teamA!.captainUserId), byId.get(teamB!.captainUserId)], done };
}

const num = (v: number | string | null) => (v === null ? null : Number(v));
const reserveOf = (d: HeroDraft, team: 0 | 1) => (team === 0 ? d.homeReserveMs : d.awayReserveMs);
const reserveColumn = (team: 0 | 1) => (team === 0 ? 'homeReserveMs' : 'awayReserveMs');

/** The acting team (0/1) of the current step, when drafting or paused. */
function actingTeam(d: HeroDraft): 0 | 1 | null {
  const step = d.steps[d.stepIndex];
  if (!step || d.firstPick === null) return null;
  return teamOfStep(step, d.firstPick);
}

function turnClock(d: HeroDraft): TurnClock | null {
  const team = actingTeam(d);
  const startedAt = num(d.turnStartedAtMs);
  if (team === null || startedAt === null || d.stepMs === null) return null;
  return { startedAt, stepMs: d.stepMs, reserveMs: reserveOf(d, team) };
}

function buildView(l: Loaded, seq: number): HeroDraftView {
  const d = l.draft;
  const team = actingTeam(d);
  const clock = d.status === 'drafting' ? turnClock(d) : null;
  const choices = d.tossWinner === null ? null : { tossWinner: d.tossWinner, winnerChoice: d.winnerChoice, loserChoice: d.loserChoice };
  const done = l.done.map((s) => ({
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
    teams: l.teams.map((t, i) => ({
      id: t.id,
      name: t.name,
      captain: { id: t.captainUserId, name: l.captains[i] ? displayName(l.captains[i]) : `user ${t.captainUserId}` },
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

/** The draft and the seq it reflects, read consistently (the room snapshot). */
export async function heroDraftSnapshot(db: Db, id: number): Promise<HeroDraftView> {
  return readConsistently(db, async (trx) => buildView(await load(trx, id), await roomSeq(trx, rooms.heroDraft(id))));
}

/** Besides its own room, a view shows team and captain names. */
export const heroDraftTags = (tournamentId: number) => [tags.tournament(tournamentId), tags.userList()];

async function tournamentOf(db: Knex, id: number): Promise<number> {
  const row = await HeroDraft.query(db).findById(id).select('tournamentId');
  if (!row) throw notFound(`hero draft ${id}`);
  return row.tournamentId;
}

/** The REST read: the cached view plus the hub's clock (for countdowns). */
export async function readHeroDraft(hub: HubServices, id: number) {
  const tournamentId = await tournamentOf(hub.db, id);
  const view = await hub.cache.get(`herodraft:${id}`, [roomTag(rooms.heroDraft(id)), ...heroDraftTags(tournamentId)], () => heroDraftSnapshot(hub.db, id));
  return { ...view, serverTime: serverTimeOf(hub) };
}

/** The drafts of a tournament (a match page finds its draft and result here, the bracket page its series' drafts). */
export async function listHeroDrafts(hub: HubServices, tournamentId: number): Promise<{ items: HeroDraftView[] }> {
  await findTournament(hub.db, tournamentId);
  const ids = (await HeroDraft.query(hub.db).where({ tournamentId }).orderBy('id').select('id')).map((r) => r.id);
  // Every bracket spectator reads this: cached per set of drafts, stale on any of their events.
  const draftTags = ids.map((id) => roomTag(rooms.heroDraft(id)));
  return hub.cache.get(`herodrafts:${tournamentId}:${ids.join(',')}`, [...heroDraftTags(tournamentId), ...draftTags], async () => ({
    items: await Promise.all(ids.map((id) => heroDraftSnapshot(hub.db, id))),
  }));
}

/** Captain user ids of team A and B (presence of the room). */
export async function heroDraftParticipants(db: Knex, id: number): Promise<number[]> {
  const l = await load(db, id);
  return l.teams.map((t) => t.captainUserId);
}

// ---------------------------------------------------------------- commands

interface Ctx {
  hub: HubServices;
  tx: CommandTx;
  id: number;
  room: string;
  l: Loaded;
  now: number;
}

async function begin(hub: HubServices, tx: CommandTx, id: number, expectedSeq?: number): Promise<Ctx> {
  const room = rooms.heroDraft(id);
  await tx.lock(room, expectedSeq);
  return { hub, tx, id, room, l: await load(tx.db, id), now: hub.clock.now() };
}

async function staffOnly(ctx: Ctx) {
  await requireTournamentStaff(ctx.tx.db, ctx.tx.actor, ctx.l.draft.tournamentId);
}

/** The team index (0/1) whose captain this user is, or null. */
const captainTeam = (l: Loaded, userId: number): 0 | 1 | null => (l.teams[0].captainUserId === userId ? 0 : l.teams[1].captainUserId === userId ? 1 : null);

function requireStatus(ctx: Ctx, allowed: string[], doing: string) {
  const status = ctx.l.draft.status;
  if (!allowed.includes(status)) throw conflict(`cannot ${doing} while the hero draft is ${status} (only when ${allowed.join(' or ')})`);
}

/**
 * Writes changes to the draft row and applies them to the loaded state, which the command's
 * answer and event are built from (reloading the draft, its teams, steps and captains after
 * every write cost five queries). herodraft.state.test.ts checks the two never drift apart.
 */
async function patch(ctx: Ctx, changes: Partial<HeroDraft>) {
  const updatedAt = new Date().toISOString();
  await HeroDraft.query(ctx.tx.db)
    .findById(ctx.id)
    .patch({ ...changes, updatedAt } as never);
  Object.assign(ctx.l.draft, changes, { updatedAt });
}

/**
 * Emits the event with the new view, then arms or clears the deadlines for the state it
 * leaves, set at the room's new seq (any later event voids them).
 */
async function finish(ctx: Ctx, type: string, details: Record<string, unknown> = {}): Promise<HeroDraftView> {
  const seq = (await ctx.tx.lock(ctx.room)) + 1;
  const view = buildView(ctx.l, seq);
  await ctx.tx.emit(ctx.room, type, { ...details, heroDraft: view });
  await armDeadlines(ctx, seq);
  return view;
}

async function armDeadlines(ctx: Ctx, seq: number) {
  const scheduler = ctx.hub.deadlines;
  const d = ctx.l.draft;
  const clock = d.status === 'drafting' ? turnClock(d) : null;
  if (clock) {
    const deadline: Deadline = { kind: STEP_DEADLINE, room: ctx.room, dueAt: turnDeadline(clock), expectedSeq: seq, payload: { stepIndex: d.stepIndex } };
    await scheduler.set(ctx.tx, deadline);
  } else {
    await scheduler.clear(ctx.tx, STEP_DEADLINE, ctx.room);
  }
  const grace = num(d.graceDueAtMs);
  if (grace !== null && d.status === 'drafting') {
    await scheduler.set(ctx.tx, { kind: GRACE_DEADLINE, room: ctx.room, dueAt: grace, expectedSeq: seq, payload: {} });
  } else {
    await scheduler.clear(ctx.tx, GRACE_DEADLINE, ctx.room);
  }
}

type Guard = { expectedSeq?: number | undefined };
type Timings = {
  preset?: Preset | undefined;
  firstBanSeconds?: number | undefined;
  stepSeconds?: number | undefined;
  reserveSeconds?: number | undefined;
  steps?: HeroDraftStep[] | undefined;
};

/** Steps and reserve from a preset and timings (or explicit steps), defaulting to what `current` has. */
function sequenceFrom(input: Timings, current?: { preset: string; steps: HeroDraftStep[]; reserveSeconds: number }) {
  const preset = (input.preset ?? current?.preset ?? DEFAULT_PRESET) as Preset;
  const reserveSeconds = input.reserveSeconds ?? current?.reserveSeconds ?? DEFAULT_TIMING.reserveSeconds;
  if (input.steps) return { preset, steps: input.steps, reserveSeconds };
  const keepSteps = current && input.preset === undefined && input.firstBanSeconds === undefined && input.stepSeconds === undefined;
  if (keepSteps) return { preset, steps: current.steps, reserveSeconds };
  const timing = {
    firstBanSeconds: input.firstBanSeconds ?? current?.steps[0]?.seconds ?? DEFAULT_TIMING.firstBanSeconds,
    stepSeconds: input.stepSeconds ?? current?.steps[current.steps.length - 1]?.seconds ?? DEFAULT_TIMING.stepSeconds,
    reserveSeconds,
  };
  return { preset, steps: buildSequence(preset, timing).steps, reserveSeconds };
}

/**
 * A draft's creation and the changes to its result are also events of the tournament room:
 * the bracket page and the tournament's draft list follow that room.
 */
async function announce(ctx: Ctx, type: string) {
  const d = ctx.l.draft;
  await ctx.tx.emit(rooms.tournament(d.tournamentId), type, {
    heroDraftId: d.id,
    bracketMatchId: d.bracketMatchId,
    gameNumber: d.gameNumber,
    status: d.status,
  });
}

/** Staff create a draft for a match between two teams of the tournament. */
export function createHeroDraft(hub: HubServices, actor: Actor | null, tournamentId: number, input: HeroDraftCreate): Promise<HeroDraftView> {
  return hub.commands.run(actor, async (tx) => {
    await requireTournamentStaff(tx.db, actor, tournamentId);
    // Serialises creations in the tournament, so a double click cannot draft one series game twice.
    await tx.lock(rooms.tournament(tournamentId));
    if (input.teamAId === input.teamBId) throw conflict('a draft needs two different teams');
    const teams = await Team.query(tx.db).whereIn('id', [input.teamAId, input.teamBId]).where({ tournamentId });
    if (teams.length !== 2) throw notFound(`teams ${input.teamAId} and ${input.teamBId} in tournament ${tournamentId}`);
    if (input.bracketMatchId != null)
      await checkBracketMatch(tx.db, tournamentId, input.bracketMatchId, [input.teamAId, input.teamBId], input.gameNumber ?? null);
    const seq = sequenceFrom(input);
    const reserveMs = seq.reserveSeconds * 1000;
    const [row] = await tx
      .db('hero_drafts')
      .insert({
        tournamentId,
        homeTeamId: input.teamAId,
        awayTeamId: input.teamBId,
        bracketMatchId: input.bracketMatchId ?? null,
        gameNumber: input.gameNumber ?? null,
        preset: seq.preset,
        steps: JSON.stringify(seq.steps),
        reserveSeconds: seq.reserveSeconds,
        status: 'waiting',
        homeReserveMs: reserveMs,
        awayReserveMs: reserveMs,
      })
      .returning('id');
    const id = Number(typeof row === 'object' ? row.id : row);
    const ctx = await begin(hub, tx, id);
    tx.touch(tags.tournament(tournamentId));
    const view = await finish(ctx, 'herodraft.created');
    await announce(ctx, 'herodraft.created');
    return view;
  });
}

/**
 * A linked bracket match must be of this tournament and, once its teams are known, between these
 * two; a game of it is within its best-of and has at most one draft that is not abandoned.
 */
async function checkBracketMatch(db: Knex, tournamentId: number, matchId: number, teamIds: number[], gameNumber: number | null) {
  const match = await db('bracket_matches').where({ id: matchId, tournamentId }).first('teamIdA', 'teamIdB', 'bestOf');
  if (!match) throw notFound(`bracket match ${matchId} in tournament ${tournamentId}`);
  const teams = [match.teamIdA, match.teamIdB].filter((x) => x !== null);
  if (teams.some((x) => !teamIds.includes(Number(x)))) throw conflict('that bracket match is between other teams');
  if (gameNumber === null) return;
  if (gameNumber > Number(match.bestOf)) throw conflict(`the series is best of ${match.bestOf}: there is no game ${gameNumber}`);
  const existing = await HeroDraft.query(db).where({ bracketMatchId: matchId, gameNumber }).whereNot('status', 'abandoned').first();
  if (existing) throw conflict(`game ${gameNumber} of this series already has hero draft ${existing.id} (reset or abandon it instead)`);
}

/** Staff change the preset and timings before the draft starts (CM timings). */
export function configureHeroDraft(hub: HubServices, actor: Actor | null, id: number, input: Timings & Guard): Promise<HeroDraftView> {
  return hub.commands.run(actor, async (tx) => {
    const ctx = await begin(hub, tx, id, input.expectedSeq);
    await staffOnly(ctx);
    requireStatus(ctx, ['waiting'], 'change the timings');
    const seq = sequenceFrom(input, ctx.l.draft);
    await patch(ctx, {
      preset: seq.preset,
      steps: seq.steps,
      reserveSeconds: seq.reserveSeconds,
      homeReserveMs: seq.reserveSeconds * 1000,
      awayReserveMs: seq.reserveSeconds * 1000,
    });
    return finish(ctx, 'herodraft.configured');
  });
}

/** A captain readies up (or not); when both are ready the server tosses the coin. */
export function setReady(hub: HubServices, actor: Actor | null, id: number, input: { ready: boolean }): Promise<HeroDraftView> {
  const user = requireUser(actor);
  return hub.commands.run(actor, async (tx) => {
    const ctx = await begin(hub, tx, id);
    const team = captainTeam(ctx.l, user.id);
    if (team === null) throw forbidden('only the two captains of this match ready up');
    requireStatus(ctx, ['waiting'], 'ready up');
    await patch(ctx, team === 0 ? { homeReady: input.ready } : { awayReady: input.ready });
    if (ctx.l.draft.homeReady && ctx.l.draft.awayReady) {
      const winner = coinToss(hub.random);
      await patch(ctx, { status: 'choosing', tossWinner: winner });
      return finish(ctx, 'herodraft.tossed', { team, ready: input.ready, winner });
    }
    return finish(ctx, 'herodraft.ready', { team, ready: input.ready });
  });
}

/** CM2: the toss winner chooses first pick or side; the other captain the remaining one. */
export function choose(hub: HubServices, actor: Actor | null, id: number, input: HeroDraftChoice): Promise<HeroDraftView> {
  const user = requireUser(actor);
  return hub.commands.run(actor, async (tx) => {
    const ctx = await begin(hub, tx, id);
    const team = captainTeam(ctx.l, user.id);
    if (team === null) throw forbidden('only the two captains of this match choose');
    requireStatus(ctx, ['choosing'], 'choose');
    const d = ctx.l.draft;
    const state = { tossWinner: d.tossWinner!, winnerChoice: d.winnerChoice, loserChoice: d.loserChoice };
    const problem = checkChoice(state, team, input);
    if (problem) throw conflict(problem);
    if (!state.winnerChoice) {
      await patch(ctx, { winnerChoice: input });
      return finish(ctx, 'herodraft.chosen', { team, choice: input });
    }
    state.loserChoice = input;
    const { firstPick, radiant } = settleChoices(state);
    await patch(ctx, {
      loserChoice: input,
      firstPick,
      radiant,
      status: 'drafting',
      stepIndex: 0,
      turnStartedAtMs: ctx.now,
      stepMs: d.steps[0]!.seconds * 1000,
    });
    return finish(ctx, 'herodraft.started', { team, choice: input, firstPick, radiant });
  });
}

/**
 * Records the current step (a captain's hero, or a timeout's) and moves on: the acting team's
 * reserve is charged what it used beyond the step's own time; the next step starts now.
 */
async function recordStep(ctx: Ctx, heroId: number | null, method: 'captain' | 'timeout', byUserId: number | null) {
  const d = ctx.l.draft;
  const team = actingTeam(d)!;
  const clock = turnClock(d)!;
  const left = spend(clock, method === 'timeout' ? Math.max(ctx.now, turnDeadline(clock)) : ctx.now);
  // Kept apart: patch() below moves d.stepIndex on to the next step, and the event names this one.
  const recorded = d.stepIndex;
  const step = d.steps[recorded]!;
  const row = {
    heroDraftId: ctx.id,
    stepIndex: recorded,
    teamId: ctx.l.teams[team].id,
    action: step.action,
    heroId,
    method,
    byUserId,
    createdAt: new Date().toISOString(),
  };
  await ctx.tx.db('hero_draft_steps').insert(row);
  ctx.l.done = [...ctx.l.done, HeroDraftStepRow.fromJson(row)];
  const next = recorded + 1;
  const complete = next >= d.steps.length;
  await patch(ctx, {
    [reserveColumn(team)]: left.reserveMs,
    stepIndex: next,
    ...(complete
      ? { status: 'completed' as const, turnStartedAtMs: null, stepMs: null, graceDueAtMs: null, completedAt: new Date().toISOString() }
      : { turnStartedAtMs: ctx.now, stepMs: d.steps[next]!.seconds * 1000 }),
  });
  const details: Omit<HeroDraftStepEvent, 'heroDraft'> = { stepIndex: recorded, team, action: step.action, heroId, method };
  if (complete) {
    ctx.tx.touch(tags.tournament(d.tournamentId), tags.bracket(d.tournamentId));
    await finish(ctx, method === 'timeout' ? 'herodraft.timeout' : 'herodraft.step', details);
    const view = await finish(ctx, 'herodraft.completed');
    await announce(ctx, 'herodraft.completed');
    return view;
  }
  return finish(ctx, method === 'timeout' ? 'herodraft.timeout' : 'herodraft.step', details);
}

/**
 * CM3: the captain on turn picks or bans an available hero. `stepIndex` makes it once per
 * step: a double click, a second tab or a racing request gets 409.
 */
export function act(hub: HubServices, actor: Actor | null, id: number, input: { stepIndex: number; heroId: number }): Promise<HeroDraftView> {
  const user = requireUser(actor);
  return hub.commands.run(actor, async (tx) => {
    const ctx = await begin(hub, tx, id);
    const team = captainTeam(ctx.l, user.id);
    if (team === null) throw forbidden('only the two captains of this match pick and ban');
    requireStatus(ctx, ['drafting'], 'pick or ban');
    const d = ctx.l.draft;
    if (input.stepIndex !== d.stepIndex) throw conflict(`step ${input.stepIndex} is not on turn: it is now step ${d.stepIndex}`);
    if (actingTeam(d) !== team) throw forbidden(`it is ${ctx.l.teams[actingTeam(d)!].name}'s turn, not yours`);
    const startsAt = num(d.turnStartedAtMs)!;
    if (ctx.now < startsAt) throw conflict(`the draft resumes in ${Math.ceil((startsAt - ctx.now) / 1000)} s`);
    const problem = checkHero(heroIds(), ctx.l.done, input.heroId);
    if (problem && !heroIds().has(input.heroId)) throw notFound(`hero ${input.heroId}`);
    if (problem) throw conflict(problem);
    return recordStep(ctx, input.heroId, 'captain', user.id);
  });
}

/** CM5: the step's time and the reserve are gone: a ban is skipped, a pick is random. */
async function expireStep(hub: HubServices, tx: CommandTx, deadline: Deadline) {
  const id = Number(deadline.room.slice(deadline.room.indexOf(':') + 1));
  const ctx: Ctx = { hub, tx, id, room: deadline.room, l: await load(tx.db, id), now: hub.clock.now() };
  const d = ctx.l.draft;
  if (d.status !== 'drafting' || d.stepIndex !== (deadline.payload as { stepIndex?: number }).stepIndex) return;
  const step = d.steps[d.stepIndex]!;
  const heroId = timeoutChoice(step.action, availableHeroes(heroIds(), ctx.l.done), hub.random);
  await recordStep(ctx, heroId, 'timeout', null);
}

/** The stored state at `now` when a turn stops counting (pause): what is left is kept. */
async function stopClock(ctx: Ctx) {
  const d = ctx.l.draft;
  const clock = turnClock(d);
  const team = actingTeam(d);
  if (!clock || team === null) return;
  const left = spend(clock, ctx.now);
  await patch(ctx, { stepMs: left.stepMs, [reserveColumn(team)]: left.reserveMs, turnStartedAtMs: null });
}

async function pauseNow(ctx: Ctx, reason: string | null) {
  await stopClock(ctx);
  await patch(ctx, { status: 'paused', pauseReason: reason, resumeVotes: [], graceDueAtMs: null });
  return finish(ctx, 'herodraft.paused', { reason });
}

/** CM6: staff pause; nobody is charged while paused. */
export function pauseHeroDraft(hub: HubServices, actor: Actor | null, id: number, input: Guard & { reason?: string | undefined } = {}): Promise<HeroDraftView> {
  return hub.commands.run(actor, async (tx) => {
    const ctx = await begin(hub, tx, id, input.expectedSeq);
    await staffOnly(ctx);
    requireStatus(ctx, ['drafting'], 'pause');
    return pauseNow(ctx, input.reason || 'paused by staff');
  });
}

/**
 * Staff resume at once; a captain's resume is a vote, and the draft resumes when both
 * captains have voted. The step's clock starts again after a short countdown.
 */
export function resumeHeroDraft(hub: HubServices, actor: Actor | null, id: number, input: Guard = {}): Promise<HeroDraftView> {
  const user = requireUser(actor);
  return hub.commands.run(actor, async (tx) => {
    const ctx = await begin(hub, tx, id, input.expectedSeq);
    const staff = await isTournamentStaff(tx.db, user, ctx.l.draft.tournamentId);
    const team = captainTeam(ctx.l, user.id);
    if (!staff && team === null) throw forbidden('only staff and the two captains may resume');
    requireStatus(ctx, ['paused'], 'resume');
    if (!staff) {
      const votes = [...new Set([...(ctx.l.draft.resumeVotes ?? []), team!])].sort();
      if (votes.length < 2) {
        await patch(ctx, { resumeVotes: votes });
        return finish(ctx, 'herodraft.resumeVote', { team });
      }
    }
    const startsAt = ctx.now + hub.config.heroDraft.resumeCountdownMs;
    await patch(ctx, { status: 'drafting', turnStartedAtMs: startsAt, pauseReason: null, resumeVotes: null, graceDueAtMs: null });
    return finish(ctx, 'herodraft.resumed', { startsAt: new Date(startsAt).toISOString() });
  });
}

/** Everything goes back to before ready-up (same teams and timings). */
export function resetHeroDraft(hub: HubServices, actor: Actor | null, id: number, input: Guard = {}): Promise<HeroDraftView> {
  return hub.commands.run(actor, async (tx) => {
    const ctx = await begin(hub, tx, id, input.expectedSeq);
    await staffOnly(ctx);
    requireStatus(ctx, ['waiting', 'choosing', 'drafting', 'paused', 'completed'], 'reset');
    await tx.db('hero_draft_steps').where({ heroDraftId: id }).delete();
    ctx.l.done = [];
    const reserveMs = ctx.l.draft.reserveSeconds * 1000;
    await patch(ctx, {
      status: 'waiting',
      homeReady: false,
      awayReady: false,
      tossWinner: null,
      winnerChoice: null,
      loserChoice: null,
      firstPick: null,
      radiant: null,
      stepIndex: 0,
      turnStartedAtMs: null,
      stepMs: null,
      homeReserveMs: reserveMs,
      awayReserveMs: reserveMs,
      pauseReason: null,
      resumeVotes: null,
      graceDueAtMs: null,
      completedAt: null,
    });
    tx.touch(tags.tournament(ctx.l.draft.tournamentId));
    const view = await finish(ctx, 'herodraft.reset');
    await announce(ctx, 'herodraft.reset');
    return view;
  });
}

export function abandonHeroDraft(hub: HubServices, actor: Actor | null, id: number, input: Guard = {}): Promise<HeroDraftView> {
  return hub.commands.run(actor, async (tx) => {
    const ctx = await begin(hub, tx, id, input.expectedSeq);
    await staffOnly(ctx);
    requireStatus(ctx, ['waiting', 'choosing', 'drafting', 'paused'], 'abandon');
    await stopClock(ctx);
    await patch(ctx, { status: 'abandoned', graceDueAtMs: null });
    tx.touch(tags.tournament(ctx.l.draft.tournamentId));
    const view = await finish(ctx, 'herodraft.abandoned');
    await announce(ctx, 'herodraft.abandoned');
    return view;
  });
}

/** Staff deduct reserve time from a team as a penalty (never below zero). */
export function penalize(hub: HubServices, actor: Actor | null, id: number, input: Guard & { teamId: number; seconds: number }): Promise<HeroDraftView> {
  return hub.commands.run(actor, async (tx) => {
    const ctx = await begin(hub, tx, id, input.expectedSeq);
    await staffOnly(ctx);
    requireStatus(ctx, ['waiting', 'choosing', 'drafting', 'paused'], 'deduct reserve time');
    const team = ctx.l.teams[0].id === input.teamId ? 0 : ctx.l.teams[1].id === input.teamId ? 1 : null;
    if (team === null) throw notFound(`team ${input.teamId} in this draft`);
    await patch(ctx, { [reserveColumn(team)]: deduct(reserveOf(ctx.l.draft, team), input.seconds * 1000) });
    return finish(ctx, 'herodraft.penalty', { team, seconds: input.seconds });
  });
}

// ---------------------------------------------------------------- disconnects

type Participants = { userId: number; connected: boolean }[];

/**
 * CM6/CM7: the room's presence changed (any process, any tab). While drafting, a captain with
 * no connection left starts the grace period; back in time (any tab) clears it. Presence is
 * per user across processes, so a second tab never counts as a disconnect. RT10/RT13: while
 * presence cannot be believed (Redis away, or settling after it came back) an absence starts
 * nothing; the tracker broadcasts the room again once it can.
 */
export function onCaptainPresence(hub: HubServices, id: number, participants: Participants, version: number): Promise<void> {
  // Readings are applied one at a time per room, and each turn takes the newest reading this
  // process has had, read under the room's lock: a turn that waited (behind another, or on the
  // database) must not announce a grace from a reading that a newer one already contradicts.
  // Broadcasts of this process may also finish out of order: an older reading is never kept.
  let state = presenceState.get(hub);
  if (!state) presenceState.set(hub, (state = new Map()));
  let room = state.get(id);
  if (!room) state.set(id, (room = { latest: { version, participants }, applied: -Infinity, chain: Promise.resolve() }));
  else if (version > room.latest.version) room.latest = { version, participants };
  const r = room;
  const chain = r.chain.then(async () => {
    if (r.latest.version <= r.applied) return; // an earlier turn already took it in
    await applyPresence(hub, id, () => {
      r.applied = r.latest.version;
      return r.latest.participants;
    });
  });
  r.chain = chain.catch(() => undefined);
  return chain;
}
const presenceState = new WeakMap<
  HubServices,
  Map<number, { latest: { version: number; participants: Participants }; applied: number; chain: Promise<void> }>
>();

/** `reading` gives the newest reading of this process (and marks it taken in). */
async function applyPresence(hub: HubServices, id: number, reading: () => Participants) {
  const current = await HeroDraft.query(hub.db).findById(id).select('status', 'graceDueAtMs');
  if (!current) return;
  const graceSet = current.graceDueAtMs !== null;
  if (current.status !== 'drafting' && !graceSet) return;
  // One process (no Redis) applies its readings in order: this one agreeing with the draft
  // settles it. With several, the decision is only taken under the room's lock: a check here
  // could miss the grace another process is setting right now, and leave it pending.
  if (!hub.redis && current.status === 'drafting' && reading().some((p) => !p.connected) === graceSet) return;
  await hub.commands.run(null, async (tx) => {
    const ctx = await begin(hub, tx, id);
    const d = ctx.l.draft;
    const now = await captainsAway(hub, ctx, reading());
    if (d.status === 'drafting' && now.away.length > 0 && d.graceDueAtMs === null) {
      // An absence in a reading that cannot be believed (Redis away, or presence settling after
      // it came back) starts nothing: the reading broadcast once presence has settled decides.
      if (!now.trusted) return;
      await patch(ctx, { graceDueAtMs: ctx.now + hub.config.heroDraft.graceMs });
    } else if ((now.away.length === 0 || d.status !== 'drafting') && d.graceDueAtMs !== null) {
      await patch(ctx, { graceDueAtMs: null });
    } else {
      return;
    }
    await announceGrace(ctx, now.away);
  });
}

/**
 * The teams (0/1) whose captain has no connection. On Redis, from a fresh reading taken under
 * the room's lock: several processes judge one draft, and of two the later reads the later
 * state (the reading each broadcast may reach the database in either order). Without Redis
 * there is one process, and its newest reading (given) is current and always believed.
 */
async function captainsAway(hub: HubServices, ctx: Ctx, broadcast?: { userId: number; connected: boolean }[]): Promise<{ away: (0 | 1)[]; trusted: boolean }> {
  const tracker = hub.redis ? hub.presence : undefined;
  let connected: (userId: number) => boolean;
  let trusted = true;
  if (tracker) {
    const reading = await tracker.check(ctx.room);
    const seen = new Set(reading.presence.viewers.map((v) => v.id));
    connected = (userId) => seen.has(userId);
    trusted = reading.trusted;
  } else {
    connected = (userId) => broadcast?.some((p) => p.userId === userId && p.connected) ?? false;
  }
  return { away: ([0, 1] as const).filter((team) => !connected(ctx.l.teams[team].captainUserId)), trusted };
}

/**
 * An event, so every screen (and every cached read) shows "pausing in N s" or its end at
 * once; it also (re)arms the pause deadline at the room's new seq.
 */
async function announceGrace(ctx: Ctx, away: (0 | 1)[]) {
  const graceDueAtMs = num(ctx.l.draft.graceDueAtMs);
  const details: Omit<HeroDraftGraceEvent, 'heroDraft'> = { graceDueAt: graceDueAtMs === null ? null : new Date(graceDueAtMs).toISOString(), away };
  await finish(ctx, 'herodraft.grace', details);
}

/**
 * CM6: the grace is over. On Redis the pause is decided on a fresh reading: a captain back on
 * another process (whose reading may not have arrived) clears it; while presence cannot be
 * believed (Redis away or settling) the pause is put off by another grace period, announced,
 * rather than taken for connected captains that only look gone.
 */
async function expireGrace(hub: HubServices, tx: CommandTx, deadline: Deadline) {
  const id = Number(deadline.room.slice(deadline.room.indexOf(':') + 1));
  const ctx: Ctx = { hub, tx, id, room: deadline.room, l: await load(tx.db, id), now: hub.clock.now() };
  if (ctx.l.draft.status !== 'drafting' || ctx.l.draft.graceDueAtMs === null) return;
  if (hub.redis) {
    const now = await captainsAway(hub, ctx);
    if (now.away.length === 0) {
      await patch(ctx, { graceDueAtMs: null });
      return announceGrace(ctx, now.away);
    }
    if (!now.trusted) {
      await patch(ctx, { graceDueAtMs: ctx.now + hub.config.heroDraft.graceMs });
      return announceGrace(ctx, now.away);
    }
  }
  await pauseNow(ctx, 'a captain disconnected');
}

/** Wires the step timer and the disconnect grace into the hub's deadline scheduler. */
export function registerHeroDraftDeadlines(hub: HubServices) {
  const scheduler = hub.deadlines;
  scheduler.register(STEP_DEADLINE, (tx, deadline) => expireStep(hub, tx, deadline));
  scheduler.register(GRACE_DEADLINE, (tx, deadline) => expireGrace(hub, tx, deadline));
}
