import type { Knex } from 'knex';
import type { z } from 'zod';
import { rooms } from '../../shared/rooms';
import type {
  CheckInWindow,
  MySignup,
  Signup as SignupDto,
  SignupInput,
  SignupList,
  SignupSettings,
  SignupSettingsInput,
  SignupState,
} from '../../shared/schemas/signups';
import { NO_POSITIONS, type Positions } from '../../shared/schemas/users';
import type { Actor } from '../auth/actor';
import type { CommandTx } from '../commands/command';
import { conflict, invalid, notFound } from '../commands/errors';
import { isoTime } from '../db/base.model';
import type { Db } from '../db/knex';
import type { Deadline } from '../deadlines/deadlines';
import { announceCheckInOpened, announceSignupOpened, tellStaffSignupPending } from '../discord/notices';
import { readConsistently, roomSeq } from '../events/snapshot';
import { deletePoolPlayer, insertPoolPlayer, onRemovedByHand, setPoolMmr } from '../pool/pool.service';
import type { HubServices } from '../services';
import { findTournament, isTournamentStaff, lockTournament, touchTournament } from '../tournaments/access';
import type { Tournament } from '../tournaments/tournament.model';
import { toPublicUser, User } from '../users/user.model';
import {
  ACTIVE,
  canCheckIn,
  checkInClose,
  checkInOpen,
  DEFAULT_RULES,
  eligibility,
  freePlaces,
  HOLDS_PLACE,
  placeFor,
  promotions,
  type Rules,
  signupOpen,
  waitlistOrder,
} from './signups.rules';

/** The deadline kind of a check-in close. */
export const CHECKIN_DEADLINE = 'signups.checkin';
/**
 * The check-in close's deadline lives on a room of its own, where no event is ever written: a
 * deadline is void once its room moves on, and the tournament room moves with every check-in.
 * Commands that touch it lock it before the tournament room (one lock order: no deadlock).
 */
export const checkInRoom = (tournamentId: number) => `checkin:${tournamentId}`;

// ---------------------------------------------------------------- rows

interface SettingsRow {
  capacity: number | null;
  closesAtMs: number | string | null;
  closed: boolean | number;
  approval: string;
  mmrMin: number | null;
  mmrMax: number | null;
  steamRequired: boolean | number;
  checkinOpenedAtMs: number | string | null;
  checkinClosesAtMs: number | string | null;
  checkinClosedAtMs: number | string | null;
}

interface Loaded {
  rules: Rules;
  window: { openedAt: number | null; closesAt: number | null; closedAt: number | null };
  stored: boolean;
}

const ms = (v: number | string | null | undefined): number | null => (v === null || v === undefined ? null : Number(v));

function settingsFrom(row: SettingsRow | undefined): Loaded {
  if (!row) return { rules: { ...DEFAULT_RULES }, window: { openedAt: null, closesAt: null, closedAt: null }, stored: false };
  return {
    rules: {
      capacity: row.capacity,
      closesAt: ms(row.closesAtMs),
      closed: Boolean(row.closed),
      approval: row.approval === 'automatic' ? 'automatic' : 'manual',
      mmrMin: row.mmrMin,
      mmrMax: row.mmrMax,
      steamRequired: Boolean(row.steamRequired),
    },
    window: { openedAt: ms(row.checkinOpenedAtMs), closesAt: ms(row.checkinClosesAtMs), closedAt: ms(row.checkinClosedAtMs) },
    stored: true,
  };
}

async function loadSettings(db: Knex, tournamentId: number): Promise<Loaded> {
  return settingsFrom((await db('signup_settings').where({ tournamentId }).first()) as SettingsRow | undefined);
}

/** Whether sign-up is open now for a tournament in `state`, by its stored rules, and until when (DC15). */
export async function signupOpenNow(
  db: Knex,
  tournamentId: number,
  state: Tournament['state'],
  now: number,
): Promise<{ open: boolean; closesAt: number | null }> {
  const { rules } = await loadSettings(db, tournamentId);
  return { open: signupOpen(state, rules, now).ok, closesAt: rules.closesAt };
}

