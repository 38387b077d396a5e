import type { BracketMatch, Stage } from '../../shared/schemas/brackets';
import type { TournamentState } from '../../shared/schemas/tournaments';
import type { CommandTx } from '../commands/command';
import type { Config } from '../config';
import type { HubServices } from '../services';
import { signupOpenNow } from '../signups/signups.service';
import { readFinalPlacements } from '../tournaments/placements.service';
import { displayName, User } from '../users/user.model';
import { plain } from './answers';
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

// ---------------------------------------------------------------- issue 22: the remaining notices

const bracketPath = (tournamentId: number) => `/tournaments/${tournamentId}/bracket`;

async function tournamentName(tx: CommandTx, tournamentId: number): Promise<string> {
  const row = await tx.db('tournaments').where({ id: tournamentId }).first('name');
  return plain(String(row?.name ?? `tournament ${tournamentId}`));
}

/** A time as Discord shows it to each reader, in their own time zone (`<t:…:f>`). */
const discordTime = (ms: number) => `<t:${Math.floor(ms / 1000)}:f>`;

/**
 * DC13: each captain hears of their team's next series once it is ready (both teams known, it can
 * be played): the first ready series of the team in the stage, by round. Once per series and
 * team, so the commands after it (another result, a correction elsewhere) do not tell it again;
 * a team that a correction puts into a series is told of it.
 */
export async function tellSeriesReady(tx: CommandTx, config: Config, tournamentId: number, stage: Stage) {
  if (!config.discordBot) return;
  const ordered = [...stage.matches].sort((a, b) => a.round - b.round || a.position - b.position || a.id - b.id);
  const next = new Map<number, BracketMatch>();
  for (const m of ordered) {
    if (m.status !== 'ready' || !m.teamA || !m.teamB) continue;
    for (const team of [m.teamA, m.teamB]) if (!next.has(team.id)) next.set(team.id, m);
  }
  if (next.size === 0) return;
  const captains = new Map<number, number>(
    (
      await tx
        .db('teams')
        .whereIn('id', [...next.keys()])
        .select('id', 'captainUserId')
    ).map((t: { id: number; captainUserId: number }) => [Number(t.id), Number(t.captainUserId)]),
  );
  const name = await tournamentName(tx, tournamentId);
  for (const [teamId, m] of next) {
    const captain = captains.get(teamId);
    if (captain === undefined) continue;
    const [own, other] = m.teamA!.id === teamId ? [m.teamA!, m.teamB!] : [m.teamB!, m.teamA!];
    const content = `Your series ${m.key} in ${name} is ready to play: ${plain(own.name)} vs ${plain(other.name)}, best of ${m.bestOf}.`;
    await queueDiscord(tx, config, {
      kind: 'series.ready',
      to: { dm: captain },
      content,
      path: bracketPath(tournamentId),
      once: `series.ready:${m.id}:${teamId}`,
    });
  }
}

/** DC14: a captain reported a series; the other captain is asked to confirm or dispute it. */
export async function askToConfirm(tx: CommandTx, config: Config, tournamentId: number, stage: Stage, matchId: number) {
  if (!config.discordBot) return;
  const m = stage.matches.find((x) => x.id === matchId);
  if (!m?.claim || !m.teamA || !m.teamB) return;
  const other = m.claim.side === 'a' ? m.teamB : m.teamA;
  const claimer = m.claim.side === 'a' ? m.teamA : m.teamB;
  const captain = await tx.db('teams').where({ id: other.id }).first('captainUserId');
  if (!captain) return;
  const forfeiting = m.claim.forfeit === 'a' ? m.teamA : m.claim.forfeit === 'b' ? m.teamB : null;
  const score = forfeiting ? `${plain(forfeiting.name)} forfeits` : `${plain(m.teamA.name)} ${m.claim.scoreA}-${m.claim.scoreB} ${plain(m.teamB.name)}`;
  const content = `${plain(claimer.name)} reported series ${m.key} in ${await tournamentName(tx, tournamentId)}: ${score}. It waits for your confirmation: confirm or dispute it.`;
  await queueDiscord(tx, config, { kind: 'series.confirm', to: { dm: Number(captain.captainUserId) }, content, path: bracketPath(tournamentId) });
}

/** DC15: sign-up has just opened (the tournament entered registration, or staff reopened it). */
export async function announceSignupOpened(tx: CommandTx, config: Config, tournament: { id: number; name: string }, closesAt: number | null) {
  const until = closesAt === null ? '' : ` until ${discordTime(closesAt)}`;
  const content = `Sign-up is open for ${plain(tournament.name)}${until}: sign up on the hub, or with /signup here.`;
  await queueDiscord(tx, config, { kind: 'signup.opened', to: { channel: 'announce' }, content, path: `/tournaments/${tournament.id}/signup` });
}

