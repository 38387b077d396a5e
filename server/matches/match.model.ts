import { BaseModel } from '../db/base.model';
import type { LiveGame } from '../../shared/schemas/steam';

export class SteamMatchRow extends BaseModel {
  static override tableName = 'steam_matches';
  static override get idColumn() {
    return 'matchId';
  }
  matchId!: string;
  leagueId!: number | null;
  startTime!: Date | string;
  duration!: number;
  radiantWin!: boolean | number;
  source!: 'opendota' | 'steam';
  importedAt!: Date | string;
}

export class SteamMatchPlayerRow extends BaseModel {
  static override tableName = 'steam_match_players';
  static override get idColumn() {
    return ['matchId', 'playerSlot'];
  }
  matchId!: string;
  playerSlot!: number;
  /** bigint column: PostgreSQL hands it back as text. */
  accountId!: number | string | null;
  isRadiant!: boolean | number;
  heroId!: number;
  kills!: number;
  deaths!: number;
  assists!: number;
  /** Null when the source had none (older OpenDota matches). */
  netWorth!: number | null;
  /** Gold earned over the game (OpenDota only); not net worth. */
  totalGold!: number | null;
  gpm!: number;
  xpm!: number;
  lastHits!: number;
  denies!: number;
}

export type LiveState = Omit<LiveGame, 'matchId' | 'leagueId' | 'lobbyId' | 'status' | 'goldGraph' | 'radiantWin' | 'updatedAt' | 'finishedAt'>;

export class LiveGameRow extends BaseModel {
  static override tableName = 'live_games';
  static override get idColumn() {
    return 'matchId';
  }
  static override get jsonAttributes() {
    return ['state', 'goldGraph'];
  }
  matchId!: string;
  leagueId!: number | null;
  lobbyId!: string | null;
  status!: 'live' | 'finished';
  state!: LiveState;
  goldGraph!: { t: number; lead: number }[];
  fingerprint!: string;
  radiantWin!: boolean | number | null;
  updatedAt!: Date | string;
  finishedAt!: Date | string | null;
}

export class MatchLinkRow extends BaseModel {
  static override tableName = 'match_links';
  id!: number;
  matchId!: string;
  tournamentId!: number;
  seriesId!: number;
  teamA!: number;
  teamB!: number;
  overlap!: number;
  state!: 'linked' | 'suggested' | 'dismissed';
  radiant!: 'a' | 'b' | null;
  winner!: 'a' | 'b' | null;
  decidedBy!: number | null;
  createdAt!: Date | string;
}

export class PollStateRow extends BaseModel {
  static override tableName = 'steam_poll_state';
  static override get idColumn() {
    return 'name';
  }
  name!: string;
  lastSuccessAt!: Date | string | null;
  lastError!: string | null;
  errorSince!: Date | string | null;
  /** Which service failed and how, while lastError is set. */
  errorService!: string | null;
  errorKind!: string | null;
}
