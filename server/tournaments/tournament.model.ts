import { BaseModel, isoTime } from '../db/base.model';
import type { Tournament as TournamentDto, TournamentState } from '../../shared/schemas/tournaments';

export class Tournament extends BaseModel {
  static override tableName = 'tournaments';
  id!: number;
  name!: string;
  description!: string;
  startsAt!: Date | string;
  timeZone!: string;
  state!: TournamentState;
  teamSize!: number;
  leagueId!: number | null;
  createdAt!: Date | string;
  updatedAt!: Date | string;

  override $beforeUpdate() {
    this.updatedAt = new Date().toISOString();
  }
}

export class TournamentStaff extends BaseModel {
  static override tableName = 'tournament_staff';
  static override get idColumn() {
    return ['tournament_id', 'user_id'];
  }
  tournamentId!: number;
  userId!: number;
}

export function toTournament(t: Tournament): TournamentDto {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    startsAt: isoTime(t.startsAt),
    timeZone: t.timeZone,
    state: t.state,
    teamSize: t.teamSize,
    leagueId: t.leagueId,
    createdAt: isoTime(t.createdAt),
    updatedAt: isoTime(t.updatedAt),
  };
}
