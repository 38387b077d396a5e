import { z } from 'zod';
import { Id } from './common';

export const League = z
  .object({ id: z.number().int(), name: z.string(), steamLeagueId: z.number().int().nullable() })
  .meta({ id: 'League' });
export type League = z.infer<typeof League>;

export const LeagueInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    steamLeagueId: z.number().int().positive().max(2_147_483_647).nullable().default(null),
  })
  .strict()
  .meta({ id: 'LeagueInput' });
export const LeagueUpdate = LeagueInput.partial().strict().meta({ id: 'LeagueUpdate' });
export const LeagueIdParams = z.object({ leagueId: Id });
export const LeagueList = z.object({ items: z.array(League) });