async function saveSettings(db: Knex, tournamentId: number, loaded: Loaded) {
  const { rules, window } = loaded;
  const row = {
    tournamentId,
    capacity: rules.capacity,
    closesAtMs: rules.closesAt,
    closed: rules.closed,
    approval: rules.approval,
    mmrMin: rules.mmrMin,
    mmrMax: rules.mmrMax,
    steamRequired: rules.steamRequired,
    checkinOpenedAtMs: window.openedAt,
    checkinClosesAtMs: window.closesAt,
    checkinClosedAtMs: window.closedAt,
  };
  await db('signup_settings').insert(row).onConflict('tournamentId').merge();
}

interface Row {
  tournamentId: number;
  userId: number;
  steamId: string | null;
  declaredMmr: number;
  positions: Positions;
  note: string;
  state: SignupState;
  signedUpAt: number;
  queuedAt: number | null;
  checkedInAt: number | null;
  missedCheckIn: boolean;
  poolMmr: number | null;
  reason: string | null;
  updatedAt: number;
}

function fromDb(r: Record<string, unknown>): Row {
  const positions = typeof r.positions === 'string' ? (JSON.parse(r.positions) as Positions) : ((r.positions as Positions | null) ?? NO_POSITIONS);
  return {
    tournamentId: Number(r.tournamentId),
    userId: Number(r.userId),
    steamId: (r.steamId as string | null) ?? null,
    declaredMmr: Number(r.declaredMmr),
    positions,
    note: String(r.note ?? ''),
    state: r.state as SignupState,
    signedUpAt: Number(r.signedUpAtMs),
    queuedAt: ms(r.queuedAtMs as string | null),
    checkedInAt: ms(r.checkedInAtMs as string | null),
    missedCheckIn: Boolean(r.missedCheckIn),
    poolMmr: r.poolMmr === null || r.poolMmr === undefined ? null : Number(r.poolMmr),
    reason: (r.reason as string | null) ?? null,
    updatedAt: Number(r.updatedAtMs),
  };
}

function toDb(r: Row) {
  return {
    tournamentId: r.tournamentId,
    userId: r.userId,
    steamId: r.steamId,
    declaredMmr: r.declaredMmr,
    positions: JSON.stringify(r.positions),
    note: r.note,
    state: r.state,
    signedUpAtMs: r.signedUpAt,
    queuedAtMs: r.queuedAt,
    checkedInAtMs: r.checkedInAt,
    missedCheckIn: r.missedCheckIn,
    poolMmr: r.poolMmr,
    reason: r.reason,
    updatedAtMs: r.updatedAt,
  };
}

async function loadRows(db: Knex, tournamentId: number): Promise<Row[]> {
  return (await db('signups').where({ tournamentId })).map(fromDb);
}

async function loadRow(db: Knex, tournamentId: number, userId: number): Promise<Row | undefined> {
  const r = await db('signups').where({ tournamentId, userId }).first();
  return r ? fromDb(r) : undefined;
}

async function writeRow(db: Knex, row: Row) {
  await db('signups').insert(toDb(row)).onConflict(['tournamentId', 'userId']).merge();
}

// ---------------------------------------------------------------- views

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const STATE_ORDER: Record<SignupState, number> = { approved: 0, pending: 1, waitlisted: 2, declined: 3, withdrawn: 4 };

function windowView(window: Loaded['window'], now: number): CheckInWindow | null {
  if (window.openedAt === null || window.closesAt === null) return null;
  return { openedAt: iso(window.openedAt)!, closesAt: iso(window.closesAt)!, closedAt: iso(window.closedAt), open: checkInOpen(window, now) };
}

/** Rows in the list's order, each with its waitlist position. */
function ordered(rows: Row[]): { row: Row; position: number | null }[] {
  const queue = waitlistOrder(rows.filter((r) => r.state === 'waitlisted').map((r) => ({ ...r, queuedAt: r.queuedAt ?? r.signedUpAt })));
  const position = new Map(queue.map((r, i) => [r.userId, i + 1]));
  return [...rows]
    .sort(
      (a, b) =>
        STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
        (a.state === 'waitlisted' ? position.get(a.userId)! - position.get(b.userId)! : a.signedUpAt - b.signedUpAt || a.userId - b.userId),
    )
    .map((row) => ({ row, position: position.get(row.userId) ?? null }));
}

async function usersById(db: Knex, ids: number[]): Promise<Map<number, User>> {
  if (ids.length === 0) return new Map();
  return new Map((await User.query(db).findByIds(ids)).map((u) => [u.id, u]));
}

