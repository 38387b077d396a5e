/**
 * The player draft as pure functions: no I/O, no clock, randomness injected. The service
 * stores picks and rolls; everything else (whose turn, who is full, when it ends) is derived
 * here by replaying them, so there is one source of truth.
 */

export type DraftStyle = 'normal' | 'snake' | 'shuffle';

export interface DraftPlayer {
  userId: number;
  mmr: number;
}

export interface DraftTeam {
  id: number;
  captain: DraftPlayer;
}

export interface DraftPick {
  pickNumber: number;
  teamId: number;
  userId: number;
}

/** One d6 roll deciding a shuffle tie before pick `pickNumber`; `round` 1, 2, ... while still tied. */
export interface DraftRoll {
  pickNumber: number;
  round: number;
  teamId: number;
  value: number;
}

/** Everything the draft is replayed from. Teams are in draft order; the pool excludes captains. */
export interface DraftBoard {
  style: DraftStyle;
  teamSize: number;
  teams: DraftTeam[];
  pool: DraftPlayer[];
  picks: DraftPick[];
  rolls: DraftRoll[];
}

export interface TeamPosition {
  id: number;
  /** The captain first, then picks in order. */
  members: DraftPlayer[];
  total: number;
  full: boolean;
}

export interface Turn {
  pickNumber: number;
  /** null while a shuffle tie still needs rolls (see settleTurn). */
  teamId: number | null;
  /** Teams tied for the lowest total (shuffle), or []. */
  tied: number[];
  /** The rolls stored for this pick so far. */
  rolls: DraftRoll[];
}

export interface DraftPosition {
  teams: TeamPosition[];
  available: DraftPlayer[];
  /** Every team full or nobody left to pick. */
  complete: boolean;
  turn: Turn | null;
}

/** A source of d6 rolls: crypto in the hub, seeded in tests. */
export interface RandomSource {
  d6(): number;
}

/** mulberry32: small, seedable, good enough for reproducible test dice. */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return {
    d6() {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      return 1 + Math.floor(r * 6);
    },
  };
}

/** Normal and snake: the team index (in draft order) of slot s (0-based), before skipping full teams. */
export function slotTeamIndex(style: 'normal' | 'snake', teamCount: number, slot: number): number {
  const round = Math.floor(slot / teamCount);
  const i = slot % teamCount;
  return style === 'snake' && round % 2 === 1 ? teamCount - 1 - i : i;
}

const byMmrDesc = (a: DraftPlayer, b: DraftPlayer) => b.mmr - a.mmr || a.userId - b.userId;

/**
 * Replays the picks and says where the draft stands. Throws when a stored pick does not
 * match the rules (a bug or a tampered database, never a user mistake).
 */
export function derivePosition(board: DraftBoard): DraftPosition {
  const teams: TeamPosition[] = board.teams.map((t) => ({ id: t.id, members: [t.captain], total: t.captain.mmr, full: board.teamSize <= 1 }));
  const byId = new Map(teams.map((t) => [t.id, t]));
  const available = new Map(board.pool.map((p) => [p.userId, p]));
  let slot = 0;

  const picks = [...board.picks].sort((a, b) => a.pickNumber - b.pickNumber);
  for (const [index, pick] of picks.entries()) {
    if (pick.pickNumber !== index + 1) throw new Error(`pick numbers must run 1, 2, ...; found ${pick.pickNumber} at ${index + 1}`);
    const turn = turnAt(board, teams, available, pick.pickNumber, slot);
    if (!turn) throw new Error(`pick ${pick.pickNumber} was made after the draft was complete`);
    if (turn.teamId !== pick.teamId) throw new Error(`pick ${pick.pickNumber} belongs to team ${turn.teamId ?? '(undecided)'}, not ${pick.teamId}`);
    const player = available.get(pick.userId);
    if (!player) throw new Error(`pick ${pick.pickNumber}: player ${pick.userId} is not available`);
    available.delete(pick.userId);
    const team = byId.get(pick.teamId)!;
    team.members.push(player);
    team.total += player.mmr;
    team.full = team.members.length >= board.teamSize;
    slot = turn.nextSlot;
  }
  const rest = [...available.values()].sort(byMmrDesc);
  const turn = turnAt(board, teams, available, picks.length + 1, slot);
  return {
    teams,
    available: rest,
    complete: turn === null,
    turn: turn && { pickNumber: turn.pickNumber, teamId: turn.teamId, tied: turn.tied, rolls: turn.rolls },
  };
}

