import { BaseModel } from '../db/base.model';
import type { HeroDraftStatus, HeroDraftStep } from '../../shared/schemas/herodraft';
import type { Choice } from './herodraft.rules';

/** A Captains Mode draft for one match (game) between team A and team B. */
export class HeroDraft extends BaseModel {
  static override tableName = 'hero_drafts';
  static override get jsonAttributes() {
    return ['steps', 'winnerChoice', 'loserChoice', 'resumeVotes'];
  }
  id!: number;
  tournamentId!: number;
  homeTeamId!: number;
  awayTeamId!: number;
  bracketMatchId!: number | null;
  gameNumber!: number | null;
  preset!: string;
  steps!: HeroDraftStep[];
  reserveSeconds!: number;
  status!: HeroDraftStatus;
  homeReady!: boolean | number;
  awayReady!: boolean | number;
  tossWinner!: 0 | 1 | null;
  winnerChoice!: Choice | null;
  loserChoice!: Choice | null;
  firstPick!: 0 | 1 | null;
  radiant!: 0 | 1 | null;
  stepIndex!: number;
  turnStartedAtMs!: number | string | null;
  stepMs!: number | null;
  homeReserveMs!: number;
  awayReserveMs!: number;
  pauseReason!: string | null;
  resumeVotes!: number[] | null;
  graceDueAtMs!: number | string | null;
  createdAt!: Date | string;
  updatedAt!: Date | string;
  completedAt!: Date | string | null;
}

export class HeroDraftStepRow extends BaseModel {
  static override tableName = 'hero_draft_steps';
  static override get idColumn() {
    return ['hero_draft_id', 'step_index'];
  }
  heroDraftId!: number;
  stepIndex!: number;
  teamId!: number;
  action!: 'ban' | 'pick';
  heroId!: number | null;
  method!: 'captain' | 'timeout';
  byUserId!: number | null;
  createdAt!: Date | string;
}
