import { z } from 'zod';
import { placementProblems } from '../rules/placements';
import { TeamRef } from './brackets';
import { PublicUser } from './users';

/** Most teams a tournament's placements list (a bracket stage holds at most 64). */
export const MAX_PLACED_TEAMS = 64;

export const PlacementEntry = z.object({ teamId: z.number().int().positive(), place: z.number().int().min(1).max(MAX_PLACED_TEAMS) }).strict();

/**
 * Final placements set by staff (BR10): the whole list, replacing the one before. Places read
 * as a bracket's (1, 2, 3, 3, 5); an empty list clears them, and the bracket's stand again.
 */
export const PlacementsInput = z
  .object({
    placements: z
      .array(PlacementEntry)
      .max(MAX_PLACED_TEAMS)
      .superRefine((entries, ctx) => {
        for (const p of placementProblems(entries)) ctx.addIssue({ code: 'custom', path: [p.index, p.field], message: p.message });
      })
      .describe('each team of the tournament at most once; an empty list clears the placements set by staff'),
  })
  .strict()
  .meta({ id: 'PlacementsInput' });
export type PlacementsInput = z.infer<typeof PlacementsInput>;

/**
 * A tournament's final placements: those staff set, else those of its last stage when that is
 * a finished elimination bracket, else none.
 */
export const FinalPlacements = z
  .object({
    source: z.enum(['staff', 'bracket', 'none']),
    items: z.array(z.object({ team: TeamRef, place: z.number().int() })).describe('best place first; shared places repeat'),
    setAt: z.string().nullable().describe('when staff set them (source staff)'),
    setBy: PublicUser.nullable().describe('who set them (source staff; null once that user is gone)'),
  })
  .meta({ id: 'FinalPlacements' });
export type FinalPlacements = z.infer<typeof FinalPlacements>;
