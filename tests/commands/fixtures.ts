import { expect } from 'vitest';
import { ManualClock } from '../../server/deadlines/clock';
import { heroes } from '../../server/herodraft/heroes';
import type { DraftView } from '../../shared/schemas/draft';
import type { HeroDraftView } from '../../shared/schemas/herodraft';
import { FakeDiscordBot } from '../support/fake-discord-bot';
import type { FakeOpenDota } from '../support/fake-opendota';
import type { FakeSteam } from '../support/fake-steam';
import type { HttpClient, HttpResponse } from '../support/http';
import { startHub, type TestHub } from '../support/hub';
import { ScriptedRandom } from '../support/random';
import { finishedMatch, range, twoTeamSeries } from '../steam/fixtures';

export type Client = HttpClient & { userId: number };

/**
 * The people of the permission matrix, made once per file. Every fixture is made through the
 * hub's REST API by `boss` (site staff), as staff would make it.
 */
export interface World {
  t: TestHub;
  steam: FakeSteam;
  od: FakeOpenDota;
  /** Site staff: makes every fixture. */
  boss: Client;
  /** Site admin. */
  admin: Client;
  /** A member (site role) who is made staff of every tournament `tournament()` creates. */
  tstaff: Client;
  /** A member with no role anywhere: never in a pool, a team or a tournament's staff. */
  member: Client;
  /** A member who is staff of one other tournament only. */
  otherStaff: Client;
  /** Members reused as pool players and captains (each fixture is its own tournament). */
  players: Client[];
  /** A fresh member. */
  login(prefix: string): Promise<Client>;
  unique(prefix: string): string;
  /** A number not used before in this file (Steam account ids, match ids, Discord ids). */
  next(): number;
}

/** Fails with the request and the answer when a fixture step is refused. */
export function expectStatus(res: HttpResponse, status: number, what: string) {
  expect(res.status, `${what}: ${res.text}`).toBe(status);
  return res;
}

const FAST_STEAM = { STEAM_RATE_MS: '10', STEAM_SEQ_RATE_MS: '10', OPENDOTA_RATE_MS: '10', STEAM_BACKOFF_MS: '100', STEAM_LIVE_POLL_MS: '3600000' };

/**
 * The file's one hub (SQLite), on the fake Steam and OpenDota. Deadlines (pick timers, hero-draft
 * steps) run on a clock that only moves when told, so nothing changes by itself between a refused
 * command and the check that nothing changed; team A wins every coin toss.
 */
export async function startPermissionHub(steam: FakeSteam, od: FakeOpenDota): Promise<TestHub> {
  // The bot and its guild, for the command that reads a member's roles from Discord (DC44).
  await permissionDiscord.start();
  const t = await startHub({
    env: {
      ...steam.env(),
      ...od.env(),
      ...FAST_STEAM,
      DISCORD_BOT_TOKEN: permissionDiscord.token,
      DISCORD_GUILD_ID: permissionDiscord.guildId,
      DISCORD_API_BASE: permissionDiscord.base,
      DISCORD_STAFF_ROLE_IDS: PERMISSION_STAFF_ROLE,
    },
    clock: new ManualClock(Date.parse('2030-05-01T18:00:00Z')),
    random: new ScriptedRandom({ int: () => 0 }),
    // The outbox is not delivered here: a delivery (or its lease) would change the stored rows by itself.
    discordOutbox: { tickMs: 3_600_000 },
  });
  return { ...t, close: () => t.close().finally(() => permissionDiscord.stop()) };
}

/** The permission hub's fake Discord bot API, and the guild role that makes a member site staff there. */
export const permissionDiscord = new FakeDiscordBot('MTIzNDU2Nzg5MDEyMzQ1Njc4.Gperm1.fake-bot-token-for-permissions-012345');
export const PERMISSION_STAFF_ROLE = '923456789012345678';

export async function makeWorld(t: TestHub, steam: FakeSteam, od: FakeOpenDota): Promise<World> {
  let counter = 0;
  const unique = (prefix: string) => `${prefix}${++counter}`;
  const login = async (prefix: string) => t.login(unique(prefix));
  const boss = await t.login('permboss', 'staff');
  const admin = await t.login('permadmin', 'admin');
  const tstaff = await login('permtstaff');
  const member = await login('permmember');
  const otherStaff = await login('permother');
  const players: Client[] = [];
  for (let i = 0; i < 6; i++) players.push(await login('permplayer'));
  const w: World = { t, steam, od, boss, admin, tstaff, member, otherStaff, players, login, unique, next: () => ++counter };
  const other = await tournament(w, { withStaff: false });
  expectStatus(await boss.post(`/api/tournaments/${other.id}/staff`, { userId: otherStaff.userId }), 201, 'staff of another tournament');
  return w;
}