function toSignup(row: Row, user: User, position: number | null, showNote: boolean): SignupDto {
  return {
    tournamentId: row.tournamentId,
    user: toPublicUser(user),
    steamId: row.steamId,
    declaredMmr: row.declaredMmr,
    positions: row.positions,
    note: showNote ? row.note : null,
    state: row.state,
    waitlistPosition: row.state === 'waitlisted' ? position : null,
    checkedIn: row.checkedInAt !== null,
    checkedInAt: iso(row.checkedInAt),
    missedCheckIn: row.missedCheckIn,
    poolMmr: row.poolMmr,
    reason: row.reason,
    createdAt: iso(row.signedUpAt)!,
    updatedAt: iso(row.updatedAt)!,
  };
}

/** One sign-up as it stands now (its waitlist position counted among the tournament's). */
async function signupView(db: Knex, tournamentId: number, userId: number, showNote: boolean): Promise<SignupDto> {
  const all = ordered(await loadRows(db, tournamentId));
  const found = all.find((e) => e.row.userId === userId);
  if (!found) throw notFound(`sign-up of user ${userId} to tournament ${tournamentId}`);
  const user = await User.query(db).findById(userId);
  return toSignup(found.row, user!, found.position, showNote);
}

function settingsView(tournamentId: number, state: Tournament['state'], loaded: Loaded, rows: Row[], now: number): SignupSettings {
  const { rules } = loaded;
  return {
    tournamentId,
    capacity: rules.capacity,
    closesAt: iso(rules.closesAt),
    closed: rules.closed,
    approval: rules.approval,
    mmrMin: rules.mmrMin,
    mmrMax: rules.mmrMax,
    steamRequired: rules.steamRequired,
    open: signupOpen(state, rules, now).ok,
    checkIn: windowView(loaded.window, now),
    places: {
      taken: rows.filter((r) => HOLDS_PLACE.includes(r.state)).length,
      waitlisted: rows.filter((r) => r.state === 'waitlisted').length,
    },
    serverTime: new Date(now).toISOString(),
  };
}

// ---------------------------------------------------------------- reads

export async function getSignupSettings(hub: HubServices, tournamentId: number): Promise<SignupSettings> {
  const tournament = await findTournament(hub.db, tournamentId);
  return settingsView(tournamentId, tournament.state, await loadSettings(hub.db, tournamentId), await loadRows(hub.db, tournamentId), hub.clock.now());
}

/** The list: notes only for staff, and for each member their own. */
export async function listSignups(db: Db, actor: Actor | null, tournamentId: number): Promise<SignupList> {
  await findTournament(db, tournamentId);
  const staff = await isTournamentStaff(db, actor, tournamentId);
  return readConsistently(db, async (trx) => {
    const seq = await roomSeq(trx, rooms.tournament(tournamentId));
    const entries = ordered(await loadRows(trx, tournamentId));
    const users = await usersById(
      trx,
      entries.map((e) => e.row.userId),
    );
    return { items: entries.map((e) => toSignup(e.row, users.get(e.row.userId)!, e.position, staff || e.row.userId === actor?.id)), seq };
  });
}

/** One's own sign-ups: a few queries whatever their number (the header asks for this on every poll). */
export async function mySignups(hub: HubServices, actor: Actor): Promise<{ items: MySignup[] }> {
  const mine = (await hub.db('signups').where({ userId: actor.id })).map(fromDb);
  if (mine.length === 0) return { items: [] };
  const ids = mine.map((r) => r.tournamentId);
  const tournaments = new Map((await hub.db('tournaments').whereIn('id', ids)).map((t: Record<string, unknown>) => [Number(t.id), t]));
  const settings = new Map(
    (await hub.db('signup_settings').whereIn('tournamentId', ids)).map((r: SettingsRow & { tournamentId: number }) => [Number(r.tournamentId), r]),
  );
  // Waitlist positions: only the tournaments where this member waits.
  const waiting = mine.filter((r) => r.state === 'waitlisted').map((r) => r.tournamentId);
  const queues = waiting.length ? (await hub.db('signups').whereIn('tournamentId', waiting).where({ state: 'waitlisted' })).map(fromDb) : [];
  const user = await User.query(hub.db).findById(actor.id);
  const now = hub.clock.now();
  const items: MySignup[] = mine.map((row) => {
    const t = tournaments.get(row.tournamentId)!;
    const position = ordered(queues.filter((q) => q.tournamentId === row.tournamentId)).find((e) => e.row.userId === actor.id)?.position ?? null;
    return {
      tournament: { id: row.tournamentId, name: String(t.name), state: String(t.state), startsAt: isoTime(t.startsAt as string | Date) },
      signup: toSignup(row, user!, position, true),
      checkIn: windowView(settingsFrom(settings.get(row.tournamentId)).window, now),
    };
  });
  return { items: items.sort((a, b) => a.tournament.startsAt.localeCompare(b.tournament.startsAt)) };
}

