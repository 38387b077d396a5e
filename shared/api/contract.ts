import { z } from 'zod';
import { endpoint } from './endpoint';
import { Ok } from '../schemas/common';
import {
  AuthInfo, DevLoginBody, PrivateUser, ProfileUpdate, PublicUser, RoleUpdate, UserIdParams, UserList, UserListQuery,
} from '../schemas/users';
import { League, LeagueIdParams, LeagueInput, LeagueList, LeagueUpdate } from '../schemas/leagues';
import {
  PoolAdd, PoolImport, PoolImportResult, PoolList, PoolPlayer, PoolPlayerParams, PoolUpdate, StaffAdd, StaffParams,
  Team, TeamCreate, TeamList, TeamOrder, TeamParams, TeamUpdate, Tournament, TournamentDetail, TournamentIdParams,
  TournamentInput, TournamentList, TournamentListQuery, TournamentUpdate,
} from '../schemas/tournaments';
import {
  HeroDraftAct, HeroDraftChoice, HeroDraftConfigure, HeroDraftControl, HeroDraftCreate, HeroDraftList, HeroDraftParams, HeroDraftPause,
  HeroDraftPenalty, HeroDraftRead, HeroDraftReady, HeroList, HeroListQuery,
} from '../schemas/herodraft';
import { BracketView, ClaimAnswer, DisqualifyInput, MatchParams, ReportInput, Stage, StageCreate, StageParams } from '../schemas/brackets';
import { DraftConfigure, DraftControl, DraftPickInput, DraftPreview, DraftQueue, DraftQueueInput, DraftRead } from '../schemas/draft';
import {
  ImportInput, ImportResult, LinkParams, LinkSteamBody, LiveFeed, LookupQuery, MatchIdParams, MatchLink, MatchLinkList, MatchView, PlayerLookup, SteamStatus,
} from '../schemas/steam';

const Health = z.object({ status: z.enum(['ok', 'degraded', 'down']), checks: z.record(z.string(), z.string()) });
const OAuthCallbackQuery = z.object({
  code: z.string().optional(),
  state: z.string().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
});