/** DC16: check-in has just opened (not when staff only move its close). */
export async function announceCheckInOpened(tx: CommandTx, config: Config, tournament: { id: number; name: string }, closesAt: number) {
  const content = `Check-in is open for ${plain(tournament.name)} until ${discordTime(closesAt)}: check in on the hub, or with /checkin here. Players who do not check in lose their place.`;
  await queueDiscord(tx, config, { kind: 'checkin.opened', to: { channel: 'announce' }, content, path: `/tournaments/${tournament.id}/signup` });
}

/** DC17: the player draft completed, so the teams are final. */
export async function announceTeamsFinal(tx: CommandTx, config: Config, tournament: { id: number; name: string }, teams: { name: string }[]) {
  if (teams.length === 0) return;
  const names = teams.map((t) => plain(t.name));
  const list = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
  // A message holds 2000 characters: a very long list says how many instead.
  const text = list.length > 1500 ? `${names.length} teams` : list;
  const content = `The teams of ${plain(tournament.name)} are final: ${text}.`;
  await queueDiscord(tx, config, { kind: 'teams.final', to: { channel: 'announce' }, content, path: `/tournaments/${tournament.id}` });
}

/**
 * DC18: the tournament finished (staff moved it to 'finished'): its winner, from the final
 * placements (staff's, else the finished elimination bracket's). Once per tournament and winner,
 * so moving it back to 'playing' and finishing it again with the same result says nothing new.
 */
export async function announceWinner(tx: CommandTx, config: Config, tournament: { id: number; name: string }) {
  if (!config.discordBot) return;
  const placements = await readFinalPlacements(tx.db, tournament.id);
  const first = placements.items.filter((p) => p.place === 1).map((p) => p.team);
  const name = plain(tournament.name);
  const content =
    first.length === 0
      ? `${name} has finished.`
      : first.length === 1
        ? `${plain(first[0]!.name)} won ${name}!`
        : `${first.map((t) => plain(t.name)).join(' and ')} share first place in ${name}!`;
  const ids = first.map((t) => t.id).sort((a, b) => a - b);
  await queueDiscord(tx, config, {
    kind: 'tournament.winner',
    to: { channel: 'announce' },
    content,
    path: `/tournaments/${tournament.id}`,
    once: `tournament.winner:${tournament.id}:${ids.join(',') || 'none'}`,
  });
}

/** What a tournament's state change tells the announcements channel: sign-up opening (DC15), the winner (DC18). */
export async function announceStateChange(tx: CommandTx, hub: HubServices, tournament: { id: number; name: string }, to: TournamentState) {
  if (!hub.config.discordBot) return;
  if (to === 'registration') {
    const open = await signupOpenNow(tx.db, tournament.id, to, hub.clock.now());
    if (open.open) await announceSignupOpened(tx, hub.config, tournament, open.closesAt);
  } else if (to === 'finished') {
    await announceWinner(tx, hub.config, tournament);
  }
}

/** DC19: a steam match that looks like a series (a partial roster) waits for staff to confirm or dismiss it. */
export async function tellStaffSuggestion(
  tx: CommandTx,
  config: Config,
  s: { tournamentId: number; matchId: string; seriesKey: string; teamA: string; teamB: string; overlap: number },
) {
  if (!config.discordBot) return;
  const content = `Match ${s.matchId} may be series ${s.seriesKey} of ${await tournamentName(tx, s.tournamentId)} (${plain(s.teamA)} vs ${plain(s.teamB)}: ${s.overlap} of 10 players): confirm or dismiss the suggestion.`;
  await queueDiscord(tx, config, { kind: 'match.suggested', to: { channel: 'staff' }, content, path: `/tournaments/${s.tournamentId}/matches` });
}

/** DC19: a sign-up waits for staff approval (new under manual approval, or moved up from the waitlist). */
export async function tellStaffSignupPending(tx: CommandTx, config: Config, tournament: { id: number; name: string }, userId: number, declaredMmr: number) {
  if (!config.discordBot) return;
  const user = await User.query(tx.db).findById(userId);
  if (!user) return;
  const content = `${plain(displayName(user))} (${declaredMmr} MMR) signed up for ${plain(tournament.name)} and waits for approval.`;
  await queueDiscord(tx, config, { kind: 'signup.pending', to: { channel: 'staff' }, content, path: `/tournaments/${tournament.id}/manage` });
}
