import { BaseModel } from '../db/base.model';
import type { StageFormat, StageSettings } from '../../shared/schemas/brackets';

export class Stage extends BaseModel {
  static override tableName = 'bracket_stages';
  static override get jsonAttributes() {
    return ['settings', 'seeding', 'coinToss', 'disqualified'];
  }
  id!: number;
  tournamentId!: number;
  number!: number;
  name!: string;
  format!: StageFormat;
  settings!: StageSettings;
  seedingMethod!: 'ranked' | 'mmr' | 'random' | 'manual' | 'standings';
  /** Team ids in seed order. */
  seeding!: number[];
  randomSeed!: number | null;
  coinToss!: number[];
  disqualified!: number[];
  createdAt!: Date | string;
}

/** One series. Elimination rows keep only results; their teams are replayed by the engine. */
export interface SeriesClaim {
  side: 'a' | 'b';
  userId: number;
  winner: 'a' | 'b' | 'draw';
  scoreA: number;
  scoreB: number;
  forfeit: 'a' | 'b' | null;
  /** The report as the captain sent it (games included), applied as is when confirmed. */
  report: Record<string, unknown>;
}

export class Series extends BaseModel {
  static override tableName = 'bracket_matches';
  static override get jsonAttributes() {
    return ['claim'];
  }
  id!: number;
  stageId!: number;
  tournamentId!: number;
  key!: string;
  groupNumber!: number | null;
  round!: number;
  position!: number;
  teamIdA!: number | null;
  teamIdB!: number | null;
  bestOf!: number;
  winner!: 'a' | 'b' | 'draw' | null;
  scoreA!: number | null;
  scoreB!: number | null;
  forfeit!: 'a' | 'b' | null;
  version!: number;
  /** A captain's report awaiting the other captain. */
  claim!: SeriesClaim | null;
  disputed!: boolean;
  reportedBy!: number | null;
  reportedAt!: Date | string | null;
}

export class SeriesGame extends BaseModel {
  static override tableName = 'bracket_games';
  static override get idColumn() {
    return ['match_id', 'number'];
  }
  static override get jsonAttributes() {
    return ['draft'];
  }
  matchId!: number;
  number!: number;
  winner!: 'a' | 'b';
  radiant!: 'a' | 'b' | null;
  steamMatchId!: string | null;
  draft!: { team: 'a' | 'b'; action: 'pick' | 'ban'; heroId: number }[] | null;
}