// ---------------------------------------------------------------- commands

interface Ctx {
  hub: HubServices;
  tx: CommandTx;
  room: string;
  tournament: Tournament;
  loaded: Loaded;
  now: number;
}

async function begin(hub: HubServices, tx: CommandTx, tournamentId: number): Promise<Ctx> {
  const { room, tournament } = await lockTournament(tx, tournamentId);
  return { hub, tx, room, tournament, loaded: await loadSettings(tx.db, tournamentId), now: hub.clock.now() };
}

async function emitSignup(ctx: Ctx, type: string, userId: number): Promise<SignupDto> {
  const view = await signupView(ctx.tx.db, ctx.tournament.id, userId, false);
  await ctx.tx.emit(ctx.room, type, { signup: view });
  touchTournament(ctx.tx, ctx.tournament.id);
  return view;
}

/** The answer to the member or staff who acted: with the note. */
const answer = (ctx: Ctx, userId: number) => signupView(ctx.tx.db, ctx.tournament.id, userId, true);

const inPool = async (db: Knex, tournamentId: number, userId: number) => Boolean(await db('pool_players').where({ tournamentId, userId }).first('userId'));

async function joinPool(ctx: Ctx, row: Row) {
  if (await inPool(ctx.tx.db, row.tournamentId, row.userId)) return; // staff added them by hand already
  await insertPoolPlayer(ctx.tx, ctx.room, ctx.tournament, row.userId, row.poolMmr ?? row.declaredMmr);
}

async function leavePool(ctx: Ctx, row: Row) {
  if (!(await inPool(ctx.tx.db, row.tournamentId, row.userId))) return;
  await deletePoolPlayer(ctx.tx, ctx.room, ctx.tournament, row.userId);
}

/** Places freed: the first waitlisted move up (only with a capacity: without one nobody waits for a place). */
async function promote(ctx: Ctx) {
  if (ctx.loaded.rules.capacity === null || ctx.tournament.state !== 'registration') return;
  const rows = await loadRows(ctx.tx.db, ctx.tournament.id);
  const taken = rows.filter((r) => HOLDS_PLACE.includes(r.state)).length;
  const waiting = rows.filter((r) => r.state === 'waitlisted').map((r) => ({ ...r, queuedAt: r.queuedAt ?? r.signedUpAt }));
  for (const next of promotions(waiting, freePlaces(ctx.loaded.rules.capacity, taken))) {
    const row = { ...next, state: placeFor({ ...ctx.loaded.rules, capacity: null }, 0), queuedAt: null, updatedAt: ctx.now };
    await writeRow(ctx.tx.db, row);
    if (row.state === 'approved') await joinPool(ctx, row);
    if (row.state === 'pending') await tellStaffSignupPending(ctx.tx, ctx.hub.config, ctx.tournament, row.userId, row.declaredMmr);
    await emitSignup(ctx, row.state === 'approved' ? 'signup.approved' : 'signup.updated', row.userId);
  }
}

/** A place at the back of the waitlist: after everyone queued, even within the same millisecond. */
function queueTime(rows: Row[], now: number): number {
  const last = Math.max(-Infinity, ...rows.filter((r) => r.state === 'waitlisted').map((r) => r.queuedAt ?? r.signedUpAt));
  return Math.max(now, last + 1);
}

async function steamHeldByOther(db: Knex, tournamentId: number, userId: number, steamId: string | null): Promise<boolean> {
  if (!steamId) return false;
  if (await db('users').where({ steamId }).whereNot({ id: userId }).first('id')) return true;
  // A declined sign-up keeps its account (declined as a smurf, it must not come back under another name).
  const other = await db('signups').where({ tournamentId, steamId }).whereNot({ userId }).whereNot({ state: 'withdrawn' }).first('userId');
  return Boolean(other);
}

function requireOpen(ctx: Ctx) {
  const open = signupOpen(ctx.tournament.state, ctx.loaded.rules, ctx.now);
  if (!open.ok) throw conflict(open.reason);
}

