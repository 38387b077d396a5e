import type { Knex } from 'knex';
import { HERO_DRAFT_RUNNING } from '../../shared/schemas/brackets';
import { HERO_DRAFT_STATUSES } from '../../shared/schemas/herodraft';
import { HubError } from '../commands/errors';

/** Hero-draft statuses that can still change: such a draft is shown live on the bracket. */
const UNFINISHED = HERO_DRAFT_STATUSES.filter((s) => s !== 'completed' && s !== 'abandoned');

interface RunningDraft {
  id: number;
  gameNumber: number | null;
  status: string;
}

/**
 * BR9: a series result is refused while one of the series' hero drafts is unfinished, unless the
 * request says it knows (`ignoreRunningDrafts`). Read under the tournament room's lock, which
 * creating a draft for the series also takes.
 */
export async function refuseWhileDraftsRun(db: Knex, series: { id: number; key: string }, by: 'staff' | 'captain', ignore: boolean): Promise<void> {
  if (ignore) return;
  const running: RunningDraft[] = await db('hero_drafts')
    .where({ bracketMatchId: series.id })
    .whereIn('status', UNFINISHED)
    .orderBy('id')
    .select('id', 'gameNumber', 'status');
  if (!running.length) return;
  const names = running.map((d) => `hero draft ${d.id}${d.gameNumber === null ? '' : ` (game ${d.gameNumber})`} is ${d.status}`).join(', ');
  const abandon = by === 'staff' ? 'abandon it' : 'ask staff to abandon it';
  const message =
    `series ${series.key} is still being drafted: ${names}. Finish the draft or ${abandon} first, ` +
    'or send the result again with ignoreRunningDrafts: true to record it and leave the draft as it is';
  throw new HubError('conflict', message, [{ path: ['body', 'ignoreRunningDrafts'], message, code: HERO_DRAFT_RUNNING }]);
}
