import type { HeroDraftChoice, HeroDraftStepEvent, HeroDraftView } from '../../shared/schemas/herodraft';
import { tellHeroDraftCaptain } from '../discord/notices';
import type { Actor } from '../auth/actor';
import { tags } from '../cache/read-cache';
import type { CommandTx } from '../commands/command';
import { conflict, forbidden, notFound } from '../commands/errors';
import type { Deadline } from '../deadlines/deadlines';
import type { HubServices } from '../services';
import { isTournamentStaff } from '../tournaments/access';
import { GRACE_DEADLINE, STEP_DEADLINE } from './herodraft.deadlines';
import { actingTeam, msOf, reserveColumn, reserveOf, turnClock } from './herodraft.load';
import { HeroDraftStepRow } from './herodraft.model';
import { expireGrace } from './herodraft.presence';
import { announceToTournament, type HeroDraftCommand, heroDraftRoom, patchHeroDraft, pauseNow, stopClock, teamOfCaptain } from './herodraft.room';
import { availableHeroes, checkChoice, checkHero, coinToss, deduct, settleChoices, spend, timeoutChoice, turnDeadline } from './herodraft.rules';
import { heroIds } from './heroes';

// Who may run each command is the command table's (herodraft.commands.ts); these check Captains
// Mode's rules: whose step it is, who won the toss, the captains' votes to resume.

type Guard = { expectedSeq?: number | undefined };

/** A captain readies up (or not); when both are ready the server tosses the coin. */
export function setReady(hub: HubServices, actor: Actor, id: number, input: { ready: boolean }): Promise<HeroDraftView> {
  return heroDraftRoom.run(hub, actor, id, undefined, async (cmd) => {
    const team = teamOfCaptain(cmd, actor);
    heroDraftRoom.requireStatus(cmd, ['waiting'], 'ready up');
    await patchHeroDraft(cmd, team === 0 ? { homeReady: input.ready } : { awayReady: input.ready });
    if (cmd.rows.draft.homeReady && cmd.rows.draft.awayReady) {
      const winner = coinToss(hub.random);
      await patchHeroDraft(cmd, { status: 'choosing', tossWinner: winner });
      return heroDraftRoom.emitWithView(cmd, 'herodraft.tossed', { team, ready: input.ready, winner });
    }
    return heroDraftRoom.emitWithView(cmd, 'herodraft.ready', { team, ready: input.ready });
  });
}

/** CM2: the toss winner chooses first pick or side; the other captain the remaining one. */
export function chooseFirstPickOrSide(hub: HubServices, actor: Actor, id: number, input: HeroDraftChoice): Promise<HeroDraftView> {
  return heroDraftRoom.run(hub, actor, id, undefined, async (cmd) => {
    const team = teamOfCaptain(cmd, actor);
    heroDraftRoom.requireStatus(cmd, ['choosing'], 'choose');
    const d = cmd.rows.draft;
    const state = { tossWinner: d.tossWinner!, winnerChoice: d.winnerChoice, loserChoice: d.loserChoice };
    const problem = checkChoice(state, team, input);
    if (problem) throw conflict(problem);
    if (!state.winnerChoice) {
      await patchHeroDraft(cmd, { winnerChoice: input });
      return heroDraftRoom.emitWithView(cmd, 'herodraft.chosen', { team, choice: input });
    }
    state.loserChoice = input;
    const { firstPick, radiant } = settleChoices(state);
    await patchHeroDraft(cmd, {
      loserChoice: input,
      firstPick,
      radiant,
      status: 'drafting',
      stepIndex: 0,
      turnStartedAtMs: cmd.now,
      stepMs: d.steps[0]!.seconds * 1000,
    });
    await tellCaptainOnTurn(cmd, null);
    return heroDraftRoom.emitWithView(cmd, 'herodraft.started', { team, choice: input, firstPick, radiant });
  });
}

/**
 * CM3: the captain on turn picks or bans an available hero. `stepIndex` makes it once per
 * step: a double click, a second tab or a racing request gets 409.
 */
export function pickOrBanHero(hub: HubServices, actor: Actor, id: number, input: { stepIndex: number; heroId: number }): Promise<HeroDraftView> {
  return heroDraftRoom.run(hub, actor, id, undefined, async (cmd) => {
    const team = teamOfCaptain(cmd, actor);
    heroDraftRoom.requireStatus(cmd, ['drafting'], 'pick or ban');
    const d = cmd.rows.draft;
    if (input.stepIndex !== d.stepIndex) throw conflict(`step ${input.stepIndex} is not on turn: it is now step ${d.stepIndex}`);
    if (actingTeam(d) !== team) throw forbidden(`it is ${cmd.rows.teams[actingTeam(d)!].name}'s turn, not yours`);
    const startsAt = msOf(d.turnStartedAtMs)!;
    if (cmd.now < startsAt) throw conflict(`the draft resumes in ${Math.ceil((startsAt - cmd.now) / 1000)} s`);
    const problem = checkHero(heroIds(), cmd.rows.done, input.heroId);
    if (problem && !heroIds().has(input.heroId)) throw notFound(`hero ${input.heroId}`);
    if (problem) throw conflict(problem);
    return recordStep(cmd, input.heroId, 'captain', actor.id);
  });
}