/** A member signs up, or edits their sign-up (SU1: one per member). */
export function signUp(hub: HubServices, actor: Actor, tournamentId: number, input: z.output<typeof SignupInput>): Promise<SignupDto> {
  return hub.commands.run(actor, async (tx) => {
    const ctx = await begin(hub, tx, tournamentId);
    requireOpen(ctx);
    const user = await User.query(tx.db).findById(actor.id);
    if (!user) throw notFound(`user ${actor.id}`);
    const existing = await loadRow(tx.db, tournamentId, actor.id);
    if (existing?.state === 'declined') {
      throw conflict(`staff declined your sign-up${existing.reason ? `: ${existing.reason}` : ''}`);
    }
    const steamId = input.steamId ?? user.steamId ?? null;
    const verdict = eligibility(ctx.loaded.rules, { declaredMmr: input.declaredMmr, steamId }, await steamHeldByOther(tx.db, tournamentId, actor.id, steamId));
    if (!verdict.ok) {
      if (verdict.conflict) throw conflict(verdict.reason);
      throw invalid(verdict.reason, [{ path: ['body', verdict.field!], message: verdict.reason }]);
    }

    if (existing && ACTIVE.includes(existing.state)) {
      const row: Row = { ...existing, steamId, declaredMmr: input.declaredMmr, positions: input.positions, note: input.note, updatedAt: ctx.now };
      await writeRow(tx.db, row);
      if (row.state === 'approved' && row.poolMmr === null && row.declaredMmr !== existing.declaredMmr && (await inPool(tx.db, tournamentId, actor.id))) {
        await setPoolMmr(tx, ctx.room, ctx.tournament, actor.id, row.declaredMmr);
      }
      await emitSignup(ctx, 'signup.updated', actor.id);
      return answer(ctx, actor.id);
    }

    // New, or again after a withdrawal: a place in order of time (SU2), else the waitlist.
    const rows = await loadRows(tx.db, tournamentId);
    const state = placeFor(ctx.loaded.rules, rows.filter((r) => HOLDS_PLACE.includes(r.state)).length);
    const row: Row = {
      tournamentId,
      userId: actor.id,
      steamId,
      declaredMmr: input.declaredMmr,
      positions: input.positions,
      note: input.note,
      state,
      signedUpAt: ctx.now,
      queuedAt: state === 'waitlisted' ? queueTime(rows, ctx.now) : null,
      checkedInAt: null,
      missedCheckIn: false,
      poolMmr: null,
      reason: null,
      updatedAt: ctx.now,
    };
    await writeRow(tx.db, row);
    if (state === 'approved') await joinPool(ctx, row);
    if (state === 'pending') await tellStaffSignupPending(tx, hub.config, ctx.tournament, actor.id, row.declaredMmr);
    await emitSignup(ctx, 'signup.created', actor.id);
    return answer(ctx, actor.id);
  });
}

async function requireRow(ctx: Ctx, userId: number, own: boolean): Promise<Row> {
  const row = await loadRow(ctx.tx.db, ctx.tournament.id, userId);
  if (!row) throw notFound(own ? `your sign-up to tournament ${ctx.tournament.id}` : `sign-up of user ${userId} to tournament ${ctx.tournament.id}`);
  return row;
}

export function withdraw(hub: HubServices, actor: Actor, tournamentId: number): Promise<SignupDto> {
  return hub.commands.run(actor, async (tx) => {
    const ctx = await begin(hub, tx, tournamentId);
    const row = await requireRow(ctx, actor.id, true);
    if (!ACTIVE.includes(row.state)) throw conflict(`your sign-up is already ${row.state}`);
    requireOpen(ctx);
    if (row.state === 'approved') await leavePool(ctx, row);
    await writeRow(tx.db, { ...row, state: 'withdrawn', queuedAt: null, updatedAt: ctx.now });
    await emitSignup(ctx, 'signup.withdrawn', actor.id);
    if (HOLDS_PLACE.includes(row.state)) await promote(ctx);
    return answer(ctx, actor.id);
  });
}

function requireReviewable(ctx: Ctx) {
  if (ctx.tournament.state !== 'registration' && ctx.tournament.state !== 'draft') {
    throw conflict(`sign-ups are reviewed before the draft: the tournament is '${ctx.tournament.state}'`);
  }
}

