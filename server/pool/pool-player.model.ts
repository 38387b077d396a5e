import { BaseModel } from '../db/base.model';

export class PoolPlayer extends BaseModel {
  static override tableName = 'pool_players';
  static override get idColumn() {
    return ['tournament_id', 'user_id'];
  }
  tournamentId!: number;
  userId!: number;
  mmr!: number;
  addedAt!: Date | string;
}
