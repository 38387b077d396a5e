import { api, type Api } from '../../shared/api/contract';
import type { SocketCommandName } from '../../shared/realtime';
import { steamId64 } from '../steam/fixtures';
import {
  type Client,
  type DraftPhase,
  expectStatus,
  heroDraft,
  type HeroDraftPhase,
  playerDraft,
  seriesStage,
  steamSeries,
  tournament,
  withPool,
  withTeams,
  type World,
  PERMISSION_STAFF_ROLE,
  permissionDiscord,
} from './fixtures';

/**
 * The permission table: who may run each command. Every mutation endpoint of `api` (REST) and
 * every command of `SocketCommands` has an entry, or is exempt with its reason;
 * permissions.test.ts fails, naming them, for any that has neither.
 */

/** The role that may run a command (it must not be refused with 401 or 403). */
export type AllowedRole =
  'site staff' | 'admin' | 'tournament staff' | 'a captain' | 'the captain on turn' | 'the toss winner' | 'the other captain' | 'the user themself';

/** More roles that must be refused (403), beyond anonymous and a member. */
export type ForbiddenRole = 'staff of another tournament' | 'tournament staff' | 'site staff' | 'the captain not on turn' | 'a captain' | 'the user it targets';

/** What a command needs, made fresh for it: its input (valid) and the clients of its roles. */
export interface Prepared {
  params?: Record<string, number | string>;
  body?: unknown;
  /** The client of the allowed role. */
  allowed: Client;
  /** Clients of this fixture's forbidden roles (the others come from the world). */
  roles?: Partial<Record<ForbiddenRole, Client>>;
}

export interface Rule {
  allowed: AllowedRole;
  /**
   * A member is the allowed role (commands on one's own account): no member is refused.
   * Anonymous still is.
   */
  memberAllowed?: true;
  alsoForbidden?: ForbiddenRole[];
  /** Success status when not the endpoint's documented one. */
  status?: number;
  setup(w: World): Promise<Prepared>;
}

type Mutation = { [K in keyof Api]: Api[K]['method'] extends 'GET' ? never : K }[keyof Api];

export const isMutation = (key: string): boolean => api[key as keyof Api]?.method !== 'GET';

/** Mutations that are not commands, with the reason. */
export const EXEMPT: { [K in Mutation]?: string } = {
  devLogin:
    'logging in is how one stops being anonymous: public by design (development only, never in production: AU4); it writes the session and the local user it logs in as, no hub state',
  discordInteractions:
    'called by Discord, not a member: its Ed25519 signature is the authentication (DC20); the slash commands it answers run the command table as the matched user',
  logout: 'ends the caller’s own session and nothing else (CSRF-protected, AU6): public by design, anonymous only ends the empty session it has',
};

/**
 * Tournament staff commands: a member who is staff of this tournament (not site staff) may; staff
 * of another tournament may not, nor (`also`) a captain of this tournament or the user the
 * command is about, whose client the fixture gives in `roles`.
 */
const tournamentStaff = (
  setup: (w: World) => Promise<Omit<Prepared, 'allowed'> & { allowed?: Client }>,
  also: 'a captain' | 'the user it targets' | false = false,
): Rule => ({
  allowed: 'tournament staff',
  alsoForbidden: also ? ['staff of another tournament', also] : ['staff of another tournament'],
  async setup(w) {
    const p = await setup(w);
    return { ...p, allowed: p.allowed ?? w.tstaff };
  },
});

/** Site staff commands: tournament staff who are members may not. */
const siteStaff = (setup: (w: World) => Promise<Omit<Prepared, 'allowed'>>): Rule => ({
  allowed: 'site staff',
  alsoForbidden: ['tournament staff'],
  async setup(w) {
    return { ...(await setup(w)), allowed: w.boss };
  },
});

const league = async (w: World) => {
  const res = expectStatus(await w.boss.post('/api/leagues', { name: w.unique('Perm League ') }), 201, 'create league');
  return res.body.id as number;
};