/** A tournament (state draft) made by site staff, with `w.tstaff` on its staff. */
export async function tournament(w: World, options: { withStaff?: boolean } = {}) {
  const res = expectStatus(await w.boss.post('/api/tournaments', { name: w.unique('Perm Cup '), startsAt: '2030-05-01T18:00:00Z' }), 201, 'create tournament');
  const id = res.body.id as number;
  if (options.withStaff ?? true) expectStatus(await w.boss.post(`/api/tournaments/${id}/staff`, { userId: w.tstaff.userId }), 201, 'add tournament staff');
  return { id };
}

/** A tournament with `users` in its pool. */
export async function withPool(w: World, users: Client[]) {
  const { id } = await tournament(w);
  for (const [i, user] of users.entries()) {
    expectStatus(await w.boss.post(`/api/tournaments/${id}/players`, { userId: user.userId, mmr: 3000 + i * 100 }), 201, 'add to pool');
  }
  return { id };
}

/** A tournament with `count` teams (captains w.players[0..count)) and `extra` more pool players. */
export async function withTeams(w: World, count: number, extra = 0) {
  const captains = w.players.slice(0, count);
  const pool = w.players.slice(count, count + extra);
  const { id } = await withPool(w, [...captains, ...pool]);
  const teamIds: number[] = [];
  for (const captain of captains) {
    const team = expectStatus(await w.boss.post(`/api/tournaments/${id}/teams`, { captainUserId: captain.userId }), 201, 'create team');
    teamIds.push(team.body.id as number);
  }
  return { id, captains, teamIds, pool };
}

export type DraftPhase = 'setup' | 'open' | 'running' | 'picked' | 'paused';

/**
 * A player draft of two teams and four pool players (normal order, teams of three, no pick
 * timer), brought to `phase`: setup (configured), open, running, picked (one pick made), paused.
 */
export async function playerDraft(w: World, phase: DraftPhase) {
  const s = await withTeams(w, 2, 4);
  const base = `/api/tournaments/${s.id}/draft`;
  expectStatus(await w.boss.patch(base, { style: 'normal', teamSize: 3, pickSeconds: null }), 200, 'configure draft');
  const order: DraftPhase[] = ['setup', 'open', 'running', 'picked', 'paused'];
  const reach = (p: DraftPhase) => order.indexOf(phase) >= order.indexOf(p);
  if (reach('open')) expectStatus(await w.boss.post(`${base}/open`, {}), 200, 'open draft');
  if (reach('running')) expectStatus(await w.boss.post(`${base}/start`, {}), 200, 'start draft');
  if (reach('picked')) expectStatus(await w.boss.post(`${base}/picks`, { userId: s.pool[0]!.userId, pickNumber: 1 }), 201, 'first pick');
  if (reach('paused')) expectStatus(await w.boss.post(`${base}/pause`, {}), 200, 'pause draft');
  const view = (await w.boss.get(base)).body as DraftView;
  const onTurnIndex = view.turn?.teamId ? s.teamIds.indexOf(view.turn.teamId) : -1;
  const available = view.pool.filter((p) => p.teamId === null).map((p) => p.user.id);
  return {
    ...s,
    view,
    /** The captain on turn, and the other one (when the draft is running). */
    onTurn: onTurnIndex >= 0 ? s.captains[onTurnIndex]! : undefined,
    offTurn: onTurnIndex >= 0 ? s.captains[1 - onTurnIndex]! : undefined,
    available,
  };
}

/**
 * A single-elimination stage of two teams: one series ready. With `captainReports`, captains
 * report; `claimed`: the captain of side a has reported a 1–0 win.
 */
export async function seriesStage(w: World, options: { captainReports?: boolean; claimed?: boolean } = {}) {
  const s = await withTeams(w, 2);
  const stage = expectStatus(
    await w.boss.post(`/api/tournaments/${s.id}/stages`, { format: 'single_elimination', captainReports: options.captainReports ?? false }),
    201,
    'create stage',
  );
  const series = (stage.body.matches as { id: number; status: string; teamA: { id: number } }[]).find((m) => m.status === 'ready')!;
  const sideA = s.captains[s.teamIds.indexOf(series.teamA.id)]!;
  const sideB = s.captains.find((c) => c !== sideA)!;
  if (options.claimed) {
    expectStatus(await sideA.post(`/api/tournaments/${s.id}/series/${series.id}/claim`, { scoreA: 1, scoreB: 0 }), 200, 'claim series');
  }
  return { ...s, stageId: stage.body.id as number, seriesId: series.id, sideA, sideB };
}

export type HeroDraftPhase = 'waiting' | 'choosing' | 'drafting' | 'paused';

