import { BaseModel } from '../db/base.model';

export class Team extends BaseModel {
  static override tableName = 'teams';
  id!: number;
  tournamentId!: number;
  name!: string;
  captainUserId!: number;
  draftOrder!: number;
  createdAt!: Date | string;
}

export class TeamMember extends BaseModel {
  static override tableName = 'team_members';
  static override get idColumn() {
    return ['team_id', 'user_id'];
  }
  teamId!: number;
  tournamentId!: number;
  userId!: number;
  /** null for the captain, else the overall pick number in the player draft. */
  pickNumber!: number | null;
}
