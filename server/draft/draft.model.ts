import { BaseModel } from '../db/base.model';
import type { DraftStatus, DraftStyle, PickMethod } from '../../shared/schemas/draft';

/** One row per tournament with a player draft: its settings and lifecycle, not its position. */
export class Draft extends BaseModel {
  static override tableName = 'drafts';
  static override get idColumn() {
    return 'tournament_id';
  }
  tournamentId!: number;
  style!: DraftStyle;
  pickSeconds!: number | null;
  status!: DraftStatus;
  pausedRemainingMs!: number | null;
  startedAt!: Date | string | null;
  completedAt!: Date | string | null;
  updatedAt!: Date | string;
}

export class DraftPickRow extends BaseModel {
  static override tableName = 'draft_picks';
  static override get idColumn() {
    return ['tournament_id', 'pick_number'];
  }
  tournamentId!: number;
  pickNumber!: number;
  teamId!: number;
  userId!: number;
  method!: PickMethod;
  byUserId!: number | null;
  createdAt!: Date | string;
}

export class DraftRollRow extends BaseModel {
  static override tableName = 'draft_rolls';
  static override get idColumn() {
    return ['tournament_id', 'pick_number', 'round', 'team_id'];
  }
  tournamentId!: number;
  pickNumber!: number;
  round!: number;
  teamId!: number;
  value!: number;
}

export class DraftQueueRow extends BaseModel {
  static override tableName = 'draft_queues';
  static override get idColumn() {
    return ['tournament_id', 'user_id'];
  }
  static override get jsonAttributes() {
    return ['playerIds'];
  }
  tournamentId!: number;
  userId!: number;
  playerIds!: number[];
}
