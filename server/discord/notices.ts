import type { Stage } from '../../shared/schemas/brackets';
import type { CommandTx } from '../commands/command';
import type { Config } from '../config';
import { queueDiscord } from './outbox';

/** The announcements channel hears a series' result (or its correction), read from the stage the command answers. */
export async function announceSeriesResult(tx: CommandTx, config: Config, tournamentId: number, stage: Stage, matchId: number, corrected: boolean) {
  const m = stage.matches.find((match) => match.id === matchId);
  if (!m || m.status !== 'done' || !m.teamA || !m.teamB) return;
  const score = m.forfeit ? `(${m.forfeit === 'a' ? m.teamA.name : m.teamB.name} forfeits)` : `${m.scoreA ?? 0}-${m.scoreB ?? 0}`;
  const content = `${corrected ? 'Corrected result' : 'Result'}, series ${m.key}: ${m.teamA.name} ${score} ${m.teamB.name}.`;
  await queueDiscord(tx, config, { kind: 'series.result', to: { channel: 'announce' }, content, path: `/tournaments/${tournamentId}/bracket` });
}

/** A captain's DM when the hero draft comes to their team (its first step, or after the other team's steps). */
export async function tellHeroDraftCaptain(
  tx: CommandTx,
  config: Config,
  draft: { id: number; gameNumber: number | null; teamNames: [string, string]; captainUserId: number; action: string },
) {
  const content = `Your ${draft.action} in the hero draft of ${draft.teamNames[0]} vs ${draft.teamNames[1]}${draft.gameNumber ? ` (game ${draft.gameNumber})` : ''}: you are on turn.`;
  await queueDiscord(tx, config, { kind: 'herodraft.turn', to: { dm: draft.captainUserId }, content, path: `/herodrafts/${draft.id}` });
}
