import { BaseModel } from '../db/base.model';
import type { League as LeagueDto } from '../../shared/schemas/leagues';

export class League extends BaseModel {
  static override tableName = 'leagues';
  id!: number;
  name!: string;
  steamLeagueId!: number | null;
  createdAt!: Date | string;
}

export function toLeague(league: League): LeagueDto {
  return { id: league.id, name: league.name, steamLeagueId: league.steamLeagueId };
}