/**
 * The rosters as stored, without checking them against the order: for showing a draft whose
 * stored picks no longer replay (its teams changed under it). No turn is derived.
 */
export function storedRosters(board: DraftBoard): DraftPosition {
  const teams: TeamPosition[] = board.teams.map((t) => ({ id: t.id, members: [t.captain], total: t.captain.mmr, full: false }));
  const byId = new Map(teams.map((t) => [t.id, t]));
  const available = new Map(board.pool.map((p) => [p.userId, p]));
  for (const pick of [...board.picks].sort((a, b) => a.pickNumber - b.pickNumber)) {
    const team = byId.get(pick.teamId);
    const player = available.get(pick.userId);
    if (!team || !player) continue;
    available.delete(pick.userId);
    team.members.push(player);
    team.total += player.mmr;
  }
  for (const t of teams) t.full = t.members.length >= board.teamSize;
  return { teams, available: [...available.values()].sort(byMmrDesc), complete: false, turn: null };
}

/** The turn for pick `pickNumber`, or null when the draft is complete. */
function turnAt(
  board: DraftBoard,
  teams: TeamPosition[],
  available: Map<number, DraftPlayer>,
  pickNumber: number,
  slot: number,
): (Turn & { nextSlot: number }) | null {
  const open = teams.filter((t) => !t.full);
  if (open.length === 0 || available.size === 0) return null;
  if (board.style !== 'shuffle') {
    // Walk the fixed order from where the last pick left it, skipping full teams.
    for (let s = slot; ; s++) {
      const team = teams[slotTeamIndex(board.style, teams.length, s)]!;
      if (!team.full) return { pickNumber, teamId: team.id, tied: [], rolls: [], nextSlot: s + 1 };
    }
  }
  const lowest = Math.min(...open.map((t) => t.total));
  const tied = open.filter((t) => t.total === lowest).map((t) => t.id);
  const rolls = board.rolls.filter((r) => r.pickNumber === pickNumber).sort((a, b) => a.round - b.round || a.teamId - b.teamId);
  if (tied.length === 1) return { pickNumber, teamId: tied[0]!, tied: [], rolls: [], nextSlot: 0 };
  return { pickNumber, teamId: tieWinner(tied, rolls), tied, rolls, nextSlot: 0 };
}

/**
 * Replays the stored tie rolls: round 1 is rolled by every tied team, each later round by
 * those who shared the highest roll. Returns who is still in and the round to roll next.
 */
function contendersAfter(tied: number[], rolls: DraftRoll[]): { contenders: number[]; nextRound: number } {
  let contenders = [...tied].sort((a, b) => a - b);
  let round = 1;
  for (; contenders.length > 1; round++) {
    const rolled = new Map(rolls.filter((r) => r.round === round).map((r) => [r.teamId, r.value]));
    if (rolled.size === 0) break;
    if (contenders.some((id) => !rolled.has(id))) throw new Error(`round ${round} of the tie rolls is missing a contender`);
    const best = Math.max(...contenders.map((id) => rolled.get(id)!));
    contenders = contenders.filter((id) => rolled.get(id) === best);
  }
  return { contenders, nextRound: round };
}

/** The winner the stored rolls give among `tied`, or null when more rolls are needed. */
export function tieWinner(tied: number[], rolls: DraftRoll[]): number | null {
  const { contenders } = contendersAfter(tied, rolls);
  return contenders.length === 1 ? contenders[0]! : null;
}

/**
 * Decides an undecided shuffle turn by rolling: returns the new rolls to store (possibly
 * several rounds) and the winner. A decided turn needs no rolls.
 */
export function settleTurn(turn: Turn, random: RandomSource): { teamId: number; rolls: DraftRoll[] } {
  if (turn.teamId !== null) return { teamId: turn.teamId, rolls: [] };
  const all = [...turn.rolls];
  const fresh: DraftRoll[] = [];
  for (;;) {
    const { contenders, nextRound } = contendersAfter(turn.tied, all);
    if (contenders.length === 1) return { teamId: contenders[0]!, rolls: fresh };
    // A fair die ends a tie within a few rounds; a broken source must not spin forever.
    if (nextRound > 100) throw new Error('the dice keep tying: is the random source broken?');
    for (const teamId of contenders) {
      const value = random.d6();
      if (!Number.isInteger(value) || value < 1 || value > 6) throw new Error(`a d6 rolled ${value}`);
      const roll = { pickNumber: turn.pickNumber, round: nextRound, teamId, value };
      all.push(roll);
      fresh.push(roll);
    }
  }
}

