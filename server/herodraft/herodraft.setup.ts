import type { Knex } from 'knex';
import { rooms } from '../../shared/rooms';
import type { HeroDraftCreate, HeroDraftStep, HeroDraftView } from '../../shared/schemas/herodraft';
import type { Actor } from '../auth/actor';
import { tags } from '../cache/read-cache';
import { conflict, notFound } from '../commands/errors';
import type { HubServices } from '../services';
import { Team } from '../teams/team.model';
import { HeroDraft } from './herodraft.model';
import { announceToTournament, heroDraftRoom, patchHeroDraft } from './herodraft.room';
import { buildSequence, DEFAULT_PRESET, DEFAULT_TIMING, type Preset } from './herodraft.rules';

// Who may run each command is the command table's (herodraft.commands.ts): staff of the tournament.

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

/** Staff create a draft for a match between two teams of the tournament. */
export function createHeroDraft(hub: HubServices, actor: Actor, tournamentId: number, input: HeroDraftCreate): Promise<HeroDraftView> {
  return hub.commands.run(actor, async (tx) => {
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
    const cmd = await heroDraftRoom.begin(hub, tx, id);
    tx.touch(tags.tournament(tournamentId));
    const view = await heroDraftRoom.emitWithView(cmd, 'herodraft.created');
    await announceToTournament(cmd, 'herodraft.created');
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
export function configureHeroDraft(hub: HubServices, actor: Actor, id: number, input: Timings & Guard): Promise<HeroDraftView> {
  return heroDraftRoom.run(hub, actor, id, input.expectedSeq, async (cmd) => {
    heroDraftRoom.requireStatus(cmd, ['waiting'], 'change the timings');
    const seq = sequenceFrom(input, cmd.rows.draft);
    await patchHeroDraft(cmd, {
      preset: seq.preset,
      steps: seq.steps,
      reserveSeconds: seq.reserveSeconds,
      homeReserveMs: seq.reserveSeconds * 1000,
      awayReserveMs: seq.reserveSeconds * 1000,
    });
    return heroDraftRoom.emitWithView(cmd, 'herodraft.configured');
  });
}
