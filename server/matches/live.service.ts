import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { rooms } from '../../shared/rooms';
import { type LiveFeed, type LiveGame, type LivePlayer, PollErrorKind } from '../../shared/schemas/steam';
import { isoTime } from '../db/base.model';
import type { HubServices } from '../services';
import { type LiveState, LiveGameRow, PollStateRow } from './match.model';

/** Cache tag of the live feed and the poller's health. */
export const LIVE_TAG = 'steam:live';
const POLL = 'live';
/** Finished games stay on the live page this long. */
const FINISHED_SHOWN_MS = 6 * 3600_000;
const GRAPH_POINTS = 400;

/** What a poll saw of one game, from whichever source. */
export interface ObservedGame {
  matchId: string;
  leagueId: number | null;
  lobbyId: string | null;
  radiantName: string;
  direName: string;
  gameTimeSeconds: number;
  radiantScore: number;
  direScore: number;
  /** Given by the source when it has no per-player net worth (OpenDota /live). */
  goldLead?: number;
  towers: { radiant: number; dire: number };
  barracks: { radiant: number; dire: number };
  players: LivePlayer[];
}

export function toLiveGame(row: LiveGameRow): LiveGame {
  return {
    ...row.state,
    matchId: row.matchId,
    leagueId: row.leagueId,
    lobbyId: row.lobbyId,
    status: row.status,
    goldGraph: row.goldGraph,
    radiantWin: row.radiantWin === null ? null : Boolean(row.radiantWin),
    updatedAt: isoTime(row.updatedAt),
    finishedAt: row.finishedAt ? isoTime(row.finishedAt) : null,
  };
}

function stateOf(game: ObservedGame): LiveState {
  const worth = (side: 'radiant' | 'dire') => game.players.filter((p) => p.side === side).reduce((sum, p) => sum + p.netWorth, 0);
  return {
    radiantName: game.radiantName,
    direName: game.direName,
    gameTimeSeconds: game.gameTimeSeconds,
    radiantScore: game.radiantScore,
    direScore: game.direScore,
    goldLead: game.goldLead ?? worth('radiant') - worth('dire'),
    towers: game.towers,
    barracks: game.barracks,
    players: game.players,
  };
}

/**
 * Publishes one live game into its match room, only when something changed since the last
 * publish (the fingerprint of the scoreboard); unchanged polls write nothing and send nothing.
 * Answers whether an event went out.
 */
export async function publishLiveGame(hub: HubServices, game: ObservedGame): Promise<boolean> {
  const state = stateOf(game);
  const fingerprint = crypto
    .createHash('sha1')
    .update(JSON.stringify([game.leagueId, game.lobbyId, state]))
    .digest('hex');
  return hub.commands.run(null, async (tx) => {
    const room = rooms.match(Number(game.matchId));
    await tx.lock(room);
    const row = await LiveGameRow.query(tx.db).findById(game.matchId);
    if (row && (row.fingerprint === fingerprint || row.status === 'finished')) return false;
    const graph = [...(row?.goldGraph ?? [])];
    if (graph.at(-1)?.t !== state.gameTimeSeconds) graph.push({ t: state.gameTimeSeconds, lead: state.goldLead });
    else graph[graph.length - 1] = { t: state.gameTimeSeconds, lead: state.goldLead };
    const values = {
      leagueId: game.leagueId,
      lobbyId: game.lobbyId,
      status: 'live' as const,
      state,
      goldGraph: graph.slice(-GRAPH_POINTS),
      fingerprint,
      updatedAt: new Date().toISOString(),
    };
    const saved = row
      ? await LiveGameRow.query(tx.db).patchAndFetchById(game.matchId, values)
      : await LiveGameRow.query(tx.db).insertAndFetch({ matchId: game.matchId, ...values, radiantWin: null, finishedAt: null });
    tx.touch(LIVE_TAG);
    await tx.emit(room, 'live.updated', toLiveGame(saved));
    return true;
  });
}

/**
 * Games still live in the database that their source, which answered this round, no longer
 * lists: they ended. `answered(leagueId)` says whether the source of such a game answered (a
 * failed call proves nothing).
 */
export async function finishVanishedGames(hub: HubServices, seen: ReadonlySet<string>, answered: (leagueId: number | null) => boolean): Promise<string[]> {
  const live = await LiveGameRow.query(hub.db).where({ status: 'live' }).select('matchId', 'leagueId');
  const ended: string[] = [];
  for (const { matchId, leagueId } of live) {
    if (seen.has(matchId) || !answered(leagueId)) continue;
    const done = await hub.commands.run(null, async (tx) => {
      const room = rooms.match(Number(matchId));
      await tx.lock(room);
      const row = await LiveGameRow.query(tx.db).findById(matchId);
      if (!row || row.status !== 'live') return false; // another process finished it first
      const saved = await LiveGameRow.query(tx.db).patchAndFetchById(matchId, {
        status: 'finished',
        finishedAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
      });
      tx.touch(LIVE_TAG);
      await tx.emit(room, 'live.finished', toLiveGame(saved));
      return true;
    });
    if (done) ended.push(matchId);
  }
  return ended;
}

/** A failed poll: which service, how, and its message. */
export interface PollError {
  service: 'Steam' | 'OpenDota';
  kind: PollErrorKind;
  message: string;
}

/**
 * The poller's health, shared by every process through the database (ST7: "since when"). The
 * "since" is kept while the same service keeps failing the same way, and starts again when the
 * failure changes (503 then 429: "limiting us since" the first 429).
 */
export async function recordPoll(hub: HubServices, error: PollError | null): Promise<void> {
  await hub.commands.run(null, async (tx) => {
    const now = new Date().toISOString();
    const row = await PollStateRow.query(tx.db).findById(POLL);
    const same = row?.errorSince && error && row.errorService === error.service && row.errorKind === error.kind;
    const next = error
      ? { lastError: error.message, errorSince: same ? isoTime(row.errorSince!) : now, errorService: error.service, errorKind: error.kind }
      : { lastSuccessAt: now, lastError: null, errorSince: null, errorService: null, errorKind: null };
    if (row) await PollStateRow.query(tx.db).findById(POLL).patch(next);
    else await PollStateRow.query(tx.db).insert({ name: POLL, lastSuccessAt: null, ...next });
    tx.touch(LIVE_TAG);
  });
}

export async function readPollState(db: Knex): Promise<LiveFeed['poll']> {
  const row = await PollStateRow.query(db).findById(POLL);
  const last = row?.lastSuccessAt ? isoTime(row.lastSuccessAt) : null;
  return {
    lastSuccessAt: last,
    lastError: row?.lastError ?? null,
    errorSince: row?.errorSince ? isoTime(row.errorSince) : null,
    errorService: row?.lastError && (row.errorService === 'Steam' || row.errorService === 'OpenDota') ? row.errorService : null,
    errorKind: row?.lastError ? (PollErrorKind.safeParse(row.errorKind).data ?? null) : null,
    ageSeconds: last ? Math.max(0, Math.round((Date.now() - Date.parse(last)) / 1000)) : null,
  };
}

/** Live games and the ones that ended in the last hours, newest first. */
export async function readLiveGames(db: Knex): Promise<LiveGame[]> {
  const since = new Date(Date.now() - FINISHED_SHOWN_MS).toISOString();
  const rows = await LiveGameRow.query(db)
    .where((w) => w.where({ status: 'live' }).orWhere('finishedAt', '>=', since))
    .orderBy('updatedAt', 'desc')
    .limit(100);
  return rows.map(toLiveGame);
}