/** A Captains Mode draft between two teams, brought to `phase` through its endpoints. */
export async function heroDraft(w: World, phase: HeroDraftPhase) {
  const s = await withTeams(w, 2);
  const created = expectStatus(
    await w.boss.post(`/api/tournaments/${s.id}/herodrafts`, { teamAId: s.teamIds[0], teamBId: s.teamIds[1] }),
    201,
    'create hero draft',
  );
  const id = created.body.id as number;
  const base = `/api/herodrafts/${id}`;
  const order: HeroDraftPhase[] = ['waiting', 'choosing', 'drafting', 'paused'];
  const reach = (p: HeroDraftPhase) => order.indexOf(phase) >= order.indexOf(p);
  if (reach('choosing')) for (const c of s.captains) expectStatus(await c.post(`${base}/ready`, { ready: true }), 200, 'ready up');
  let view = (await w.boss.get(base)).body as HeroDraftView;
  const tossWinner = view.toss.winner === null ? undefined : s.captains[view.toss.winner]!;
  const tossLoser = view.toss.winner === null ? undefined : s.captains[1 - view.toss.winner]!;
  if (reach('drafting')) {
    expectStatus(await tossWinner!.post(`${base}/choice`, { kind: 'order', value: 'first' }), 200, 'toss winner chooses');
    expectStatus(await tossLoser!.post(`${base}/choice`, { kind: 'side', value: 'radiant' }), 200, 'toss loser chooses');
  }
  if (reach('paused')) expectStatus(await w.boss.post(`${base}/pause`, {}), 200, 'pause hero draft');
  view = (await w.boss.get(base)).body as HeroDraftView;
  const turn = view.turn;
  return {
    ...s,
    heroDraftId: id,
    view,
    tossWinner,
    tossLoser,
    onTurn: turn ? s.captains[turn.team]! : undefined,
    offTurn: turn ? s.captains[1 - turn.team]! : undefined,
    /** A hero nobody has picked or banned. */
    heroId: heroes()
      .map((h) => h.id)
      .sort((a, b) => a - b)[0]!,
  };
}

/**
 * A tournament whose two teams of five have Steam accounts, drafted, with one series ready
 * (tests/steam/fixtures.ts), and w.tstaff on its staff. `match`: a finished game of the two
 * rosters that OpenDota knows and nobody imported yet; `suggestion`: a game with two stand-ins,
 * imported, so it is a suggested link waiting for staff.
 */
export async function steamSeries(w: World, kind: 'match' | 'suggestion') {
  const base = 800_000 + w.next() * 100;
  const s = await twoTeamSeries(w.t, w.boss, base);
  expectStatus(await w.boss.post(`/api/tournaments/${s.id}/staff`, { userId: w.tstaff.userId }), 201, 'add tournament staff');
  const matchId = 8_300_000_000 + w.next();
  if (kind === 'match') {
    w.od.addMatch(finishedMatch(matchId, range(base, 5), range(base + 5, 5), true));
    return { ...s, matchId: String(matchId), linkId: 0 };
  }
  w.od.addMatch(finishedMatch(matchId, [base, base + 1, base + 2, base + 3, 990_001], [base + 5, base + 6, base + 7, base + 8, 990_002], false));
  const imported = expectStatus(await w.boss.post(`/api/tournaments/${s.id}/steam/import`, { matchIds: [String(matchId)] }), 200, 'import match');
  expect(imported.body).toMatchObject({ suggested: 1 });
  const links = expectStatus(await w.boss.get(`/api/tournaments/${s.id}/steam/links`), 200, 'list links');
  const link = (links.body.items as { id: number; state: string }[]).find((l) => l.state === 'suggested')!;
  return { ...s, matchId: String(matchId), linkId: link.id };
}

/** Tables whose rows are not the hub's state: login sessions (a CSRF token starts one) and the live poller's own bookkeeping. */
const NOT_STATE = new Set(['sessions', 'steam_poll_state', 'live_games']);

/** The fingerprint's one statement per database (the schema does not change while a file runs). */
const fingerprintSql = new WeakMap<object, string>();

async function fingerprintStatement(t: TestHub): Promise<string> {
  const db = t.hub.services.db;
  let sql = fingerprintSql.get(db);
  if (sql) return sql;
  const tables = ((await db('sqlite_master').where({ type: 'table' }).pluck('name')) as string[]).sort();
  const parts: string[] = [];
  for (const table of tables) {
    if (NOT_STATE.has(table) || table.startsWith('knex_') || table.startsWith('sqlite_')) continue;
    if (table === 'events') {
      // Append-only: its length and last id say whether anything was added.
      parts.push(`(select json_array(count(*), max(id)) from "events") as "${table}"`);
      continue;
    }
    const columns = ((await db.raw(`pragma table_info("${table}")`)) as { name: string }[]).map((c) => `"${c.name}"`);
    parts.push(`(select json_group_array(json_array(${columns.join(', ')})) from (select * from "${table}" order by rowid)) as "${table}"`);
  }
  sql = `select ${parts.join(',\n')}`;
  fingerprintSql.set(db, sql);
  return sql;
}

/**
 * Everything the hub has stored, as one comparable value read in one statement: every row of
 * every table (the event log as its length and last id, since it only grows). Two equal
 * fingerprints: nothing changed. SQLite only (the file's hub).
 */
export async function fingerprint(t: TestHub): Promise<Record<string, unknown>> {
  const rows = (await t.hub.services.db.raw(await fingerprintStatement(t))) as Record<string, string>[];
  return Object.fromEntries(Object.entries(rows[0]!).map(([table, json]) => [table, JSON.parse(json)]));
}
