import { z } from 'zod';
import { Id } from './common';

export const League = z.object({ id: z.number().int(), name: z.string(), steamLeagueId: z.number().int().nullable() }).meta({ id: 'League' });
export type League = z.infer<typeof League>;

const LeagueName = z.string().trim().min(1).max(100);
const SteamLeagueId = z.number().int().positive().max(2_147_483_647).nullable();
export const LeagueInput = z
  .object({ name: LeagueName, steamLeagueId: SteamLeagueId.default(null) })
  .strict()
  .meta({ id: 'LeagueInput' });
// Not LeagueInput.partial(): zod keeps the default inside partial, so a rename would clear the Steam id.
export const LeagueUpdate = z.object({ name: LeagueName, steamLeagueId: SteamLeagueId }).partial().strict().meta({ id: 'LeagueUpdate' });
export const LeagueIdParams = z.object({ leagueId: Id });
export const LeagueList = z.object({ items: z.array(League) });