/**
 * Records the current step (a captain's hero, or a timeout's) and moves on: the acting team's
 * reserve is charged what it used beyond the step's own time; the next step starts now.
 */
async function recordStep(cmd: HeroDraftCommand, heroId: number | null, method: 'captain' | 'timeout', byUserId: number | null) {
  const d = cmd.rows.draft;
  const team = actingTeam(d)!;
  const clock = turnClock(d)!;
  const left = spend(clock, method === 'timeout' ? Math.max(cmd.now, turnDeadline(clock)) : cmd.now);
  // Kept apart: the patch below moves d.stepIndex on to the next step, and the event names this one.
  const recorded = d.stepIndex;
  const step = d.steps[recorded]!;
  const row = {
    heroDraftId: cmd.id,
    stepIndex: recorded,
    teamId: cmd.rows.teams[team].id,
    action: step.action,
    heroId,
    method,
    byUserId,
    createdAt: new Date().toISOString(),
  };
  await cmd.tx.db('hero_draft_steps').insert(row);
  cmd.rows.done = [...cmd.rows.done, HeroDraftStepRow.fromJson(row)];
  const next = recorded + 1;
  const complete = next >= d.steps.length;
  await patchHeroDraft(cmd, {
    [reserveColumn(team)]: left.reserveMs,
    stepIndex: next,
    ...(complete
      ? { status: 'completed' as const, turnStartedAtMs: null, stepMs: null, graceDueAtMs: null, completedAt: new Date().toISOString() }
      : { turnStartedAtMs: cmd.now, stepMs: d.steps[next]!.seconds * 1000 }),
  });
  const details: Omit<HeroDraftStepEvent, 'set'> = { stepIndex: recorded, team, action: step.action, heroId, method };
  const type = method === 'timeout' ? 'herodraft.timeout' : 'herodraft.step';
  if (complete) {
    cmd.tx.touch(tags.tournament(d.tournamentId), tags.bracket(d.tournamentId));
    await heroDraftRoom.emitWithView(cmd, type, details);
    const view = await heroDraftRoom.emitWithView(cmd, 'herodraft.completed');
    await announceToTournament(cmd, 'herodraft.completed');
    return view;
  }
  await tellCaptainOnTurn(cmd, team);
  return heroDraftRoom.emitWithView(cmd, type, details);
}

/** CM: the captain whose team now acts hears of it on Discord (only when the turn changes hands). */
async function tellCaptainOnTurn(cmd: HeroDraftCommand, previous: 0 | 1 | null) {
  const d = cmd.rows.draft;
  const team = actingTeam(d);
  if (team === null || team === previous || d.status !== 'drafting') return;
  const teamNames: [string, string] = [cmd.rows.teams[0].name, cmd.rows.teams[1].name];
  const step = { id: cmd.id, gameNumber: d.gameNumber, teamNames, captainUserId: cmd.rows.teams[team].captainUserId, action: d.steps[d.stepIndex]!.action };
  await tellHeroDraftCaptain(cmd.tx, cmd.hub.config, step);
}

/** CM5: the step's time and the reserve are gone: a ban is skipped, a pick is random. */
async function expireStep(hub: HubServices, tx: CommandTx, deadline: Deadline) {
  const id = Number(deadline.room.slice(deadline.room.indexOf(':') + 1));
  const cmd = await heroDraftRoom.begin(hub, tx, id);
  const d = cmd.rows.draft;
  if (d.status !== 'drafting' || d.stepIndex !== (deadline.payload as { stepIndex?: number }).stepIndex) return;
  const step = d.steps[d.stepIndex]!;
  const heroId = timeoutChoice(step.action, availableHeroes(heroIds(), cmd.rows.done), hub.random);
  await recordStep(cmd, heroId, 'timeout', null);
}

/** Wires the step timer and the disconnect grace into the hub's deadline scheduler. */
export function registerHeroDraftDeadlines(hub: HubServices) {
  const scheduler = hub.deadlines;
  scheduler.register(STEP_DEADLINE, (tx, deadline) => expireStep(hub, tx, deadline));
  scheduler.register(GRACE_DEADLINE, (tx, deadline) => expireGrace(hub, tx, deadline));
}