/** Why a pick is refused, or null when it is allowed (the caller checks who is asking). */
export function checkPick(position: DraftPosition, pickNumber: number, userId: number): string | null {
  if (position.complete || !position.turn) return 'the draft is complete';
  if (pickNumber !== position.turn.pickNumber) return `pick ${pickNumber} is over: it is now pick ${position.turn.pickNumber}`;
  if (position.turn.teamId === null) return 'the tie for this pick has not been rolled yet';
  if (!position.available.some((p) => p.userId === userId)) return 'that player is not available';
  return null;
}

/** Auto-pick: the captain's first queued player still available, else the highest MMR left. */
export function autoPickChoice(available: DraftPlayer[], queue: number[]): DraftPlayer | null {
  const left = new Map(available.map((p) => [p.userId, p]));
  for (const userId of queue) {
    const player = left.get(userId);
    if (player) return player;
  }
  return [...available].sort(byMmrDesc)[0] ?? null;
}

/** The next position after one more pick (settling any tie that follows with `random`). */
export function applyPick(
  board: DraftBoard,
  userId: number,
  random: RandomSource,
): { board: DraftBoard; position: DraftPosition; pick: DraftPick; rolls: DraftRoll[] } {
  const before = derivePosition(board);
  const turn = before.turn;
  if (!turn || turn.teamId === null) throw new Error('no team is on turn');
  const problem = checkPick(before, turn.pickNumber, userId);
  if (problem) throw new Error(problem);
  const pick = { pickNumber: turn.pickNumber, teamId: turn.teamId, userId };
  const next = { ...board, picks: [...board.picks, pick] };
  const settled = settle(next, random);
  return { board: settled.board, position: settled.position, pick, rolls: settled.rolls };
}

/** Derives the position and rolls for an undecided turn; returns the board with the rolls added. */
export function settle(board: DraftBoard, random: RandomSource): { board: DraftBoard; position: DraftPosition; rolls: DraftRoll[] } {
  const position = derivePosition(board);
  if (!position.turn || position.turn.teamId !== null) return { board, position, rolls: [] };
  const { rolls } = settleTurn(position.turn, random);
  const next = { ...board, rolls: [...board.rolls, ...rolls] };
  return { board: next, position: derivePosition(next), rolls };
}

/**
 * Undo of the last pick: the pick goes, and so do the rolls made after it (those deciding the
 * following turn). The rolls that decided the undone pick stay, so the same team is on turn
 * again exactly as before.
 */
export function undoLastPick(board: DraftBoard): { board: DraftBoard; undone: DraftPick } | null {
  const last = [...board.picks].sort((a, b) => b.pickNumber - a.pickNumber)[0];
  if (!last) return null;
  return {
    undone: last,
    board: {
      ...board,
      picks: board.picks.filter((p) => p.pickNumber !== last.pickNumber),
      rolls: board.rolls.filter((r) => r.pickNumber <= last.pickNumber),
    },
  };
}

/**
 * Balance preview for normal and snake: every captain greedily takes the best player left.
 * Shuffle has no preview: who picks depends on the totals after every pick and on dice.
 */
export function previewBalance(
  style: 'normal' | 'snake',
  teamSize: number,
  teams: DraftTeam[],
  pool: DraftPlayer[],
): { teamId: number; total: number; members: number[] }[] {
  let board: DraftBoard = { style, teamSize, teams, pool, picks: [], rolls: [] };
  const noDice: RandomSource = {
    d6: () => {
      throw new Error('normal and snake never roll');
    },
  };
  for (;;) {
    const position = derivePosition(board);
    if (position.complete) {
      return position.teams.map((t) => ({ teamId: t.id, total: t.total, members: t.members.map((m) => m.userId) }));
    }
    board = applyPick(board, position.available[0]!.userId, noDice).board;
  }
}

export const SHUFFLE_PREVIEW_NOTE =
  'Shuffle cannot be predicted: the team with the lowest total picks next, so the order depends on every pick made, and ties are settled by dice rolled during the draft.';
