import { z } from 'zod';
import { TournamentState } from './tournaments';
import { PublicUser } from './users';

/** Who picked a drafted player, and at which pick; null for a team's captain. */
export const DraftedAt = z
  .object({
    pickNumber: z.number().int(),
    byCaptain: z.object({ id: z.number().int(), displayName: z.string() }).describe('the captain of the team that drafted the player'),
  })
  .meta({ id: 'DraftedAt' });

export const PlayerTeam = z
  .object({
    tournament: z.object({ id: z.number().int(), name: z.string(), state: TournamentState }),
    team: z.object({ id: z.number().int(), name: z.string() }),
    captain: z.boolean().describe('the player captained this team'),
    drafted: DraftedAt.nullable().describe('null for a captain, or a member placed without a pick'),
    series: z.object({ won: z.number().int(), lost: z.number().int() }).describe("this team's decided series (a forfeit counts; draws count in neither)"),
  })
  .meta({ id: 'PlayerTeam' });
export type PlayerTeam = z.infer<typeof PlayerTeam>;

/** A player's public record: their teams by tournament and series won and lost. */
export const PlayerRecord = z
  .object({
    user: PublicUser,
    teams: z.array(PlayerTeam).describe('newest tournament first'),
    series: z.object({ won: z.number().int(), lost: z.number().int() }).describe('over all their teams'),
  })
  .meta({ id: 'PlayerRecord' });
export type PlayerRecord = z.infer<typeof PlayerRecord>;