export function approve(hub: HubServices, actor: Actor, tournamentId: number, userId: number): Promise<SignupDto> {
  return hub.commands.run(actor, async (tx) => {
    const ctx = await begin(hub, tx, tournamentId);
    const row = await requireRow(ctx, userId, false);
    requireReviewable(ctx);
    if (row.state !== 'pending' && row.state !== 'waitlisted') throw conflict(`this sign-up is ${row.state}: only pending or waitlisted ones are approved`);
    if (row.state === 'waitlisted') {
      const taken = (await loadRows(tx.db, tournamentId)).filter((r) => HOLDS_PLACE.includes(r.state)).length;
      if (freePlaces(ctx.loaded.rules.capacity, taken) <= 0) {
        throw conflict(`all ${ctx.loaded.rules.capacity} places are taken: decline or move someone to the waitlist first, or raise the capacity`);
      }
    }
    const approved: Row = { ...row, state: 'approved', queuedAt: null, updatedAt: ctx.now };
    await writeRow(tx.db, approved);
    await joinPool(ctx, approved);
    await emitSignup(ctx, 'signup.approved', userId);
    return answer(ctx, userId);
  });
}

export function decline(hub: HubServices, actor: Actor, tournamentId: number, userId: number, reason: string): Promise<SignupDto> {
  return hub.commands.run(actor, async (tx) => {
    const ctx = await begin(hub, tx, tournamentId);
    const row = await requireRow(ctx, userId, false);
    requireReviewable(ctx);
    if (!ACTIVE.includes(row.state)) throw conflict(`this sign-up is already ${row.state}`);
    if (row.state === 'approved') await leavePool(ctx, row);
    await writeRow(tx.db, { ...row, state: 'declined', reason, queuedAt: null, updatedAt: ctx.now });
    await emitSignup(ctx, 'signup.declined', userId);
    if (HOLDS_PLACE.includes(row.state)) await promote(ctx);
    return answer(ctx, userId);
  });
}

/**
 * Staff took an approved player out of the pool by hand (pool.remove): the sign-up says so
 * (declined, with the reason) and the place goes to the first waitlisted, as a decline's would.
 */
onRemovedByHand(async (hub, tx, room, tournament, userId) => {
  const row = await loadRow(tx.db, tournament.id, userId);
  if (row?.state !== 'approved') return;
  const ctx: Ctx = { hub, tx, room, tournament, loaded: await loadSettings(tx.db, tournament.id), now: hub.clock.now() };
  await writeRow(tx.db, { ...row, state: 'declined', reason: 'removed from the pool by staff', updatedAt: ctx.now });
  await emitSignup(ctx, 'signup.declined', userId);
  await promote(ctx);
});

export function setWaitlisted(hub: HubServices, actor: Actor, tournamentId: number, userId: number, on: boolean): Promise<SignupDto> {
  return hub.commands.run(actor, async (tx) => {
    const ctx = await begin(hub, tx, tournamentId);
    const row = await requireRow(ctx, userId, false);
    requireReviewable(ctx);
    if (on) {
      if (row.state === 'waitlisted') return answer(ctx, userId);
      if (!HOLDS_PLACE.includes(row.state)) throw conflict(`this sign-up is ${row.state}: only pending or approved ones move to the waitlist`);
      if (row.state === 'approved') await leavePool(ctx, row);
      const queuedAt = queueTime(await loadRows(tx.db, tournamentId), ctx.now);
      await writeRow(tx.db, { ...row, state: 'waitlisted', queuedAt, updatedAt: ctx.now });
      await emitSignup(ctx, 'signup.waitlisted', userId);
      return answer(ctx, userId);
    }
    if (row.state !== 'waitlisted') throw conflict(`this sign-up is ${row.state}, not waitlisted`);
    const taken = (await loadRows(tx.db, tournamentId)).filter((r) => HOLDS_PLACE.includes(r.state)).length;
    const state = placeFor(ctx.loaded.rules, taken);
    if (state === 'waitlisted') throw conflict(`all ${ctx.loaded.rules.capacity} places are taken: free one first, or raise the capacity`);
    const moved: Row = { ...row, state, queuedAt: null, updatedAt: ctx.now };
    await writeRow(tx.db, moved);
    if (state === 'approved') await joinPool(ctx, moved);
    await emitSignup(ctx, state === 'approved' ? 'signup.approved' : 'signup.updated', userId);
    return answer(ctx, userId);
  });
}