/** Every HTTP route the hub serves (the SPA's static files aside). */
export const api = {
  // --- service
  healthz: endpoint({ method: 'GET', path: '/healthz', tag: 'health', access: 'public', summary: 'The process is up', response: Health }),
  readyz: endpoint({ method: 'GET', path: '/readyz', tag: 'health', access: 'public', summary: 'Database (and Redis when configured) answer', response: Health, errors: [503] }),
  metrics: endpoint({ method: 'GET', path: '/metrics', tag: 'health', access: 'public', summary: 'Prometheus metrics of this process (text format): connections, rooms, commands, cache, health', produces: 'text' }),
  openapi: endpoint({ method: 'GET', path: '/api/openapi.json', tag: 'meta', access: 'public', summary: 'This document', response: z.record(z.string(), z.unknown()) }),

  // --- login
  discordLogin: endpoint({ method: 'GET', path: '/auth/discord', tag: 'auth', access: 'public', summary: 'Redirect to Discord to log in (with OAuth state)', produces: 'redirect', status: 302, errors: [404, 429] }),
  discordCallback: endpoint({ method: 'GET', path: '/auth/discord/callback', tag: 'auth', access: 'public', summary: 'Discord redirects back here; sets the session cookie', query: OAuthCallbackQuery, produces: 'redirect', status: 302 }),
  devLoginPage: endpoint({ method: 'GET', path: '/auth/dev', tag: 'auth', access: 'public', summary: 'Development login page (only without Discord, never in production)', produces: 'html', errors: [404] }),
  devLogin: endpoint({ method: 'POST', path: '/auth/dev', tag: 'auth', access: 'public', summary: 'Log in as a local development user (a form post from the login page is redirected to /)', body: DevLoginBody, response: Ok, formPostRedirect: 302, errors: [403, 404, 429] }),
  logout: endpoint({ method: 'POST', path: '/auth/logout', tag: 'auth', access: 'public', summary: 'End the session', response: Ok, errors: [403] }),

  // --- users
  me: endpoint({ method: 'GET', path: '/api/me', tag: 'users', access: 'public', summary: 'The logged-in user (or null), the CSRF token and the login methods on offer', response: AuthInfo }),
  updateMe: endpoint({ method: 'PATCH', path: '/api/me', tag: 'users', access: 'user', summary: 'Update your profile: Steam id (SteamID64, account id or profile URL), MMR, positions', body: ProfileUpdate, response: PrivateUser, errors: [401, 403, 409] }),
  listUsers: endpoint({ method: 'GET', path: '/api/users', tag: 'users', access: 'public', summary: 'List and search users by name', query: UserListQuery, response: UserList }),
  getUser: endpoint({ method: 'GET', path: '/api/users/:userId', tag: 'users', access: 'public', summary: 'One user (private fields for staff and the user themself)', params: UserIdParams, response: z.union([PrivateUser, PublicUser]), errors: [404] }),
  setUserRole: endpoint({ method: 'PATCH', path: '/api/users/:userId/role', tag: 'users', access: 'admin', summary: 'Change a site role', params: UserIdParams, body: RoleUpdate, response: PrivateUser, errors: [401, 403, 404] }),

  // --- leagues
  listLeagues: endpoint({ method: 'GET', path: '/api/leagues', tag: 'leagues', access: 'public', summary: 'All leagues', response: LeagueList }),
  createLeague: endpoint({ method: 'POST', path: '/api/leagues', tag: 'leagues', access: 'staff', summary: 'Create a league', body: LeagueInput, response: League, status: 201, errors: [401, 403, 409] }),
  getLeague: endpoint({ method: 'GET', path: '/api/leagues/:leagueId', tag: 'leagues', access: 'public', summary: 'One league', params: LeagueIdParams, response: League, errors: [404] }),
  updateLeague: endpoint({ method: 'PATCH', path: '/api/leagues/:leagueId', tag: 'leagues', access: 'staff', summary: 'Rename a league or set its Steam league id', params: LeagueIdParams, body: LeagueUpdate, response: League, errors: [401, 403, 404, 409] }),
  deleteLeague: endpoint({ method: 'DELETE', path: '/api/leagues/:leagueId', tag: 'leagues', access: 'staff', summary: 'Delete a league no tournament uses', params: LeagueIdParams, status: 204, errors: [401, 403, 404, 409] }),

  // --- tournaments
  listTournaments: endpoint({ method: 'GET', path: '/api/tournaments', tag: 'tournaments', access: 'public', summary: 'Tournaments, soonest first', query: TournamentListQuery, response: TournamentList }),
  createTournament: endpoint({ method: 'POST', path: '/api/tournaments', tag: 'tournaments', access: 'staff', summary: 'Create a tournament (its creator becomes tournament staff)', body: TournamentInput, response: Tournament, status: 201, errors: [401, 403, 404] }),
  getTournament: endpoint({ method: 'GET', path: '/api/tournaments/:tournamentId', tag: 'tournaments', access: 'public', summary: 'A tournament with its staff, player pool and teams', params: TournamentIdParams, response: TournamentDetail, errors: [404] }),
  updateTournament: endpoint({ method: 'PATCH', path: '/api/tournaments/:tournamentId', tag: 'tournaments', access: 'tournamentStaff', summary: 'Edit a tournament or move its state one step (draft → registration → drafting → playing → finished)', params: TournamentIdParams, body: TournamentUpdate, response: Tournament, errors: [401, 403, 404, 409] }),
  deleteTournament: endpoint({ method: 'DELETE', path: '/api/tournaments/:tournamentId', tag: 'tournaments', access: 'staff', summary: 'Delete a tournament that has not started playing', params: TournamentIdParams, status: 204, errors: [401, 403, 404, 409] }),
  addStaff: endpoint({ method: 'POST', path: '/api/tournaments/:tournamentId/staff', tag: 'tournaments', access: 'tournamentStaff', summary: 'Make a user staff of this tournament', params: TournamentIdParams, body: StaffAdd, response: z.object({ items: z.array(PublicUser) }), status: 201, errors: [401, 403, 404, 409] }),
  removeStaff: endpoint({ method: 'DELETE', path: '/api/tournaments/:tournamentId/staff/:userId', tag: 'tournaments', access: 'tournamentStaff', summary: 'Remove a tournament staff member', params: StaffParams, status: 204, errors: [401, 403, 404, 409] }),

  // --- player pool
  listPool: endpoint({ method: 'GET', path: '/api/tournaments/:tournamentId/players', tag: 'pool', access: 'public', summary: 'The player pool', params: TournamentIdParams, response: PoolList, errors: [404] }),
  addToPool: endpoint({ method: 'POST', path: '/api/tournaments/:tournamentId/players', tag: 'pool', access: 'tournamentStaff', summary: 'Add a user to the pool (MMR defaults to their profile MMR)', params: TournamentIdParams, body: PoolAdd, response: PoolPlayer, status: 201, errors: [401, 403, 404, 409] }),
  importPool: endpoint({ method: 'POST', path: '/api/tournaments/:tournamentId/players/import', tag: 'pool', access: 'tournamentStaff', summary: 'Bulk import from CSV; any bad row rejects the whole file unless skipInvalid', params: TournamentIdParams, body: PoolImport, response: PoolImportResult, errors: [401, 403, 404, 409, 413] }),
  updatePoolPlayer: endpoint({ method: 'PATCH', path: '/api/tournaments/:tournamentId/players/:userId', tag: 'pool', access: 'tournamentStaff', summary: 'Set the MMR used for this tournament', params: PoolPlayerParams, body: PoolUpdate, response: PoolPlayer, errors: [401, 403, 404, 409] }),
  removeFromPool: endpoint({ method: 'DELETE', path: '/api/tournaments/:tournamentId/players/:userId', tag: 'pool', access: 'tournamentStaff', summary: 'Remove a player (not a captain or a drafted player)', params: PoolPlayerParams, status: 204, errors: [401, 403, 404, 409] }),

  // --- teams
  listTeams: endpoint({ method: 'GET', path: '/api/tournaments/:tournamentId/teams', tag: 'teams', access: 'public', summary: 'Teams in draft order', params: TournamentIdParams, response: TeamList, errors: [404] }),
  createTeam: endpoint({ method: 'POST', path: '/api/tournaments/:tournamentId/teams', tag: 'teams', access: 'tournamentStaff', summary: 'Appoint a captain from the pool: creates their team last in draft order', params: TournamentIdParams, body: TeamCreate, response: Team, status: 201, errors: [401, 403, 404, 409] }),
  reorderTeams: endpoint({ method: 'PUT', path: '/api/tournaments/:tournamentId/teams/order', tag: 'teams', access: 'tournamentStaff', summary: 'Set the draft order (every team id once)', params: TournamentIdParams, body: TeamOrder, response: TeamList, errors: [401, 403, 404, 409] }),
  updateTeam: endpoint({ method: 'PATCH', path: '/api/tournaments/:tournamentId/teams/:teamId', tag: 'teams', access: 'tournamentStaff', summary: 'Rename a team', params: TeamParams, body: TeamUpdate, response: Team, errors: [401, 403, 404, 409] }),
  deleteTeam: endpoint({ method: 'DELETE', path: '/api/tournaments/:tournamentId/teams/:teamId', tag: 'teams', access: 'tournamentStaff', summary: 'Remove a team (its captain stays in the pool)', params: TeamParams, status: 204, errors: [401, 403, 404, 409] }),

  // --- player draft
  getDraft: endpoint({ method: 'GET', path: '/api/tournaments/:tournamentId/draft', tag: 'draft', access: 'public', summary: 'The player draft: settings, teams, pool, picks with tie rolls, whose turn and its deadline, and the hub clock', params: TournamentIdParams, response: DraftRead, errors: [404] }),
  configureDraft: endpoint({ method: 'PATCH', path: '/api/tournaments/:tournamentId/draft', tag: 'draft', access: 'tournamentStaff', summary: 'Set the style, team size (before opening) and pick timer (before starting)', params: TournamentIdParams, body: DraftConfigure, response: DraftRead, errors: [401, 403, 404, 409] }),
  previewDraft: endpoint({ method: 'GET', path: '/api/tournaments/:tournamentId/draft/preview', tag: 'draft', access: 'tournamentStaff', summary: 'Predicted team totals for normal and snake (greedy captains); why shuffle has none', params: TournamentIdParams, response: DraftPreview, errors: [401, 403, 404] }),
  openDraft: endpoint({ method: 'POST', path: '/api/tournaments/:tournamentId/draft/open', tag: 'draft', access: 'tournamentStaff', summary: 'Open the draft: teams and pool freeze, the tournament moves to drafting', params: TournamentIdParams, body: DraftControl, response: DraftRead, errors: [401, 403, 404, 409] }),
  startDraft: endpoint({ method: 'POST', path: '/api/tournaments/:tournamentId/draft/start', tag: 'draft', access: 'tournamentStaff', summary: 'Start picking', params: TournamentIdParams, body: DraftControl, response: DraftRead, errors: [401, 403, 404, 409] }),
  pauseDraft: endpoint({ method: 'POST', path: '/api/tournaments/:tournamentId/draft/pause', tag: 'draft', access: 'tournamentStaff', summary: 'Pause (the turn keeps the time it has left)', params: TournamentIdParams, body: DraftControl, response: DraftRead, errors: [401, 403, 404, 409] }),
  resumeDraft: endpoint({ method: 'POST', path: '/api/tournaments/:tournamentId/draft/resume', tag: 'draft', access: 'tournamentStaff', summary: 'Resume a paused draft', params: TournamentIdParams, body: DraftControl, response: DraftRead, errors: [401, 403, 404, 409] }),
  undoDraftPick: endpoint({ method: 'POST', path: '/api/tournaments/:tournamentId/draft/undo', tag: 'draft', access: 'tournamentStaff', summary: 'Undo the last pick: its team is on turn again', params: TournamentIdParams, body: DraftControl, response: DraftRead, errors: [401, 403, 404, 409] }),
  restartDraft: endpoint({ method: 'POST', path: '/api/tournaments/:tournamentId/draft/restart', tag: 'draft', access: 'tournamentStaff', summary: 'Drop every pick and roll; the draft is open again', params: TournamentIdParams, body: DraftControl, response: DraftRead, errors: [401, 403, 404, 409] }),
  pickPlayer: endpoint({ method: 'POST', path: '/api/tournaments/:tournamentId/draft/picks', tag: 'draft', access: 'user', summary: 'Pick a player: the captain on turn, or staff on their behalf; pickNumber makes it once per turn', params: TournamentIdParams, body: DraftPickInput, response: DraftRead, status: 201, errors: [401, 403, 404, 409] }),
  getDraftQueue: endpoint({ method: 'GET', path: '/api/tournaments/:tournamentId/draft/queue', tag: 'draft', access: 'user', summary: 'Your own draft queue (captains only; nobody else can read it)', params: TournamentIdParams, response: DraftQueue, errors: [401, 403, 404] }),
  setDraftQueue: endpoint({ method: 'PUT', path: '/api/tournaments/:tournamentId/draft/queue', tag: 'draft', access: 'user', summary: 'Set your draft queue: auto-pick takes the first one still available', params: TournamentIdParams, body: DraftQueueInput, response: DraftQueue, errors: [401, 403, 404, 409] }),

  // --- brackets and series
  getBracket: endpoint({ method: 'GET', path: '/api/tournaments/:tournamentId/bracket', tag: 'brackets', access: 'public', summary: 'Every stage with its series, games, standings (round robin, Swiss) and placements (elimination)', params: TournamentIdParams, response: BracketView, errors: [404] }),
  createStage: endpoint({ method: 'POST', path: '/api/tournaments/:tournamentId/stages', tag: 'brackets', access: 'tournamentStaff', summary: 'Generate a stage (single/double elimination, round robin, Swiss) for the tournament\'s teams, seeded ranked, by MMR, at random (recorded) or by hand', params: TournamentIdParams, body: StageCreate, response: Stage, status: 201, errors: [401, 403, 404, 409] }),
  deleteStage: endpoint({ method: 'DELETE', path: '/api/tournaments/:tournamentId/stages/:stageId', tag: 'brackets', access: 'tournamentStaff', summary: 'Delete a stage with no results yet (to generate it again)', params: StageParams, status: 204, errors: [401, 403, 404, 409] }),
  disqualifyTeam: endpoint({ method: 'POST', path: '/api/tournaments/:tournamentId/stages/:stageId/disqualify', tag: 'brackets', access: 'tournamentStaff', summary: 'Disqualify a team: it forfeits every series it has not played', params: StageParams, body: DisqualifyInput, response: Stage, errors: [401, 403, 404, 409] }),
  reportSeries: endpoint({ method: 'POST', path: '/api/tournaments/:tournamentId/series/:matchId/report', tag: 'brackets', access: 'tournamentStaff', summary: 'Report a series result (score, games or forfeit): the winner advances and the loser drops at once; correct: true replaces a result, cascade: true also clears what it made wrong downstream', params: MatchParams, body: ReportInput, response: Stage, errors: [401, 403, 404, 409] }),

  // --- Captains Mode hero draft
  listHeroes: endpoint({ method: 'GET', path: '/api/heroes', tag: 'herodraft', access: 'public', summary: 'Heroes (dotaconstants) and the image base URL (empty: no images): the Captains Mode ones, or every hero with ?scope=all (each flagged captainsMode)', query: HeroListQuery, response: HeroList }),
  listHeroDrafts: endpoint({ method: 'GET', path: '/api/tournaments/:tournamentId/herodrafts', tag: 'herodraft', access: 'public', summary: 'Hero drafts of a tournament with their results', params: TournamentIdParams, response: HeroDraftList, errors: [404] }),
  createHeroDraft: endpoint({ method: 'POST', path: '/api/tournaments/:tournamentId/herodrafts', tag: 'herodraft', access: 'tournamentStaff', summary: 'Create a Captains Mode draft for a match between two teams (preset and timings optional)', params: TournamentIdParams, body: HeroDraftCreate, response: HeroDraftRead, status: 201, errors: [401, 403, 404, 409] }),
  getHeroDraft: endpoint({ method: 'GET', path: '/api/herodrafts/:heroDraftId', tag: 'herodraft', access: 'public', summary: 'A hero draft: teams, toss, steps done, whose turn with its deadline and reserve, and the hub clock', params: HeroDraftParams, response: HeroDraftRead, errors: [404] }),
  configureHeroDraft: endpoint({ method: 'PATCH', path: '/api/herodrafts/:heroDraftId', tag: 'herodraft', access: 'tournamentStaff', summary: 'Change the preset and timings (before ready-up completes)', params: HeroDraftParams, body: HeroDraftConfigure, response: HeroDraftRead, errors: [401, 403, 404, 409] }),
  readyHeroDraft: endpoint({ method: 'POST', path: '/api/herodrafts/:heroDraftId/ready', tag: 'herodraft', access: 'user', summary: 'A captain readies up; when both are ready the server tosses the coin', params: HeroDraftParams, body: HeroDraftReady, response: HeroDraftRead, errors: [401, 403, 404, 409] }),
  chooseHeroDraft: endpoint({ method: 'POST', path: '/api/herodrafts/:heroDraftId/choice', tag: 'herodraft', access: 'user', summary: 'The toss winner chooses first pick or side; the other captain the remaining one', params: HeroDraftParams, body: HeroDraftChoice, response: HeroDraftRead, errors: [401, 403, 404, 409] }),
  actHeroDraft: endpoint({ method: 'POST', path: '/api/herodrafts/:heroDraftId/steps', tag: 'herodraft', access: 'user', summary: 'The captain on turn picks or bans a hero; stepIndex makes it once per step', params: HeroDraftParams, body: HeroDraftAct, response: HeroDraftRead, status: 201, errors: [401, 403, 404, 409] }),
  pauseHeroDraft: endpoint({ method: 'POST', path: '/api/herodrafts/:heroDraftId/pause', tag: 'herodraft', access: 'tournamentStaff', summary: 'Pause: nobody is charged time while paused', params: HeroDraftParams, body: HeroDraftPause, response: HeroDraftRead, errors: [401, 403, 404, 409] }),
  resumeHeroDraft: endpoint({ method: 'POST', path: '/api/herodrafts/:heroDraftId/resume', tag: 'herodraft', access: 'user', summary: 'Resume after a short countdown: staff at once, captains when both have asked', params: HeroDraftParams, body: HeroDraftControl, response: HeroDraftRead, errors: [401, 403, 404, 409] }),
  resetHeroDraft: endpoint({ method: 'POST', path: '/api/herodrafts/:heroDraftId/reset', tag: 'herodraft', access: 'tournamentStaff', summary: 'Back to ready-up: steps, toss and reserves cleared', params: HeroDraftParams, body: HeroDraftControl, response: HeroDraftRead, errors: [401, 403, 404, 409] }),
  abandonHeroDraft: endpoint({ method: 'POST', path: '/api/herodrafts/:heroDraftId/abandon', tag: 'herodraft', access: 'tournamentStaff', summary: 'Abandon the draft', params: HeroDraftParams, body: HeroDraftControl, response: HeroDraftRead, errors: [401, 403, 404, 409] }),
  penalizeHeroDraft: endpoint({ method: 'POST', path: '/api/herodrafts/:heroDraftId/penalty', tag: 'herodraft', access: 'tournamentStaff', summary: 'Deduct reserve time from a team as a penalty', params: HeroDraftParams, body: HeroDraftPenalty, response: HeroDraftRead, errors: [401, 403, 404, 409] }),
  claimSeries: endpoint({ method: 'POST', path: '/api/tournaments/:tournamentId/series/:matchId/claim', tag: 'brackets', access: 'user', summary: "A captain reports their series (stages with captain reports); it counts once the other captain confirms", params: MatchParams, body: ReportInput, response: Stage, errors: [401, 403, 404, 409] }),
  confirmSeries: endpoint({ method: 'POST', path: '/api/tournaments/:tournamentId/series/:matchId/confirm', tag: 'brackets', access: 'user', summary: "The other captain confirms a captain's report: the result is applied as if staff reported it", params: MatchParams, body: ClaimAnswer, response: Stage, errors: [401, 403, 404, 409] }),
  disputeSeries: endpoint({ method: 'POST', path: '/api/tournaments/:tournamentId/series/:matchId/dispute', tag: 'brackets', access: 'user', summary: "The other captain disputes a captain's report: staff decide by reporting the series", params: MatchParams, body: ClaimAnswer, response: Stage, errors: [401, 403, 404, 409] }),
  // --- Steam, live games and imported matches
  steamStatus: endpoint({ method: 'GET', path: '/api/steam/status', tag: 'steam', access: 'public', summary: 'What Steam features are on, why not, and how fresh the live data is', response: SteamStatus }),
  steamLookup: endpoint({ method: 'GET', path: '/api/steam/lookup', tag: 'steam', access: 'user', summary: 'Find a Steam account from a name, profile URL, SteamID64 or account id: profile and recent matches', query: LookupQuery, response: PlayerLookup, errors: [401, 404, 503] }),
  linkMySteam: endpoint({ method: 'POST', path: '/api/me/steam', tag: 'steam', access: 'user', summary: 'Find a Steam account (as lookup) and link it to your profile', body: LinkSteamBody, response: PlayerLookup, errors: [401, 403, 404, 409, 503] }),
  linkUserSteam: endpoint({ method: 'POST', path: '/api/users/:userId/steam', tag: 'steam', access: 'staff', summary: 'Site staff: find a Steam account (as lookup) and link it to this user', params: UserIdParams, body: LinkSteamBody, response: PlayerLookup, errors: [401, 403, 404, 409, 503] }),
  liveGames: endpoint({ method: 'GET', path: '/api/live', tag: 'steam', access: 'public', summary: 'Live games of DTX players and the league, and those that ended in the last hours, with the age of the data', response: LiveFeed }),
  getMatch: endpoint({ method: 'GET', path: '/api/matches/:matchId', tag: 'steam', access: 'public', summary: 'A match: live scoreboard, imported per-player stats and its bracket links', params: MatchIdParams, response: MatchView, errors: [404] }),
  importMatches: endpoint({ method: 'POST', path: '/api/tournaments/:tournamentId/steam/import', tag: 'steam', access: 'tournamentStaff', summary: 'Import finished matches (given ids, or the recent matches of the league and of the pool) and link them to series', params: TournamentIdParams, body: ImportInput, response: ImportResult, errors: [401, 403, 404, 503] }),
  listMatchLinks: endpoint({ method: 'GET', path: '/api/tournaments/:tournamentId/steam/links', tag: 'steam', access: 'tournamentStaff', summary: 'Links from imported matches to series: suggestions first by roster overlap', params: TournamentIdParams, response: MatchLinkList, errors: [401, 403, 404] }),
  confirmMatchLink: endpoint({ method: 'POST', path: '/api/tournaments/:tournamentId/steam/links/:linkId/confirm', tag: 'steam', access: 'tournamentStaff', summary: 'Confirm a suggested link: the game counts for its series (reported once the series is decided)', params: LinkParams, response: MatchLink, errors: [401, 403, 404, 409] }),
  dismissMatchLink: endpoint({ method: 'POST', path: '/api/tournaments/:tournamentId/steam/links/:linkId/dismiss', tag: 'steam', access: 'tournamentStaff', summary: 'Dismiss a suggested link', params: LinkParams, response: MatchLink, errors: [401, 403, 404, 409] }),
} as const;

export type Api = typeof api;
