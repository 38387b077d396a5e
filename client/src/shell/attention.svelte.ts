import type { BracketView } from '$shared/schemas/brackets';
import type { DraftView } from '$shared/schemas/draft';
import type { HeroDraftView } from '$shared/schemas/herodraft';
import type { MySignup } from '$shared/schemas/signups';
import type { LiveGame } from '$shared/schemas/steam';
import type { TournamentSummary } from '$shared/schemas/tournaments';
import { api, call } from '../lib/api';
import { ServerClock } from '../lib/server-clock.svelte';
import { session } from '../lib/session.svelte';

/**
 * Where people are needed, read from the pages' own REST reads (all cached on the hub): whose
 * turn it is in a player or hero draft, what waits for staff, and what is live now.
 *
 * Polled, not followed through rooms: joining a draft's room counts its captain as present,
 * and the hero draft pauses for a captain who is not (CM6); a banner on another page must not
 * keep a captain who left the draft page looking present. Only tournaments that are drafting
 * or playing are looked at.
 */

export interface Turn {
  /** Unique per turn: a new turn is a new banner. */
  key: string;
  tournamentName: string;
  /** What the captain must do, e.g. "pick a player", "ban a hero". */
  what: string;
  /** When the turn runs out (hub clock); null when it waits without a timer. */
  deadlineAt: string | null;
  href: string;
}

export interface LiveDraft {
  tournamentId: number;
  tournamentName: string;
  paused: boolean;
  pickNumber: number | null;
  teamOnTurn: string | null;
  deadlineAt: string | null;
  href: string;
}

export interface LiveHeroDraft {
  id: number;
  tournamentName: string;
  teams: string[];
  status: HeroDraftView['status'];
  deadlineAt: string | null;
  href: string;
}

export interface LiveSeries {
  id: number;
  tournamentName: string;
  teamA: string;
  teamB: string;
  scoreA: number;
  scoreB: number;
  bestOf: number;
  href: string;
}

export interface StaffItem {
  key: string;
  text: string;
  href: string;
}

/** An open check-in window the viewer has not checked in to yet. */
export interface CheckInDue {
  key: string;
  tournamentName: string;
  closesAt: string;
  href: string;
}

export interface Live {
  drafts: LiveDraft[];
  heroDrafts: LiveHeroDraft[];
  series: LiveSeries[];
  games: LiveGame[];
}

const POLL_MS = 6000;
/** Whether the viewer is staff of a tournament changes rarely: asked again after this. */
const STAFF_TTL_MS = 120_000;
const OPEN_HERO_DRAFT = new Set<HeroDraftView['status']>(['waiting', 'choosing', 'drafting', 'paused']);