/** CM6: staff pause; nobody is charged while paused. */
export function pauseHeroDraft(hub: HubServices, actor: Actor, id: number, input: Guard & { reason?: string | undefined } = {}): Promise<HeroDraftView> {
  return heroDraftRoom.run(hub, actor, id, input.expectedSeq, async (cmd) => {
    heroDraftRoom.requireStatus(cmd, ['drafting'], 'pause');
    return pauseNow(cmd, input.reason || 'paused by staff');
  });
}

/**
 * Staff resume at once; a captain's resume is a vote, and the draft resumes when both
 * captains have voted. The step's clock starts again after a short countdown.
 */
export function resumeHeroDraft(hub: HubServices, actor: Actor, id: number, input: Guard = {}): Promise<HeroDraftView> {
  return heroDraftRoom.run(hub, actor, id, input.expectedSeq, async (cmd) => {
    const staff = await isTournamentStaff(cmd.tx.db, actor, cmd.rows.draft.tournamentId);
    heroDraftRoom.requireStatus(cmd, ['paused'], 'resume');
    if (!staff) {
      const team = teamOfCaptain(cmd, actor);
      const votes = [...new Set([...(cmd.rows.draft.resumeVotes ?? []), team])].sort();
      if (votes.length < 2) {
        await patchHeroDraft(cmd, { resumeVotes: votes });
        return heroDraftRoom.emitWithView(cmd, 'herodraft.resumeVote', { team });
      }
    }
    const startsAt = cmd.now + hub.config.heroDraft.resumeCountdownMs;
    await patchHeroDraft(cmd, { status: 'drafting', turnStartedAtMs: startsAt, pauseReason: null, resumeVotes: null, graceDueAtMs: null });
    return heroDraftRoom.emitWithView(cmd, 'herodraft.resumed', { startsAt: new Date(startsAt).toISOString() });
  });
}

/** Everything goes back to before ready-up (same teams and timings). */
export function resetHeroDraft(hub: HubServices, actor: Actor, id: number, input: Guard = {}): Promise<HeroDraftView> {
  return heroDraftRoom.run(hub, actor, id, input.expectedSeq, async (cmd) => {
    heroDraftRoom.requireStatus(cmd, ['waiting', 'choosing', 'drafting', 'paused', 'completed'], 'reset');
    await cmd.tx.db('hero_draft_steps').where({ heroDraftId: id }).delete();
    cmd.rows.done = [];
    const reserveMs = cmd.rows.draft.reserveSeconds * 1000;
    await patchHeroDraft(cmd, {
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
    cmd.tx.touch(tags.tournament(cmd.rows.draft.tournamentId));
    const view = await heroDraftRoom.emitWithView(cmd, 'herodraft.reset');
    await announceToTournament(cmd, 'herodraft.reset');
    return view;
  });
}

export function abandonHeroDraft(hub: HubServices, actor: Actor, id: number, input: Guard = {}): Promise<HeroDraftView> {
  return heroDraftRoom.run(hub, actor, id, input.expectedSeq, async (cmd) => {
    heroDraftRoom.requireStatus(cmd, ['waiting', 'choosing', 'drafting', 'paused'], 'abandon');
    await stopClock(cmd);
    await patchHeroDraft(cmd, { status: 'abandoned', graceDueAtMs: null });
    cmd.tx.touch(tags.tournament(cmd.rows.draft.tournamentId));
    const view = await heroDraftRoom.emitWithView(cmd, 'herodraft.abandoned');
    await announceToTournament(cmd, 'herodraft.abandoned');
    return view;
  });
}

/** Staff deduct reserve time from a team as a penalty (never below zero). */
export function penalizeTeam(hub: HubServices, actor: Actor, id: number, input: Guard & { teamId: number; seconds: number }): Promise<HeroDraftView> {
  return heroDraftRoom.run(hub, actor, id, input.expectedSeq, async (cmd) => {
    heroDraftRoom.requireStatus(cmd, ['waiting', 'choosing', 'drafting', 'paused'], 'deduct reserve time');
    const team = cmd.rows.teams[0].id === input.teamId ? 0 : cmd.rows.teams[1].id === input.teamId ? 1 : null;
    if (team === null) throw notFound(`team ${input.teamId} in this draft`);
    await patchHeroDraft(cmd, { [reserveColumn(team)]: deduct(reserveOf(cmd.rows.draft, team), input.seconds * 1000) });
    return heroDraftRoom.emitWithView(cmd, 'herodraft.penalty', { team, seconds: input.seconds });
  });
}