export function setSignupPoolMmr(hub: HubServices, actor: Actor, tournamentId: number, userId: number, poolMmr: number | null): Promise<SignupDto> {
  return hub.commands.run(actor, async (tx) => {
    const ctx = await begin(hub, tx, tournamentId);
    const row = await requireRow(ctx, userId, false);
    if (row.poolMmr === poolMmr) return answer(ctx, userId);
    await writeRow(tx.db, { ...row, poolMmr, updatedAt: ctx.now });
    if (row.state === 'approved' && (await inPool(tx.db, tournamentId, userId))) {
      await setPoolMmr(tx, ctx.room, ctx.tournament, userId, poolMmr ?? row.declaredMmr);
    }
    await emitSignup(ctx, 'signup.updated', userId);
    return answer(ctx, userId);
  });
}

export function updateSettings(hub: HubServices, actor: Actor, tournamentId: number, input: z.output<typeof SignupSettingsInput>): Promise<SignupSettings> {
  return hub.commands.run(actor, async (tx) => {
    const ctx = await begin(hub, tx, tournamentId);
    const { closesAt, ...rest } = input;
    const rules: Rules = { ...ctx.loaded.rules, ...rest, ...(closesAt === undefined ? {} : { closesAt: closesAt === null ? null : Date.parse(closesAt) }) };
    if (rules.mmrMin !== null && rules.mmrMax !== null && rules.mmrMin > rules.mmrMax) {
      const message = `the MMR floor (${rules.mmrMin}) is above the ceiling (${rules.mmrMax})`;
      throw invalid(message, [{ path: ['body', 'mmrMax'], message }]);
    }
    const wasOpen = signupOpen(ctx.tournament.state, ctx.loaded.rules, ctx.now).ok;
    ctx.loaded = { ...ctx.loaded, rules, stored: true };
    await saveSettings(tx.db, tournamentId, ctx.loaded);
    // Staff reopened sign-up (or moved a passed close into the future): the channel hears it (DC15).
    if (!wasOpen && signupOpen(ctx.tournament.state, rules, ctx.now).ok) await announceSignupOpened(tx, hub.config, ctx.tournament, rules.closesAt);
    await promote(ctx); // a larger capacity lets the waitlist in
    const view = settingsView(tournamentId, ctx.tournament.state, ctx.loaded, await loadRows(tx.db, tournamentId), ctx.now);
    await tx.emit(ctx.room, 'signup.settings', { settings: view });
    touchTournament(tx, tournamentId);
    return view;
  });
}

// ---------------------------------------------------------------- check-in

export function openCheckIn(hub: HubServices, actor: Actor, tournamentId: number, closesAtText: string): Promise<SignupSettings> {
  return hub.commands.run(actor, async (tx) => {
    // The deadline's room first, then the tournament's: the close locks them in this order too.
    const deadlineRoom = checkInRoom(tournamentId);
    const seq = await tx.lock(deadlineRoom);
    const ctx = await begin(hub, tx, tournamentId);
    if (ctx.tournament.state !== 'registration') {
      throw conflict(`check-in opens while the tournament is in 'registration' (it is '${ctx.tournament.state}')`);
    }
    const closesAt = Date.parse(closesAtText);
    if (closesAt <= ctx.now) {
      const message = `must be after now (${new Date(ctx.now).toISOString()})`;
      throw invalid('check-in must close in the future', [{ path: ['body', 'closesAt'], message }]);
    }
    const wasOpen = checkInOpen(ctx.loaded.window, ctx.now);
    const opened = ctx.loaded.window.openedAt !== null && ctx.loaded.window.closedAt === null ? ctx.loaded.window.openedAt : ctx.now;
    ctx.loaded = { ...ctx.loaded, window: { openedAt: opened, closesAt, closedAt: null } };
    await saveSettings(tx.db, tournamentId, ctx.loaded);
    const deadline: Deadline = { kind: CHECKIN_DEADLINE, room: deadlineRoom, dueAt: closesAt, expectedSeq: seq, payload: { tournamentId } };
    await hub.deadlines.set(tx, deadline);
    const view = settingsView(tournamentId, ctx.tournament.state, ctx.loaded, await loadRows(tx.db, tournamentId), ctx.now);
    await tx.emit(ctx.room, 'checkin.opened', { checkIn: view.checkIn });
    if (!wasOpen) await announceCheckInOpened(tx, hub.config, ctx.tournament, closesAt);
    touchTournament(tx, tournamentId);
    return view;
  });
}

