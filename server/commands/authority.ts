import type { Knex } from 'knex';
import type { Access } from '../../shared/api/endpoint';
import { type Actor, isSiteStaff, requireAdmin, requireSiteStaff } from '../auth/actor';
import { findTournament, isTournamentStaff, requireTournamentStaff } from '../tournaments/access';
import { forbidden, notFound } from './errors';

/**
 * Who may run a command, declared once in the command table and checked by the runner after
 * the input is valid and before the command's transaction. Each check answers 404 for an
 * unknown target before 403, so ids cannot be probed through refusals.
 *
 * It checks roles only. What depends on the state of a draft or a series (whose turn it is,
 * which captain reported) is a rule of the game, checked by the command under its room's lock.
 */
export interface Authority<I> {
  /** The role the API documents for the endpoint (a test keeps the two in step). */
  access: Access;
  /** Who may, in a few words (docs/api.md lists it). */
  who: string;
  check(db: Knex, actor: Actor, input: I): Promise<void>;
}

type IdOf<I> = (input: I) => number;

/** Any logged-in user, on their own account. */
export const signedIn: Authority<unknown> = { access: 'user', who: 'any logged-in user (on their own account)', check: async () => {} };

/** Any logged-in user, on their own part of a tournament that must exist (404 first). */
export function signedInOn<I>(tournamentOf: IdOf<I>): Authority<I> {
  return {
    access: 'user',
    who: 'any logged-in user (on their own sign-up)',
    check: async (db, _actor, input) => void (await findTournament(db, tournamentOf(input))),
  };
}

export const siteStaff: Authority<unknown> = {
  access: 'staff',
  who: 'site staff or an admin',
  check: async (_db, actor) => void requireSiteStaff(actor),
};

/** Site staff, on something that must exist: an unknown one is 404 whoever asks. */
export function siteStaffOn<I>(find: (db: Knex, input: I) => Promise<unknown>): Authority<I> {
  return {
    access: 'staff',
    who: 'site staff or an admin',
    async check(db, actor, input) {
      await find(db, input);
      requireSiteStaff(actor);
    },
  };
}

/** An admin, on something that must exist (404 first, as siteStaffOn). */
export function adminOn<I>(find: (db: Knex, input: I) => Promise<unknown>): Authority<I> {
  return {
    access: 'admin',
    who: 'an admin',
    async check(db, actor, input) {
      await find(db, input);
      requireAdmin(actor);
    },
  };
}

/** Staff of the tournament the input names (site staff are staff of every tournament). */
export function tournamentStaff<I>(tournamentOf: IdOf<I>): Authority<I> {
  return {
    access: 'tournamentStaff',
    who: 'staff of the tournament',
    check: async (db, actor, input) => void (await requireTournamentStaff(db, actor, tournamentOf(input))),
  };
}

async function captainsTeam(db: Knex, tournamentId: number, userId: number): Promise<boolean> {
  return Boolean(await db('teams').where({ tournamentId, captainUserId: userId }).first('id'));
}

/** A captain of a team in the tournament. */
export function tournamentCaptain<I>(tournamentOf: IdOf<I>): Authority<I> {
  return {
    access: 'user',
    who: 'a captain of the tournament',
    async check(db, actor, input) {
      const tournamentId = tournamentOf(input);
      await findTournament(db, tournamentId);
      if (!(await captainsTeam(db, tournamentId, actor.id))) throw forbidden('only captains of this tournament may do this');
    },
  };
}

/** A captain of a team in the tournament, or its staff (who act on a captain's behalf). */
export function tournamentCaptainOrStaff<I>(tournamentOf: IdOf<I>): Authority<I> {
  return {
    access: 'user',
    who: 'a captain or staff of the tournament',
    async check(db, actor, input) {
      const tournamentId = tournamentOf(input);
      await findTournament(db, tournamentId);
      if (await captainsTeam(db, tournamentId, actor.id)) return;
      if (!(await isTournamentStaff(db, actor, tournamentId))) throw forbidden('only captains and staff of this tournament may do this');
    },
  };
}

/** The captains of the two teams of a hero draft, and its tournament's staff. */
interface HeroDraftSides {
  tournamentId: number;
  captains: number[];
}

async function heroDraftSides(db: Knex, heroDraftId: number): Promise<HeroDraftSides> {
  const draft = await db('hero_drafts').where({ id: heroDraftId }).first('tournament_id', 'home_team_id', 'away_team_id');
  if (!draft) throw notFound(`hero draft ${heroDraftId}`);
  const teams = await db('teams').whereIn('id', [draft.homeTeamId, draft.awayTeamId]).select('captain_user_id');
  return { tournamentId: Number(draft.tournamentId), captains: teams.map((t: { captainUserId: number }) => Number(t.captainUserId)) };
}

/** Staff of the hero draft's tournament. */
export function heroDraftStaff<I>(heroDraftOf: IdOf<I>): Authority<I> {
  return {
    access: 'tournamentStaff',
    who: 'staff of the hero draft’s tournament',
    async check(db, actor, input) {
      const { tournamentId } = await heroDraftSides(db, heroDraftOf(input));
      await requireTournamentStaff(db, actor, tournamentId);
    },
  };
}

/** One of the hero draft's two captains. */
export function heroDraftCaptain<I>(heroDraftOf: IdOf<I>): Authority<I> {
  return {
    access: 'user',
    who: 'one of the two captains of the hero draft',
    async check(db, actor, input) {
      const { captains } = await heroDraftSides(db, heroDraftOf(input));
      if (!captains.includes(actor.id)) throw forbidden('only the two captains of this match may do this');
    },
  };
}

/** One of the hero draft's two captains, or staff of its tournament. */
export function heroDraftCaptainOrStaff<I>(heroDraftOf: IdOf<I>): Authority<I> {
  return {
    access: 'user',
    who: 'one of the two captains, or staff of the tournament',
    async check(db, actor, input) {
      const { tournamentId, captains } = await heroDraftSides(db, heroDraftOf(input));
      if (captains.includes(actor.id) || isSiteStaff(actor)) return;
      if (!(await isTournamentStaff(db, actor, tournamentId))) throw forbidden('only staff and the two captains may do this');
    },
  };
}
