/**
 * The tournament page's read (`GET /api/tournaments/:id`) on SQLite, as plain statements on the
 * pool's one connection, all of them within one synchronous turn.
 *
 * Why: after every command the page's cached answer is gone, and the read through knex and
 * Objection cost several times what SQLite spends on it (a dozen queries, each built, compiled,
 * run through the pool and mapped to models: bench/README.md, "The cold read"). Here it is one
 * prepared statement. Its rows come back as JSON text built by SQLite (`json_group_array`), one
 * column per part: better-sqlite3 makes a JavaScript object per row through V8's C++ API, about
 * 1.5 µs a row, while JSON.parse of the same rows costs a fraction of that. They are then mapped
 * by the same functions as the knex read (toPublicUser, toTournament, toLeague), so the answer
 * is the same, field for field (tests/tournaments/detail.test.ts compares them).
 *
 * Consistency: one SELECT reads one snapshot of the database, even while another process
 * writes the file, so the seq matches every row. Only used while the connection is in no
 * transaction (see `sqliteConnectionOf`): better-sqlite3 is synchronous, nothing else uses the
 * connection meanwhile.
 *
 * Placements that come from a finished elimination bracket need the bracket's read (knex): for
 * those this answers undefined and the caller reads through knex as before.
 */
import { rooms } from '../../shared/rooms';
import type { FinalPlacements } from '../../shared/schemas/placements';
import type { TournamentDetail } from '../../shared/schemas/tournaments';
import { isElimination } from '../brackets/stage.rules';
import { notFound } from '../commands/errors';
import { isoTime } from '../db/base.model';
import { type Db, type SqliteConnection, sqliteConnectionOf } from '../db/knex';
import { toLeague, type League } from '../leagues/league.model';
import { toPublicUser, type User } from '../users/user.model';
import { findTournament } from './access';
import { toTournament, type Tournament } from './tournament.model';
import { getTournamentDetail } from './tournaments.service';

/** The columns toPublicUser reads, in this order (`toUser` below). */
const USER = `u.id, u.discord_id, u.username, u.global_name, u.guild_nickname, u.avatar, u.steam_id, u.mmr,
  case when json_valid(u.positions) then json(u.positions) else u.positions end`;
/** A user's cells, then whatever the part adds after them. */
type UserCells = [number, string, string, string | null, string | null, string | null, string | null, number | null, unknown, ...unknown[]];
const USER_CELLS = 9;

/**
 * The whole read, one column per part, each a JSON array (null for a missing single row).
 * @room the room, @id the tournament. Orders as the knex reads order.
 */
const DETAIL = `select
  (select seq from rooms where name = @room) as seq,
  (select json_array(id, name, description, starts_at, time_zone, state, team_size, league_id, created_at, updated_at)
     from tournaments where id = @id) as tournament,
  (select json_array(l.id, l.name, l.steam_league_id) from leagues l join tournaments t on t.league_id = l.id where t.id = @id) as league,
  (select json_group_array(json_array(${USER}) order by s.created_at, s.user_id)
     from tournament_staff s join users u on u.id = s.user_id where s.tournament_id = @id) as staff,
  (select json_group_array(json_array(${USER}, p.mmr, p.added_at) order by p.mmr desc, p.user_id)
     from pool_players p join users u on u.id = p.user_id where p.tournament_id = @id) as pool,
  (select json_group_array(json_array(id, name, captain_user_id, draft_order) order by draft_order)
     from teams where tournament_id = @id) as teams,
  (select json_group_array(json_array(${USER}, tm.team_id, tm.pick_number, pp.mmr))
     from team_members tm join users u on u.id = tm.user_id
     left join pool_players pp on pp.tournament_id = tm.tournament_id and pp.user_id = tm.user_id
     where tm.tournament_id = @id) as roster,
  (select json_group_array(json_array(team_id, place, set_by, set_at)) from tournament_placements where tournament_id = @id) as placements,
  (select json_array(${USER}) from users u
     where u.id = (select set_by from tournament_placements where tournament_id = @id limit 1)) as setBy,
  (select format from bracket_stages where tournament_id = @id order by number desc limit 1) as lastStage`;

interface DetailRow {
  seq: number | null;
  tournament: string | null;
  league: string | null;
  staff: string;
  pool: string;
  teams: string;
  roster: string;
  placements: string;
  setBy: string | null;
  lastStage: Parameters<typeof isElimination>[0] | null;
}
type TeamCells = [number, string, number, number];
type PlacementCells = [number, number, number | null, string];

const toUser = (c: UserCells) =>
  toPublicUser({
    id: c[0],
    discordId: c[1],
    username: c[2],
    globalName: c[3],
    guildNickname: c[4],
    avatar: c[5],
    steamId: c[6],
    mmr: c[7],
    positions: c[8],
  } as User);

/**
 * isoTime, remembered: a pool's 40-odd join times are the same text on every read, and parsing
 * each into a Date took a tenth of the read. A pure function of the text, so never stale.
 */
const isoTimes = new Map<string, string>();
function iso(value: string): string {
  let out = isoTimes.get(value);
  if (out === undefined) {
    if (isoTimes.size >= 20_000) isoTimes.clear();
    out = isoTime(value);
    isoTimes.set(value, out);
  }
  return out;
}