/** A staff control of the player draft, on a draft brought to `phase`: captains may not. */
const draftControl = (phase: DraftPhase, body: Record<string, unknown> = {}) =>
  tournamentStaff(async (w) => {
    const d = await playerDraft(w, phase);
    return { params: { tournamentId: d.id }, body, roles: { 'a captain': d.captains[0]! } };
  }, 'a captain');

/** A staff control of a hero draft, brought to `phase`: its captains may not. */
const heroDraftControl = (phase: HeroDraftPhase, body: Record<string, unknown> = {}) =>
  tournamentStaff(async (w) => {
    const d = await heroDraft(w, phase);
    return { params: { heroDraftId: d.heroDraftId }, body, roles: { 'a captain': d.captains[0]! } };
  }, 'a captain');

/** A tournament open for sign-up, approval automatic when asked. */
const registration = async (w: World, settings: Record<string, unknown> = {}) => {
  const { id } = await tournament(w);
  expectStatus(await w.boss.patch(`/api/tournaments/${id}`, { state: 'registration' }), 200, 'open registration');
  if (Object.keys(settings).length > 0) expectStatus(await w.boss.put(`/api/tournaments/${id}/signup-settings`, settings), 200, 'sign-up settings');
  return { id };
};

const signupBody = (w: World) => ({ steamId: steamId64(700_000 + w.next()), declaredMmr: 3200, positions: { '1': 5, '2': 3, '3': 1, '4': 0, '5': 0 } });

/** A fresh member signed up to a tournament in registration (approved at once when check-in is to open). */
const signedUp = async (w: World, options: { checkInOpen?: boolean } = {}) => {
  const { id } = await registration(w, options.checkInOpen ? { approval: 'automatic' } : {});
  const player = await w.login('permsigned');
  expectStatus(await player.post(`/api/tournaments/${id}/signups`, signupBody(w)), 200, 'sign up');
  if (options.checkInOpen) {
    const closesAt = new Date(w.t.hub.services.clock.now() + 3_600_000).toISOString();
    expectStatus(await w.boss.post(`/api/tournaments/${id}/checkin/open`, { closesAt }), 200, 'open check-in');
  }
  return { id, player };
};

/** A staff review of a fresh member's pending sign-up: the member may not review their own. */
const signupReview = (body?: Record<string, unknown>) =>
  tournamentStaff(async (w) => {
    const s = await signedUp(w);
    return { params: { tournamentId: s.id, userId: s.player.userId }, body, roles: { 'the user it targets': s.player } };
  }, 'the user it targets');