/** `1:05`, or `42 s` under a minute. */
export function timeLeft(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}` : `${s} s`;
}

class Attention {
  turns = $state.raw<Turn[]>([]);
  staff = $state.raw<StaffItem[]>([]);
  checkIns = $state.raw<CheckInDue[]>([]);
  live = $state.raw<Live | null>(null);
  readonly clock = new ServerClock();
  #watchers = { live: 0, any: 0 };
  #timer: ReturnType<typeof setInterval> | undefined;
  #stopClock: (() => void) | undefined;
  #running: Promise<void> | null = null;
  #again = false;
  #staffOf = new Map<number, { staff: boolean; at: number }>();
  #userId: number | null = null;

  /**
   * Starts polling while someone watches: the header (turns and staff work when logged in) or
   * the home page (`live`: what is live now, for everyone). Returns what stops watching.
   */
  watch(options: { live: boolean }): () => void {
    this.#watchers.any++;
    if (options.live) this.#watchers.live++;
    if (this.#watchers.any === 1) this.#start();
    else void this.refresh();
    return () => {
      this.#watchers.any--;
      if (options.live) this.#watchers.live--;
      if (this.#watchers.live === 0) this.live = null;
      if (this.#watchers.any === 0) this.#stop();
    };
  }

  /** Reads again now (coalesced with a read under way). */
  refresh(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#read()
      .catch(() => undefined) // a failed look keeps the last one; the next poll tries again
      .finally(() => {
        this.#running = null;
        if (this.#again) {
          this.#again = false;
          void this.refresh();
        }
      });
    return this.#running;
  }

  #start() {
    const tick = () => {
      if (document.visibilityState === 'visible') void this.refresh();
    };
    this.#timer = setInterval(tick, POLL_MS);
    document.addEventListener('visibilitychange', tick);
    this.#stopClock = this.clock.start();
    this.#stopVisibility = () => document.removeEventListener('visibilitychange', tick);
    void this.refresh();
  }
  #stopVisibility: (() => void) | undefined;

  #stop() {
    clearInterval(this.#timer);
    this.#stopVisibility?.();
    this.#stopClock?.();
    this.#timer = undefined;
  }

  async #read() {
    // Who is looking decides what to read: the header reads again once the session is known.
    if (!session.loaded) return;
    const me = session.user;
    if (me?.id !== this.#userId) {
      this.#userId = me?.id ?? null;
      this.#staffOf.clear();
    }
    const wantLive = this.#watchers.live > 0;
    if (!me && !wantLive) {
      this.turns = [];
      this.staff = [];
      this.checkIns = [];
      return;
    }
    const sentAt = Date.now();
    const [drafting, playing, games, signups, registration] = await Promise.all([
      call(api.listTournaments, { query: { state: 'drafting', limit: 100 } }),
      call(api.listTournaments, { query: { state: 'playing', limit: 100 } }),
      wantLive ? call(api.liveGames).then((feed) => feed.games.filter((g) => g.status === 'live')) : Promise.resolve([]),
      me ? call(api.mySignups).then((mine) => mine.items) : Promise.resolve([]),
      // Sign-ups waiting for staff's review are staff work too.
      me ? call(api.listTournaments, { query: { state: 'registration', limit: 100 } }).then((page) => page.items) : Promise.resolve([]),
    ]);
    this.checkIns = signups.flatMap(checkInDue);
    const active = [...drafting.items, ...playing.items];
    const [drafts, heroDrafts, brackets, staffOf] = await Promise.all([
      Promise.all(drafting.items.map(async (t) => ({ t, draft: await call(api.getDraft, { params: { tournamentId: t.id } }) }))),
      Promise.all(active.map(async (t) => ({ t, items: (await call(api.listHeroDrafts, { params: { tournamentId: t.id } })).items }))),
      // Drafting too: staff may generate the bracket before they move the tournament on.
      Promise.all(active.map(async (t) => ({ t, bracket: await call(api.getBracket, { params: { tournamentId: t.id } }) }))),
      me ? this.#staffTournaments(active) : Promise.resolve(new Set<number>()),
    ]);
    const serverTime = drafts[0]?.draft.serverTime;
    if (serverTime) this.clock.measure(serverTime, sentAt, Date.now());

    this.turns = me
      ? [...drafts.flatMap(({ t, draft }) => draftTurn(t, draft, me.id)), ...heroDrafts.flatMap(({ t, items }) => heroTurns(t, items, me.id))]
      : [];
    this.staff = me ? [...(await this.#signupsToReview(registration)), ...(await this.#staffWork(brackets, staffOf))] : [];
    if (wantLive) {
      this.live = {
        drafts: drafts.flatMap(({ t, draft }) => liveDraft(t, draft)),
        heroDrafts: heroDrafts.flatMap(({ t, items }) => items.filter((d) => OPEN_HERO_DRAFT.has(d.status)).map((d) => liveHeroDraft(t, d))),
        series: brackets.flatMap(({ t, bracket }) => seriesInPlay(t, bracket)),
        games,
      };
    }
  }

  /** The tournaments among these whose staff the viewer is (site staff: all of them). */
  async #staffTournaments(tournaments: TournamentSummary[]): Promise<Set<number>> {
    if (session.isSiteStaff) return new Set(tournaments.map((t) => t.id));
    const now = Date.now();
    const me = this.#userId;
    await Promise.all(
      tournaments
        .filter((t) => (this.#staffOf.get(t.id)?.at ?? -Infinity) < now - STAFF_TTL_MS)
        .map(async (t) => {
          const detail = await call(api.getTournament, { params: { tournamentId: t.id } });
          this.#staffOf.set(t.id, { staff: detail.staff.some((s) => s.id === me), at: now });
        }),
    );
    return new Set(tournaments.filter((t) => this.#staffOf.get(t.id)?.staff).map((t) => t.id));
  }

  /** Pending sign-ups, one item per tournament in registration the viewer runs. */
  async #signupsToReview(tournaments: TournamentSummary[]): Promise<StaffItem[]> {
    const mine = await this.#staffTournaments(tournaments);
    const counts = await Promise.all(
      tournaments
        .filter((t) => mine.has(t.id))
        .map(async (t) => ({
          t,
          pending: (await call(api.listSignups, { params: { tournamentId: t.id } })).items.filter((s) => s.state === 'pending').length,
        })),
    );
    return counts
      .filter(({ pending }) => pending > 0)
      .map(({ t, pending }) => ({
        key: `signups-${t.id}`,
        text: `${pending} sign-up${pending === 1 ? '' : 's'} to review (${t.name})`,
        href: `/tournaments/${t.id}/manage`,
      }));
  }

  /** Disputed reports and match suggestions to confirm, in the tournaments the viewer runs. */
  async #staffWork(brackets: { t: TournamentSummary; bracket: BracketView }[], staffOf: Set<number>): Promise<StaffItem[]> {
    const disputed = brackets
      .filter(({ t }) => staffOf.has(t.id))
      .flatMap(({ t, bracket }) =>
        bracket.stages.flatMap((stage) =>
          stage.matches
            .filter((m) => m.disputed && m.status === 'ready')
            .map((m) => ({
              key: `dispute-${m.id}`,
              text: `Disputed report: ${m.teamA?.name ?? 'TBD'} vs ${m.teamB?.name ?? 'TBD'} (${t.name})`,
              href: `/tournaments/${t.id}/bracket`,
            })),
        ),
      );
    // Imported matches are linked to series: none to confirm before there is a bracket.
    const suggestions = await Promise.all(
      brackets
        .filter(({ t, bracket }) => staffOf.has(t.id) && bracket.stages.length > 0)
        .map(async ({ t }) => {
          const links = await call(api.listMatchLinks, { params: { tournamentId: t.id } });
          return links.items
            .filter((l) => l.state === 'suggested')
            .map((l) => ({
              key: `link-${l.id}`,
              text: `Match to confirm: ${l.teamA.name} vs ${l.teamB.name} (${t.name})`,
              href: `/tournaments/${t.id}/matches`,
            }));
        }),
    );
    return [...disputed, ...suggestions.flat()];
  }
}

/** A check-in the viewer still has to do: the window is open, their sign-up can check in and has not. */
function checkInDue({ tournament: t, signup, checkIn }: MySignup): CheckInDue[] {
  if (!checkIn?.open || signup.checkedIn || (signup.state !== 'approved' && signup.state !== 'waitlisted')) return [];
  return [{ key: `checkin-${t.id}-${checkIn.openedAt}`, tournamentName: t.name, closesAt: checkIn.closesAt, href: `/tournaments/${t.id}/signup` }];
}

function draftTurn(t: TournamentSummary, draft: DraftView, me: number): Turn[] {
  if (draft.status !== 'running' || !draft.turn?.teamId) return [];
  const team = draft.teams.find((x) => x.id === draft.turn!.teamId);
  if (team?.captain.id !== me) return [];
  return [
    {
      key: `draft-${t.id}-${draft.turn.pickNumber}`,
      tournamentName: t.name,
      what: 'pick a player',
      deadlineAt: draft.deadlineAt,
      href: `/tournaments/${t.id}/draft`,
    },
  ];
}

function heroTurns(t: TournamentSummary, drafts: HeroDraftView[], me: number): Turn[] {
  return drafts.flatMap((d): Turn[] => {
    const mine = d.teams.findIndex((team) => team.captain.id === me);
    if (mine < 0) return [];
    const base = { tournamentName: t.name, href: `/herodrafts/${d.id}` };
    if (d.status === 'waiting' && !d.teams[mine]!.ready) return [{ ...base, key: `hd-${d.id}-ready`, what: 'ready up for the hero draft', deadlineAt: null }];
    if (d.status === 'choosing' && d.toss.due?.team === mine) {
      const kinds = d.toss.due.kinds.map((k) => (k === 'order' ? 'pick order' : 'side')).join(' or ');
      return [{ ...base, key: `hd-${d.id}-choose-${d.toss.due.kinds.join()}`, what: `choose ${kinds}`, deadlineAt: null }];
    }
    if (d.status === 'drafting' && d.turn?.team === mine) {
      return [{ ...base, key: `hd-${d.id}-step-${d.turn.stepIndex}`, what: `${d.turn.action} a hero`, deadlineAt: d.turn.deadlineAt }];
    }
    return [];
  });
}

function liveDraft(t: TournamentSummary, draft: DraftView): LiveDraft[] {
  if (draft.status !== 'running' && draft.status !== 'paused') return [];
  const onTurn = draft.teams.find((x) => x.id === draft.turn?.teamId);
  return [
    {
      tournamentId: t.id,
      tournamentName: t.name,
      paused: draft.status === 'paused',
      pickNumber: draft.turn?.pickNumber ?? null,
      teamOnTurn: onTurn?.name ?? null,
      deadlineAt: draft.status === 'running' ? draft.deadlineAt : null,
      href: `/tournaments/${t.id}/draft`,
    },
  ];
}

function liveHeroDraft(t: TournamentSummary, d: HeroDraftView): LiveHeroDraft {
  return {
    id: d.id,
    tournamentName: t.name,
    teams: d.teams.map((team) => team.name),
    status: d.status,
    deadlineAt: d.status === 'drafting' ? (d.turn?.deadlineAt ?? null) : null,
    href: `/herodrafts/${d.id}`,
  };
}

/** Series both of whose teams are known and that are not decided yet. */
function seriesInPlay(t: TournamentSummary, bracket: BracketView): LiveSeries[] {
  return bracket.stages
    .filter((stage) => !stage.finished)
    .flatMap((stage) =>
      stage.matches
        .filter((m) => m.status === 'ready' && m.teamA && m.teamB)
        .map((m) => ({
          id: m.id,
          tournamentName: t.name,
          teamA: m.teamA!.name,
          teamB: m.teamB!.name,
          scoreA: m.scoreA ?? 0,
          scoreB: m.scoreB ?? 0,
          bestOf: m.bestOf,
          href: `/tournaments/${t.id}/bracket`,
        })),
    );
}

export const attention = new Attention();