function checkInAs(hub: HubServices, actor: Actor, tournamentId: number, userId: number, byStaff: boolean): Promise<SignupDto> {
  return hub.commands.run(actor, async (tx) => {
    const ctx = await begin(hub, tx, tournamentId);
    const row = await requireRow(ctx, userId, !byStaff);
    if (!checkInOpen(ctx.loaded.window, ctx.now)) {
      throw conflict(ctx.loaded.window.openedAt === null ? 'check-in has not opened' : 'check-in is closed');
    }
    const verdict = canCheckIn(row.state);
    if (!verdict.ok) throw conflict(verdict.reason);
    if (row.checkedInAt !== null) return answer(ctx, userId);
    await writeRow(tx.db, { ...row, checkedInAt: ctx.now, updatedAt: ctx.now });
    const view = await signupView(tx.db, tournamentId, userId, false);
    await tx.emit(ctx.room, 'checkin.checked', { userId, byStaff, signup: view });
    touchTournament(tx, tournamentId);
    return answer(ctx, userId);
  });
}

export const checkInSelf = (hub: HubServices, actor: Actor, tournamentId: number) => checkInAs(hub, actor, tournamentId, actor.id, false);
export const checkInFor = (hub: HubServices, actor: Actor, tournamentId: number, userId: number) => checkInAs(hub, actor, tournamentId, userId, true);

/**
 * The check-in close (SU4), run once by the deadline scheduler inside its command (the deadline
 * room locked): approved players who did not check in leave the pool, and waitlisted players who
 * checked in take the places, first queued first.
 */
export async function closeCheckIn(hub: HubServices, tx: CommandTx, tournamentId: number): Promise<void> {
  const tournament = await tx.db('tournaments').where({ id: tournamentId }).first('id');
  if (!tournament) return; // deleted meanwhile
  const ctx = await begin(hub, tx, tournamentId);
  ctx.loaded = { ...ctx.loaded, window: { ...ctx.loaded.window, closedAt: ctx.now } };
  await saveSettings(tx.db, tournamentId, ctx.loaded);
  let outcome = { removed: [] as number[], promoted: [] as number[] };
  // Once the draft has begun the pool is fixed: the close only records itself.
  if (ctx.tournament.state === 'registration' || ctx.tournament.state === 'draft') {
    const rows = await loadRows(tx.db, tournamentId);
    const inTeams = new Set<number>([
      ...(await tx.db('teams').where({ tournamentId }).pluck('captainUserId')).map(Number),
      ...(await tx.db('team_members').where({ tournamentId }).pluck('userId')).map(Number),
    ]);
    outcome = checkInClose({
      capacity: ctx.loaded.rules.capacity,
      approved: rows.filter((r) => r.state === 'approved').map((r) => ({ userId: r.userId, checkedIn: r.checkedInAt !== null, keep: inTeams.has(r.userId) })),
      pending: rows.filter((r) => r.state === 'pending').length,
      waitlisted: rows
        .filter((r) => r.state === 'waitlisted')
        .map((r) => ({ userId: r.userId, queuedAt: r.queuedAt ?? r.signedUpAt, checkedIn: r.checkedInAt !== null })),
    });
    const byId = new Map(rows.map((r) => [r.userId, r]));
    const reason = `did not check in before ${new Date(ctx.loaded.window.closesAt ?? ctx.now).toISOString()}`;
    for (const userId of outcome.removed) {
      const row = byId.get(userId)!;
      await leavePool(ctx, row);
      await writeRow(tx.db, { ...row, state: 'declined', missedCheckIn: true, reason, updatedAt: ctx.now });
      await emitSignup(ctx, 'signup.declined', userId);
    }
    for (const userId of outcome.promoted) {
      const row: Row = { ...byId.get(userId)!, state: 'approved', queuedAt: null, updatedAt: ctx.now };
      await writeRow(tx.db, row);
      await joinPool(ctx, row);
      await emitSignup(ctx, 'signup.approved', userId);
    }
  }
  await tx.emit(ctx.room, 'checkin.closed', { checkIn: windowView(ctx.loaded.window, ctx.now), ...outcome });
  touchTournament(tx, tournamentId);
}

/** Registers the close with the scheduler (at start, before it loads the pending deadlines). */
export function registerCheckInDeadline(hub: HubServices) {
  hub.deadlines.register(CHECKIN_DEADLINE, (tx, deadline) => closeCheckIn(hub, tx, (deadline.payload as { tournamentId: number }).tournamentId));
}
