import type { Knex } from 'knex';
import type { PoolPlayer as PoolPlayerDto } from '../../shared/schemas/tournaments';
import { isoTime } from '../db/base.model';
import { toPublicUser, User } from '../users/user.model';
import { PoolPlayer } from './pool-player.model';

/** The pool of a tournament, highest MMR first. */
export async function listPool(db: Knex, tournamentId: number): Promise<PoolPlayerDto[]> {
  const rows = await PoolPlayer.query(db)
    .where({ tournamentId })
    .orderBy([{ column: 'mmr', order: 'desc' }, { column: 'userId' }]);
  if (rows.length === 0) return [];
  const users = new Map((await User.query(db).findByIds(rows.map((r) => r.userId))).map((u) => [u.id, u]));
  return rows.map((r) => ({ user: toPublicUser(users.get(r.userId)!), mmr: r.mmr, addedAt: isoTime(r.addedAt) }));
}