const byPlace = <T extends { place: number; team: { name: string; id: number } }>(a: T, b: T) =>
  a.place - b.place || a.team.name.localeCompare(b.team.name) || a.team.id - b.team.id;

/**
 * Everything the tournament page shows (the REST answer and the tournament room's snapshot),
 * with the room's seq it reflects. On SQLite, while the connection is free, the one statement
 * below; otherwise (PostgreSQL, a bracket's placements) getTournamentDetail's reads.
 */
export async function readTournamentDetail(db: Db, tournamentId: number): Promise<TournamentDetail> {
  const sqlite = sqliteConnectionOf(db);
  const detail = sqlite && !sqlite.inTransaction ? readDetailOnSqlite(sqlite, tournamentId) : undefined;
  return detail ?? getTournamentDetail(db, tournamentId);
}

const EXISTS = 'select 1 from tournaments where id = ?';

/**
 * Answers 404 for an unknown tournament, as findTournament does, without loading it: every
 * spectator joining a tournament's or a draft's room asks this first (5,000 of them in a raid),
 * so on SQLite it is one statement on the free connection, not a knex query.
 */
export async function requireTournament(db: Db, tournamentId: number): Promise<void> {
  const sqlite = sqliteConnectionOf(db);
  if (sqlite && !sqlite.inTransaction) {
    if (sqlite.prepare(EXISTS).get(tournamentId) === undefined) throw notFound(`tournament ${tournamentId}`);
    return;
  }
  await findTournament(db, tournamentId);
}

/**
 * The detail, or undefined when its placements come from a bracket (read it through knex then).
 * Throws 404 for an unknown tournament.
 */
export function readDetailOnSqlite(sqlite: SqliteConnection, tournamentId: number): TournamentDetail | undefined {
  const row = sqlite.prepare(DETAIL).get({ room: rooms.tournament(tournamentId), id: tournamentId }) as DetailRow;
  if (row.tournament === null) throw notFound(`tournament ${tournamentId}`);
  const t = JSON.parse(row.tournament) as [number, string, string, string, string, Tournament['state'], number, number | null, string, string];
  const teamCells = JSON.parse(row.teams) as TeamCells[];
  const placements = readPlacements(row, teamCells);
  if (!placements) return undefined;
  const league = row.league === null ? null : (JSON.parse(row.league) as [number, string, number | null]);
  const tournament = {
    id: t[0],
    name: t[1],
    description: t[2],
    startsAt: t[3],
    timeZone: t[4],
    state: t[5],
    teamSize: t[6],
    leagueId: t[7],
    createdAt: t[8],
    updatedAt: t[9],
  } as Tournament;
  return {
    ...toTournament(tournament),
    league: league ? toLeague({ id: league[0], name: league[1], steamLeagueId: league[2] } as League) : null,
    staff: (JSON.parse(row.staff) as UserCells[]).map(toUser),
    players: (JSON.parse(row.pool) as [...UserCells, number, string][]).map((c) => ({
      user: toUser(c),
      mmr: c[USER_CELLS] as number,
      addedAt: iso(c[USER_CELLS + 1] as string),
    })),
    teams: readTeams(tournamentId, teamCells, JSON.parse(row.roster) as [...UserCells, number, number | null, number | null][]),
    placements,
    seq: row.seq === null ? 0 : Number(row.seq),
  };
}

/** As listTeams (teams.queries.ts): draft order, captain first, then picks in order. */
function readTeams(tournamentId: number, teams: TeamCells[], rows: [...UserCells, number, number | null, number | null][]): TournamentDetail['teams'] {
  const teamOf = (r: (typeof rows)[number]) => r[USER_CELLS] as number;
  const pickOf = (r: (typeof rows)[number]) => (r[USER_CELLS + 1] as number | null) ?? 0;
  return teams.map(([id, name, captainUserId, draftOrder]) => {
    const mine = rows.filter((r) => teamOf(r) === id);
    const captain = mine.find((r) => r[0] === captainUserId)!;
    const picks = mine.filter((r) => r[0] !== captainUserId).sort((a, b) => pickOf(a) - pickOf(b));
    const roster = [captain, ...picks].map((r) => ({ user: toUser(r), mmr: (r[USER_CELLS + 2] as number | null) ?? 0 }));
    return { id, tournamentId, name, captain: roster[0]!.user, draftOrder, members: roster, totalMmr: roster.reduce((sum, m) => sum + m.mmr, 0) };
  });
}

/**
 * As readFinalPlacements (placements.service.ts): the ones staff set (one command writes them
 * all, with one author and time), else none; undefined when a bracket's may stand.
 */
function readPlacements(row: DetailRow, teams: TeamCells[]): FinalPlacements | undefined {
  const rows = JSON.parse(row.placements) as PlacementCells[];
  if (rows.length > 0) {
    const names = new Map(teams.map(([id, name]) => [id, name]));
    const [, , setBy, setAt] = rows[0]!;
    return {
      source: 'staff',
      items: rows.map(([teamId, place]) => ({ team: { id: teamId, name: names.get(teamId) ?? '' }, place })).sort(byPlace),
      setAt: iso(setAt),
      setBy: setBy === null || row.setBy === null ? null : toUser(JSON.parse(row.setBy) as UserCells),
    };
  }
  if (row.lastStage !== null && isElimination(row.lastStage)) return undefined;
  return { source: 'none', items: [], setAt: null, setBy: null };
}