export const REST: { [K in Mutation]?: Rule } = {
  // --- users
  updateMe: {
    allowed: 'the user themself',
    memberAllowed: true,
    async setup(w) {
      return { body: { mmr: 4321, positions: { '1': 5, '2': 4, '3': 3, '4': 2, '5': 1 } }, allowed: await w.login('permself') };
    },
  },
  setUserRole: {
    allowed: 'admin',
    alsoForbidden: ['site staff', 'the user it targets'],
    async setup(w) {
      const target = await w.login('permtarget');
      return { params: { userId: target.userId }, body: { role: 'staff' }, allowed: w.admin, roles: { 'the user it targets': target } };
    },
  },
  refreshUserRoles: {
    allowed: 'admin',
    alsoForbidden: ['site staff'],
    async setup(w) {
      // A member with a Discord account (made by a pool import) whose guild roles make them site staff.
      const discordId = String(410_000_000_000_000_000n + BigInt(w.next()));
      const username = w.unique('rolesmember');
      expectStatus(
        await w.boss.post(`/api/tournaments/${(await tournament(w)).id}/players/import`, { csv: `discord_id,username,mmr\n${discordId},${username},3000\n` }),
        200,
        'import',
      );
      const found = expectStatus(await w.boss.get(`/api/users?q=${username}`), 200, 'find the member');
      permissionDiscord.members.set(discordId, { nick: 'Roles Member', roles: [PERMISSION_STAFF_ROLE] });
      return { params: { userId: found.body.items[0].id }, allowed: w.admin };
    },
  },

  // --- leagues
  createLeague: siteStaff(async (w) => ({ body: { name: w.unique('Perm League ') } })),
  updateLeague: siteStaff(async (w) => ({ params: { leagueId: await league(w) }, body: { name: w.unique('Renamed League ') } })),
  deleteLeague: siteStaff(async (w) => ({ params: { leagueId: await league(w) } })),

  // --- tournaments
  createTournament: siteStaff(async (w) => ({ body: { name: w.unique('New Cup '), startsAt: '2030-06-01T18:00:00Z' } })),
  updateTournament: tournamentStaff(async (w) => ({
    params: { tournamentId: (await tournament(w)).id },
    body: { name: w.unique('Renamed Cup '), state: 'registration' },
  })),
  deleteTournament: siteStaff(async (w) => ({ params: { tournamentId: (await tournament(w)).id } })),
  // Nobody makes themself staff.
  addStaff: tournamentStaff(
    async (w) => ({
      params: { tournamentId: (await tournament(w)).id },
      body: { userId: w.players[0]!.userId },
      roles: { 'the user it targets': w.players[0]! },
    }),
    'the user it targets',
  ),
  removeStaff: tournamentStaff(async (w) => {
    const { id } = await tournament(w);
    expectStatus(await w.boss.post(`/api/tournaments/${id}/staff`, { userId: w.players[0]!.userId }), 201, 'add staff');
    return { params: { tournamentId: id, userId: w.players[0]!.userId } };
  }),
  // BR10: final placements are results; a captain does not set them.
  setPlacements: tournamentStaff(async (w) => {
    const s = await withTeams(w, 2);
    for (const state of ['registration', 'drafting', 'playing']) {
      expectStatus(await w.boss.patch(`/api/tournaments/${s.id}`, { state }), 200, `move to ${state}`);
    }
    return {
      params: { tournamentId: s.id },
      body: {
        placements: [
          { teamId: s.teamIds[1]!, place: 1 },
          { teamId: s.teamIds[0]!, place: 2 },
        ],
      },
      roles: { 'a captain': s.captains[0]! },
    };
  }, 'a captain'),

  // --- player pool
  addToPool: tournamentStaff(async (w) => ({ params: { tournamentId: (await tournament(w)).id }, body: { userId: w.players[0]!.userId, mmr: 4000 } })),
  importPool: tournamentStaff(async (w) => {
    const discordId = String(400_000_000_000_000_000n + BigInt(w.next()));
    return { params: { tournamentId: (await tournament(w)).id }, body: { csv: `discord_id,username,mmr\n${discordId},csvplayer${w.next()},3500\n` } };
  }),
  // A player neither sets their own tournament MMR nor leaves the pool by themself.
  updatePoolPlayer: tournamentStaff(
    async (w) => ({
      params: { tournamentId: (await withPool(w, [w.players[0]!])).id, userId: w.players[0]!.userId },
      body: { mmr: 4444 },
      roles: { 'the user it targets': w.players[0]! },
    }),
    'the user it targets',
  ),
  removeFromPool: tournamentStaff(
    async (w) => ({
      params: { tournamentId: (await withPool(w, [w.players[0]!])).id, userId: w.players[0]!.userId },
      roles: { 'the user it targets': w.players[0]! },
    }),
    'the user it targets',
  ),

  // --- sign-ups (issue 21)
  updateSignupSettings: tournamentStaff(async (w) => ({ params: { tournamentId: (await registration(w)).id }, body: { capacity: 12, approval: 'automatic' } })),
  signUp: {
    allowed: 'the user themself',
    memberAllowed: true,
    async setup(w) {
      const { id } = await registration(w);
      return { params: { tournamentId: id }, body: signupBody(w), allowed: await w.login('permsignup') };
    },
  },
  withdrawSignup: {
    allowed: 'the user themself',
    memberAllowed: true,
    async setup(w) {
      const s = await signedUp(w);
      return { params: { tournamentId: s.id }, allowed: s.player };
    },
  },
  // Nobody reviews their own sign-up.
  approveSignup: signupReview(),
  declineSignup: signupReview({ reason: 'permission matrix' }),
  waitlistSignup: signupReview({ on: true }),
  updateSignup: signupReview({ poolMmr: 4100 }),
  openCheckIn: tournamentStaff(async (w) => ({
    params: { tournamentId: (await registration(w)).id },
    body: { closesAt: new Date(w.t.hub.services.clock.now() + 3_600_000).toISOString() },
  })),
  checkIn: {
    allowed: 'the user themself',
    memberAllowed: true,
    async setup(w) {
      const s = await signedUp(w, { checkInOpen: true });
      return { params: { tournamentId: s.id }, allowed: s.player };
    },
  },
  // A player checks in with checkIn, not through the staff endpoint.
  checkInFor: tournamentStaff(async (w) => {
    const s = await signedUp(w, { checkInOpen: true });
    return { params: { tournamentId: s.id, userId: s.player.userId }, roles: { 'the user it targets': s.player } };
  }, 'the user it targets'),

  // --- teams
  // A pool player does not appoint themself captain.
  createTeam: tournamentStaff(
    async (w) => ({
      params: { tournamentId: (await withPool(w, [w.players[0]!])).id },
      body: { captainUserId: w.players[0]!.userId },
      roles: { 'the user it targets': w.players[0]! },
    }),
    'the user it targets',
  ),
  reorderTeams: tournamentStaff(async (w) => {
    const s = await withTeams(w, 2);
    return { params: { tournamentId: s.id }, body: { teamIds: [...s.teamIds].reverse() }, roles: { 'a captain': s.captains[1]! } };
  }, 'a captain'),
  // A captain does not rename or remove their own team either.
  updateTeam: tournamentStaff(async (w) => {
    const s = await withTeams(w, 1);
    return { params: { tournamentId: s.id, teamId: s.teamIds[0]! }, body: { name: w.unique('Renamed Team ') }, roles: { 'a captain': s.captains[0]! } };
  }, 'a captain'),
  deleteTeam: tournamentStaff(async (w) => {
    const s = await withTeams(w, 1);
    return { params: { tournamentId: s.id, teamId: s.teamIds[0]! }, roles: { 'a captain': s.captains[0]! } };
  }, 'a captain'),

  // --- player draft
  configureDraft: draftControl('setup', { style: 'snake', teamSize: 2 }),
  openDraft: draftControl('setup'),
  startDraft: draftControl('open'),
  pauseDraft: draftControl('running'),
  resumeDraft: draftControl('paused'),
  undoDraftPick: draftControl('picked'),
  restartDraft: draftControl('picked'),
  pickPlayer: {
    allowed: 'the captain on turn',
    alsoForbidden: ['the captain not on turn', 'staff of another tournament'],
    async setup(w) {
      const d = await playerDraft(w, 'running');
      return {
        params: { tournamentId: d.id },
        body: { userId: d.available[0]!, pickNumber: d.view.turn!.pickNumber },
        allowed: d.onTurn!,
        roles: { 'the captain not on turn': d.offTurn! },
      };
    },
  },
  setDraftQueue: {
    allowed: 'a captain',
    // DR9: a queue is the captain's own; staff have none.
    alsoForbidden: ['tournament staff'],
    async setup(w) {
      const d = await playerDraft(w, 'open');
      return { params: { tournamentId: d.id }, body: { userIds: d.available.slice(0, 2) }, allowed: d.captains[0]! };
    },
  },

  // --- brackets and series
  createStage: tournamentStaff(async (w) => ({ params: { tournamentId: (await withTeams(w, 2)).id }, body: { format: 'single_elimination' } })),
  deleteStage: tournamentStaff(async (w) => {
    const s = await seriesStage(w);
    return { params: { tournamentId: s.id, stageId: s.stageId }, roles: { 'a captain': s.sideA } };
  }, 'a captain'),
  disqualifyTeam: tournamentStaff(async (w) => {
    const s = await seriesStage(w);
    return { params: { tournamentId: s.id, stageId: s.stageId }, body: { teamId: s.teamIds[0]! }, roles: { 'a captain': s.sideA } };
  }, 'a captain'),
  // In a stage without captain reports, a captain cannot report their own series.
  reportSeries: tournamentStaff(async (w) => {
    const s = await seriesStage(w);
    return { params: { tournamentId: s.id, matchId: s.seriesId }, body: { scoreA: 1, scoreB: 0 }, roles: { 'a captain': s.sideA } };
  }, 'a captain'),
  claimSeries: {
    allowed: 'a captain',
    // Staff report (reportSeries); a claim is a captain's.
    alsoForbidden: ['tournament staff'],
    async setup(w) {
      const s = await seriesStage(w, { captainReports: true });
      return { params: { tournamentId: s.id, matchId: s.seriesId }, body: { scoreA: 1, scoreB: 0 }, allowed: s.sideA };
    },
  },
  confirmSeries: {
    allowed: 'the other captain',
    alsoForbidden: ['tournament staff'],
    async setup(w) {
      const s = await seriesStage(w, { captainReports: true, claimed: true });
      return { params: { tournamentId: s.id, matchId: s.seriesId }, body: {}, allowed: s.sideB };
    },
  },
  disputeSeries: {
    allowed: 'the other captain',
    alsoForbidden: ['tournament staff'],
    async setup(w) {
      const s = await seriesStage(w, { captainReports: true, claimed: true });
      return { params: { tournamentId: s.id, matchId: s.seriesId }, body: {}, allowed: s.sideB };
    },
  },

  // --- Captains Mode hero draft
  createHeroDraft: tournamentStaff(async (w) => {
    const s = await withTeams(w, 2);
    return { params: { tournamentId: s.id }, body: { teamAId: s.teamIds[0]!, teamBId: s.teamIds[1]! }, roles: { 'a captain': s.captains[0]! } };
  }, 'a captain'),
  configureHeroDraft: heroDraftControl('waiting', { stepSeconds: 25 }),
  readyHeroDraft: {
    allowed: 'a captain',
    alsoForbidden: ['tournament staff'],
    async setup(w) {
      const d = await heroDraft(w, 'waiting');
      return { params: { heroDraftId: d.heroDraftId }, body: { ready: true }, allowed: d.captains[0]! };
    },
  },
  chooseHeroDraft: {
    allowed: 'the toss winner',
    alsoForbidden: ['tournament staff'],
    async setup(w) {
      const d = await heroDraft(w, 'choosing');
      return { params: { heroDraftId: d.heroDraftId }, body: { kind: 'order', value: 'first' }, allowed: d.tossWinner! };
    },
  },
  actHeroDraft: {
    allowed: 'the captain on turn',
    // CM3: only the captain on turn acts; staff do not act for captains.
    alsoForbidden: ['the captain not on turn', 'tournament staff'],
    async setup(w) {
      const d = await heroDraft(w, 'drafting');
      return {
        params: { heroDraftId: d.heroDraftId },
        body: { stepIndex: d.view.stepIndex, heroId: d.heroId },
        allowed: d.onTurn!,
        roles: { 'the captain not on turn': d.offTurn! },
      };
    },
  },
  // CM6: staff pause; captains may not (they only vote to resume, below).
  pauseHeroDraft: heroDraftControl('drafting', { reason: 'permission matrix' }),
  // Staff resume at once; a captain's resume is a vote, also allowed (not tested here as refused).
  resumeHeroDraft: tournamentStaff(async (w) => ({ params: { heroDraftId: (await heroDraft(w, 'paused')).heroDraftId }, body: {} })),
  resetHeroDraft: heroDraftControl('drafting'),
  abandonHeroDraft: heroDraftControl('waiting'),
  // A captain may not take reserve time from the other team.
  penalizeHeroDraft: tournamentStaff(async (w) => {
    const d = await heroDraft(w, 'drafting');
    return { params: { heroDraftId: d.heroDraftId }, body: { teamId: d.teamIds[1]!, seconds: 10 }, roles: { 'a captain': d.captains[0]! } };
  }, 'a captain'),

  // --- Steam
  linkMySteam: {
    allowed: 'the user themself',
    memberAllowed: true,
    async setup(w) {
      const account = 600_000 + w.next();
      w.steam.setPlayer({ steamid: steamId64(account), personaname: `Perm ${account}` });
      return { body: { q: String(account) }, allowed: await w.login('permsteamself') };
    },
  },
  // The user links their own account through linkMySteam, not through this staff endpoint.
  linkUserSteam: {
    ...siteStaff(async () => ({})),
    alsoForbidden: ['tournament staff', 'the user it targets'],
    async setup(w) {
      const account = 600_000 + w.next();
      w.steam.setPlayer({ steamid: steamId64(account), personaname: `Perm ${account}` });
      const target = await w.login('permsteamtarget');
      return { params: { userId: target.userId }, body: { q: String(account) }, allowed: w.boss, roles: { 'the user it targets': target } };
    },
  },
  importMatches: tournamentStaff(async (w) => {
    const s = await steamSeries(w, 'match');
    return { params: { tournamentId: s.id }, body: { matchIds: [s.matchId] } };
  }),
  confirmMatchLink: tournamentStaff(async (w) => {
    const s = await steamSeries(w, 'suggestion');
    return { params: { tournamentId: s.id, linkId: s.linkId } };
  }),
  dismissMatchLink: tournamentStaff(async (w) => {
    const s = await steamSeries(w, 'suggestion');
    return { params: { tournamentId: s.id, linkId: s.linkId } };
  }),
};

