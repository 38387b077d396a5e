import type { Interaction, InteractionResponse } from '../../shared/schemas/discord';
import type { HubServices } from '../services';
import { commandTable } from '../commands/table';
import { runCommand, type Command } from '../commands/define';
import { HubError } from '../commands/errors';
import { User } from '../users/user.model';
import { Tournament } from '../tournaments/tournament.model';
import { readLiveGames } from '../matches/live.service';
import { Draft } from '../draft/draft.model';
import { readDraft } from '../draft/draft.view';
import { Team, TeamMember } from '../teams/team.model';
import { readBracket } from '../brackets/bracket.queries';
import type { Signup } from '../../shared/schemas/signups';
import {
  checkedIn,
  draftTurns,
  nextSeries,
  type NextSeries,
  liveGames,
  noAccount,
  noTournamentInRegistration,
  refused,
  signedUp,
  unknownCommand,
} from './answers';

const byName = (name: string) => commandTable.find((c) => c.name === name) as Command<unknown, unknown>;

/** The caller: member.user in a guild, user in a DM. */
const callerId = (interaction: Interaction) => interaction.member?.user?.id ?? interaction.user?.id;

/** Answers a slash command. Changes go through the command table as the matched hub user, like any other client. */
export async function answerSlashCommand(hub: HubServices, interaction: Interaction): Promise<InteractionResponse> {
  const name = interaction.data?.name;
  const url = hub.config.publicUrl;
  switch (name) {
    case 'live': {
      const games = (await readLiveGames(hub.db)).filter((g) => g.status === 'live');
      return liveGames(games, url);
    }
    case 'draft': {
      const rows = await Draft.query(hub.db).whereIn('status', ['running', 'paused']).orderBy('tournamentId').limit(10);
      const turns = await Promise.all(
        rows.map(async (row) => {
          const view = await readDraft(hub, row.tournamentId); // the cached public read the page uses
          const team = view.teams.find((t) => t.id === view.turn?.teamId);
          return {
            tournamentId: view.tournamentId,
            tournamentName: view.tournamentName,
            paused: view.status === 'paused',
            pickNumber: view.turn?.pickNumber ?? null,
            team: team ? { name: team.name, captain: team.captain.displayName } : null,
          };
        }),
      );
      return draftTurns(turns, url);
    }
    case 'bracket': {
      const discordId = callerId(interaction);
      const user = discordId ? await User.query(hub.db).findOne({ discordId }) : undefined;
      if (!user) return noAccount(url);
      return nextSeries(await nextSeriesOf(hub, user.id), url);
    }
    case 'signup':
    case 'checkin': {
      const discordId = callerId(interaction);
      const user = discordId ? await User.query(hub.db).findOne({ discordId }) : undefined;
      if (!user) return noAccount(url);
      const open = await Tournament.query(hub.db).where({ state: 'registration' }).orderBy('id').select('id', 'name');
      if (open.length !== 1) return noTournamentInRegistration(open, url);
      const tournament = open[0]!;
      const page = `${url}/tournaments/${tournament.id}/signup`;
      const actor = { id: user.id, role: user.role };
      try {
        if (name === 'checkin') {
          await runCommand(hub, byName('checkin.self'), actor, { tournamentId: tournament.id });
          return checkedIn(tournament, url);
        }
        // The sign-up form's values from the member's profile; without them, the page asks.
        if (user.mmr === null || !Object.values(user.positions).some((rating) => rating > 0)) {
          return refused(`To sign up for ${tournament.name}`, 'your profile has no MMR or positions yet; fill them in on the sign-up page', page);
        }
        const signup = (await runCommand(hub, byName('signup.submit'), actor, {
          tournamentId: tournament.id,
          declaredMmr: user.mmr,
          positions: user.positions,
          note: '',
        })) as Signup;
        return signedUp(tournament, signup.state, signup.waitlistPosition, url);
      } catch (err) {
        // The hub's refusal (already signed up, closed, no Steam account…) in its own words.
        if (err instanceof HubError) return refused(name === 'checkin' ? 'Check-in refused' : 'Sign-up refused', err.message, page);
        throw err;
      }
    }
    default:
      return unknownCommand(name);
  }
}

/** The user's teams (as captain or member) in tournaments not finished, and each one's next series in the bracket. */
async function nextSeriesOf(hub: HubServices, userId: number): Promise<NextSeries[]> {
  const memberOf = TeamMember.query(hub.db).where({ userId }).select('teamId');
  const teams = await Team.query(hub.db)
    .join('tournaments', 'tournaments.id', 'teams.tournamentId')
    .whereNot('tournaments.state', 'finished')
    .where((w) => w.where('teams.captainUserId', userId).orWhereIn('teams.id', memberOf))
    .orderBy('teams.tournamentId', 'desc')
    .limit(5)
    .select('teams.id', 'teams.name', 'teams.tournamentId', 'tournaments.name as tournamentName');
  return Promise.all(
    teams.map(async (team) => {
      const { tournamentName } = team as Team & { tournamentName: string };
      const bracket = await readBracket(hub.db, team.tournamentId);
      // Stages in order, then the bracket's own match order: the first unplayed series with this team in it.
      const candidates = bracket.stages
        .slice()
        .sort((a, b) => a.number - b.number)
        .flatMap((stage) => stage.matches.map((m) => ({ stage, m })))
        .filter(({ m }) => (m.status === 'ready' || m.status === 'tbd') && (m.teamA?.id === team.id || m.teamB?.id === team.id));
      const next = candidates.find(({ m }) => m.status === 'ready') ?? candidates[0];
      const opponent = next && (next.m.teamA?.id === team.id ? next.m.teamB : next.m.teamA);
      return {
        tournamentId: team.tournamentId,
        tournamentName,
        team: team.name,
        series: next ? { opponent: opponent?.name ?? null, bestOf: next.m.bestOf, ready: next.m.status === 'ready', stage: next.stage.name } : null,
      };
    }),
  );
}
