import type { Positions, SiteRole } from '../../shared/schemas/users';
import type { Actor } from '../auth/actor';

/** Which view of a user a reader gets: the user themself and site staff see private fields (AU5). */
export type Audience = 'public' | 'private';

export function audienceFor(actor: Actor | null, userId: number): Audience {
  if (!actor) return 'public';
  return actor.id === userId || actor.role === 'admin' || actor.role === 'staff' ? 'private' : 'public';
}

/** Changing this role would leave the site with no admin. */
export function wouldRemoveLastAdmin(currentRole: SiteRole, nextRole: SiteRole, adminCount: number): boolean {
  return currentRole === 'admin' && nextRole !== 'admin' && adminCount <= 1;
}

export interface ProfileFields {
  steamId: string | null;
  mmr: number | null;
  positions: Positions;
  /** The bot may send this member direct messages (DC12). */
  discordDms: boolean;
}

/** Only the fields that the update actually changes (so a no-op writes nothing and emits nothing). */
export function profileChanges(current: ProfileFields, update: Partial<ProfileFields>): Partial<ProfileFields> {
  const changes: Partial<ProfileFields> = {};
  if (update.steamId !== undefined && update.steamId !== current.steamId) changes.steamId = update.steamId;
  if (update.mmr !== undefined && update.mmr !== current.mmr) changes.mmr = update.mmr;
  if (update.positions !== undefined && JSON.stringify(orderPositions(update.positions)) !== JSON.stringify(orderPositions(current.positions))) {
    changes.positions = orderPositions(update.positions);
  }
  if (update.discordDms !== undefined && update.discordDms !== current.discordDms) changes.discordDms = update.discordDms;
  return changes;
}

function orderPositions(p: Positions): Positions {
  return { '1': p['1'], '2': p['2'], '3': p['3'], '4': p['4'], '5': p['5'] };
}

/** A LIKE pattern matching `text` anywhere, with LIKE's wildcards taken literally (escape char `\`). */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
