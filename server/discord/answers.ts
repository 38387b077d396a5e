import { EPHEMERAL, InteractionCallbackType, type InteractionResponse } from '../../shared/schemas/discord';

/** A message answer; ephemeral ones only the caller sees. Mentions in it never ping anyone. */
export function message(content: string, ephemeral: boolean): InteractionResponse {
  return {
    type: InteractionCallbackType.channelMessageWithSource,
    data: { content: content.slice(0, 2000), ...(ephemeral ? { flags: EPHEMERAL } : {}), allowed_mentions: { parse: [] } },
  };
}

export const pong = (): InteractionResponse => ({ type: InteractionCallbackType.pong });

export const unknownCommand = (name: string | undefined) => message(`Unknown command${name ? ` /${name}` : ''}: this hub does not know it.`, true);

/** Discord markdown would read `*`, `_`, `~`, `` ` ``, `|` and `>` in a team or tournament name as formatting. */
export const plain = (text: string) => text.replace(/([\\*_~`|>#[\]()-])/g, '\\$1');

export const noAccount = (publicUrl: string) => message(`You have no DTX Hub account yet: log in once on ${publicUrl} with Discord, then try again.`, true);

export function noTournamentInRegistration(open: { id: number; name: string }[], publicUrl: string) {
  if (open.length === 0) return message('No tournament is taking sign-ups right now.', true);
  const list = open.map((t) => `- ${plain(t.name)}: <${publicUrl}/tournaments/${t.id}/signup>`).join('\n');
  return message(`Several tournaments are taking sign-ups; use the page of the one you mean:\n${list}`, true);
}

export function signedUp(tournament: { id: number; name: string }, state: string, waitlistPosition: number | null, publicUrl: string) {
  const where = state === 'waitlisted' && waitlistPosition !== null ? `waitlisted #${waitlistPosition}` : state;
  return message(`You are signed up for ${plain(tournament.name)} (${where}). Your sign-up: <${publicUrl}/tournaments/${tournament.id}/signup>`, true);
}

export const checkedIn = (tournament: { id: number; name: string }, publicUrl: string) =>
  message(`You are checked in for ${plain(tournament.name)}. <${publicUrl}/tournaments/${tournament.id}/signup>`, true);

/** The hub's refusal in its own words (the same the page shows), with the page to sort it out. */
export const refused = (what: string, reason: string, link: string) => message(`${what}: ${reason}. <${link}>`, true);

export interface LiveLine {
  matchId: string;
  radiantName: string;
  direName: string;
  radiantScore: number;
  direScore: number;
  gameTimeSeconds: number;
}

/** Games being played now, one line each with its page; public (not ephemeral): the channel may want to watch. */
export function liveGames(games: LiveLine[], publicUrl: string) {
  if (games.length === 0) return message('No DTX game is being played right now.', false);
  const clock = (s: number) => `${Math.floor(Math.max(0, s) / 60)}:${String(Math.max(0, s) % 60).padStart(2, '0')}`;
  const lines = games
    .slice(0, 10)
    .map(
      (g) => `- ${plain(g.radiantName)} ${g.radiantScore}–${g.direScore} ${plain(g.direName)} (${clock(g.gameTimeSeconds)}) <${publicUrl}/match/${g.matchId}>`,
    );
  const more = games.length > 10 ? `\n…and ${games.length - 10} more: <${publicUrl}/live>` : '';
  return message(`Live now:\n${lines.join('\n')}${more}`, false);
}

export interface DraftTurn {
  tournamentId: number;
  tournamentName: string;
  paused: boolean;
  pickNumber: number | null;
  /** The team on the clock and its captain; null while a shuffle tie is being rolled. */
  team: { name: string; captain: string } | null;
}

/** Whose turn it is in each running player draft, with its page; only the caller sees it. */
export function draftTurns(drafts: DraftTurn[], publicUrl: string) {
  if (drafts.length === 0) return message('No player draft is running right now.', true);
  const lines = drafts.map((d) => {
    const who = d.team ? `${plain(d.team.name)} (captain ${plain(d.team.captain)}) is picking` : 'a tie is being rolled for the next pick';
    const pick = d.pickNumber !== null ? `pick ${d.pickNumber}: ` : '';
    return `- ${plain(d.tournamentName)}: ${d.paused ? 'paused; ' : ''}${pick}${who}. <${publicUrl}/tournaments/${d.tournamentId}/draft>`;
  });
  return message(lines.join('\n'), true);
}

export interface NextSeries {
  tournamentId: number;
  tournamentName: string;
  team: string;
  /** null: the team has no series left to play in the bracket (or no bracket yet). */
  series: { opponent: string | null; bestOf: number; ready: boolean; stage: string } | null;
}

/** The caller's team's next series in each tournament they play in, with the bracket's page; only the caller sees it. */
export function nextSeries(items: NextSeries[], publicUrl: string) {
  if (items.length === 0) return message('You are not on a team of a tournament in progress.', true);
  const lines = items.map((i) => {
    const link = `<${publicUrl}/tournaments/${i.tournamentId}/bracket>`;
    const head = `- ${plain(i.tournamentName)}, ${plain(i.team)}:`;
    if (!i.series) return `${head} no series to play right now. ${link}`;
    const against = i.series.opponent ? `vs ${plain(i.series.opponent)}` : 'opponent to be decided';
    return `${head} next series ${against}, best of ${i.series.bestOf} (${plain(i.series.stage)})${i.series.ready ? ', ready to play' : ''}. ${link}`;
  });
  return message(lines.join('\n'), true);
}