/**
 * Each socket command is the live twin of a REST endpoint (one entry of server/commands/table.ts):
 * it takes that endpoint's rule and fixture, and its payload is the endpoint's ids and body.
 */
export const SOCKET: { [K in SocketCommandName]?: { rest: Mutation; payload?: (p: Prepared) => unknown } } = {
  'team.create': { rest: 'createTeam' },
  'team.rename': { rest: 'updateTeam' },
  'pool.add': { rest: 'addToPool' },
  'draft.configure': { rest: 'configureDraft' },
  'draft.open': { rest: 'openDraft' },
  'draft.start': { rest: 'startDraft' },
  'draft.pause': { rest: 'pauseDraft' },
  'draft.resume': { rest: 'resumeDraft' },
  'draft.undo': { rest: 'undoDraftPick' },
  'draft.restart': { rest: 'restartDraft' },
  'draft.pick': { rest: 'pickPlayer' },
  'draft.queue': { rest: 'setDraftQueue' },
  'herodraft.create': { rest: 'createHeroDraft' },
  'herodraft.configure': { rest: 'configureHeroDraft' },
  'herodraft.ready': { rest: 'readyHeroDraft' },
  'herodraft.choose': { rest: 'chooseHeroDraft', payload: (p) => ({ heroDraftId: p.params!.heroDraftId, choice: p.body }) },
  'herodraft.act': { rest: 'actHeroDraft' },
  'herodraft.pause': { rest: 'pauseHeroDraft' },
  'herodraft.resume': { rest: 'resumeHeroDraft' },
  'herodraft.reset': { rest: 'resetHeroDraft' },
  'herodraft.abandon': { rest: 'abandonHeroDraft' },
  'herodraft.penalty': { rest: 'penalizeHeroDraft' },
};

/** The socket payload of a prepared command: its ids (as numbers) and its body. */
export function socketPayload(name: SocketCommandName, p: Prepared): unknown {
  const custom = SOCKET[name]?.payload;
  if (custom) return custom(p);
  return { ...p.params, ...(p.body as object) };
}
