import type { PoolCsvRow, RowError, TournamentState } from '../../shared/schemas/tournaments';
import type { Positions } from '../../shared/schemas/users';
import { beforeDrafting } from '../tournaments/tournaments.rules';

export type Verdict = { ok: true } | { ok: false; reason: string };

/** The pool is fixed once the player draft starts: captains pick from it. */
export function checkPoolEditable(state: TournamentState): Verdict {
  if (beforeDrafting(state)) return { ok: true };
  return { ok: false, reason: `the player pool can only change while the tournament is in 'draft' or 'registration' (it is '${state}')` };
}

/** The MMR used for the tournament: the one staff give, else the player's profile MMR. */
export function poolMmr(given: number | undefined, profileMmr: number | null): number | undefined {
  return given ?? profileMmr ?? undefined;
}

export const hasPositions = (p: Positions | null | undefined) => Boolean(p && Object.values(p).some((v) => v > 0));

/** What the hub knows about a person named in the file. */
export interface KnownUser {
  id: number;
  discordId: string;
  steamId: string | null;
  mmr: number | null;
  positions: Positions;
}

export interface ImportLookups {
  /** Users already in the hub, by Discord id. */
  usersByDiscordId: Map<string, KnownUser>;
  /** Discord id of the user holding each Steam id named in the file. */
  steamOwners: Map<string, string>;
  /** Users already in this tournament's pool. */
  poolUserIds: Set<number>;
}

export interface ImportPlan {
  errors: RowError[];
  /** People the hub has not seen: placeholder accounts keyed by Discord id. */
  create: { line: number; discordId: string; username: string; steamId: string | null; mmr: number; positions: Positions | null }[];
  /** Gaps in existing profiles that the sheet fills (only empty fields). */
  fill: { userId: number; steamId?: string; mmr?: number; positions?: Positions }[];
  /** Pool rows to write: new (userId known) or MMR updates. Created users join the pool by Discord id. */
  pool: { discordId: string; userId: number | null; mmr: number; inPool: boolean }[];
}

/**
 * Decides what a validated import does, without I/O. A player's own profile wins over a
 * staff sheet: for existing users the sheet only fills a Steam id, MMR or positions they do
 * not have yet. A Steam id held by someone else and an unknown person without a username
 * are row errors.
 */
export function planImport(rows: { line: number; row: PoolCsvRow }[], known: ImportLookups): ImportPlan {
  const plan: ImportPlan = { errors: [], create: [], fill: [], pool: [] };
  for (const { line, row } of rows) {
    const user = known.usersByDiscordId.get(row.discord_id);
    const errors: RowError[] = [];
    if (!user && !row.username) {
      errors.push({ line, field: 'username', message: 'username is required for a Discord id the hub has not seen yet' });
    }
    const owner = row.steam_id ? known.steamOwners.get(row.steam_id) : undefined;
    if (owner !== undefined && owner !== row.discord_id) {
      errors.push({ line, field: 'steam_id', message: 'this Steam id is already linked to another account' });
    }
    if (errors.length > 0) {
      plan.errors.push(...errors);
      continue;
    }
    if (!user) {
      plan.create.push({
        line,
        discordId: row.discord_id,
        username: row.username!,
        steamId: row.steam_id ?? null,
        mmr: row.mmr,
        positions: row.positions ?? null,
      });
      plan.pool.push({ discordId: row.discord_id, userId: null, mmr: row.mmr, inPool: false });
      continue;
    }
    const fill: ImportPlan['fill'][number] = { userId: user.id };
    if (!user.steamId && row.steam_id) fill.steamId = row.steam_id;
    if (user.mmr === null) fill.mmr = row.mmr;
    if (!hasPositions(user.positions) && row.positions && hasPositions(row.positions)) fill.positions = row.positions;
    if (Object.keys(fill).length > 1) plan.fill.push(fill);
    plan.pool.push({ discordId: row.discord_id, userId: user.id, mmr: row.mmr, inPool: known.poolUserIds.has(user.id) });
  }
  return plan;
}
