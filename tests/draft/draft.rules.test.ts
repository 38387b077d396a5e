import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyPick,
  autoPickChoice,
  derivePosition,
  storedRosters,
  type DraftBoard,
  type DraftPlayer,
  type DraftStyle,
  type DraftTeam,
  previewBalance,
  type RandomSource,
  seededRandom,
  settle,
  settleTurn,
  slotTeamIndex,
  tieWinner,
  undoLastPick,
} from '../../server/draft/draft.rules';

/** Teams 1..n (ids = draft order) with captains of the given MMRs (default all 1000). */
function makeTeams(n: number, captainMmr: (i: number) => number = () => 1000): DraftTeam[] {
  return Array.from({ length: n }, (_, i) => ({ id: i + 1, captain: { userId: 1000 + i, mmr: captainMmr(i) } }));
}
/** Players 1..n with distinct MMRs, highest first. */
function makePool(n: number, mmr: (i: number) => number = (i) => 5000 - i * 10): DraftPlayer[] {
  return Array.from({ length: n }, (_, i) => ({ userId: i + 1, mmr: mmr(i) }));
}
function board(style: DraftStyle, teams: DraftTeam[], pool: DraftPlayer[], teamSize = 5): DraftBoard {
  return { style, teamSize, teams, pool, picks: [], rolls: [] };
}
/** A scripted die: the values in order (fails the test when it runs out). */
function dice(...values: number[]): RandomSource {
  return {
    d6() {
      const v = values.shift();
      if (v === undefined) throw new Error('the scripted die ran out');
      return v;
    },
  };
}
const noDice: RandomSource = {
  d6: () => {
    throw new Error('no roll expected');
  },
};

/** Runs a whole draft, each team taking `choose` of what is left; returns the team ids in pick order. */
function runDraft(start: DraftBoard, random: RandomSource, choose: (available: DraftPlayer[]) => DraftPlayer = (a) => a[0]!) {
  let b = settle(start, random).board;
  const order: number[] = [];
  for (;;) {
    const position = derivePosition(b);
    if (position.complete) return { order, board: b, position };
    order.push(position.turn!.teamId!);
    b = applyPick(b, choose(position.available).userId, random).board;
  }
}

describe('pick order: normal and snake', () => {
  const counts = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

  it.each(counts)('DR1 normal order with %i teams: 1..N in every round', (n) => {
    const { order } = runDraft(board('normal', makeTeams(n), makePool(n * 4)), noDice);
    const round = Array.from({ length: n }, (_, i) => i + 1);
    expect(order).toEqual([...round, ...round, ...round, ...round]);
  });

  it.each(counts)('DR2 snake order with %i teams: 1..N, N..1, 1..N, N..1', (n) => {
    const { order } = runDraft(board('snake', makeTeams(n), makePool(n * 4)), noDice);
    const up = Array.from({ length: n }, (_, i) => i + 1);
    const down = [...up].reverse();
    expect(order).toEqual([...up, ...down, ...up, ...down]);
  });

  it('DR2 with 4 teams, team 1 picks 1, 8, 9 and 16', () => {
    const { order } = runDraft(board('snake', makeTeams(4), makePool(16)), noDice);
    expect(order.flatMap((team, i) => (team === 1 ? [i + 1] : []))).toEqual([1, 8, 9, 16]);
  });

  it.each([
    ['normal', 3, [0, 1, 2, 0, 1, 2, 0]],
    ['snake', 3, [0, 1, 2, 2, 1, 0, 0]],
    ['snake', 2, [0, 1, 1, 0, 0, 1]],
  ] as const)('slot order %s with %i teams', (style, n, expected) => {
    expect(expected.map((_, s) => slotTeamIndex(style, n, s))).toEqual(expected);
  });
});

describe('pick order: shuffle', () => {
  it('DR4 the team with the lowest total that is not full picks next', () => {
    // Captains 3000, 1000, 2000; players 900, 800, 700, 600, 500, 400.
    const teams = makeTeams(3, (i) => [3000, 1000, 2000][i]!);
    const pool = makePool(6, (i) => 900 - i * 100);
    const { order, position } = runDraft(board('shuffle', teams, pool, 3), noDice);
    // 2 (1000) takes 900 → 1900; 2 (1900) < 3 (2000) takes 800 → 2700 and is full;
    // 3 (2000) takes 700 → 2700; 3 takes 600 → 3300, full; 1 (3000) takes 500, then 400.
    expect(order).toEqual([2, 2, 3, 3, 1, 1]);
    expect(position.teams.map((t) => t.total)).toEqual([3900, 2700, 3300]);
  });

  it('DR4 a full team is skipped even while its total is the lowest', () => {
    // Team 1's captain is far below: it picks until full, then the others pick though it stays lowest.
    const teams = makeTeams(3, (i) => [100, 5000, 5000][i]!);
    const pool = makePool(6, () => 1000);
    const random = dice(4, 2, 1, 3); // ties between teams 2 and 3 (5000 each) twice
    const { order, position } = runDraft(board('shuffle', teams, pool, 3), random);
    expect(order.slice(0, 2)).toEqual([1, 1]);
    expect(position.teams[0]!.total).toBe(2100);
    expect(order.slice(2).every((id) => id !== 1)).toBe(true);
    expect(position.complete).toBe(true);
  });

  it.each([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])('DR4 with %i teams every pick goes to a lowest non-full team', (n) => {
    const teams = makeTeams(n, (i) => 2000 + ((i * 737) % 1500));
    const pool = makePool(n * 4, (i) => 1000 + ((i * 311) % 4000));
    let b = settle(board('shuffle', teams, pool), seededRandom(n)).board;
    for (;;) {
      const position = derivePosition(b);
      if (position.complete) break;
      const open = position.teams.filter((t) => !t.full);
      const lowest = Math.min(...open.map((t) => t.total));
      const onTurn = position.teams.find((t) => t.id === position.turn!.teamId)!;
      expect(onTurn.full).toBe(false);
      expect(onTurn.total).toBe(lowest);
      b = applyPick(b, position.available[0]!.userId, seededRandom(n * 100 + b.picks.length)).board;
    }
    expect(derivePosition(b).teams.every((t) => t.members.length === 5)).toBe(true);
  });
});

describe('shuffle tie rolls', () => {
  it('DR5 tied teams roll a d6; the highest wins; every roll is returned to be stored', () => {
    const b = board('shuffle', makeTeams(3), makePool(6));
    const turn = derivePosition(b).turn!;
    expect(turn).toMatchObject({ pickNumber: 1, teamId: null, tied: [1, 2, 3], rolls: [] });
    const settled = settleTurn(turn, dice(2, 5, 3));
    expect(settled.teamId).toBe(2);
    expect(settled.rolls).toEqual([
      { pickNumber: 1, round: 1, teamId: 1, value: 2 },
      { pickNumber: 1, round: 1, teamId: 2, value: 5 },
      { pickNumber: 1, round: 1, teamId: 3, value: 3 },
    ]);
  });

  it('DR5 a tied highest roll is re-rolled among those still tied only, until one remains', () => {
    const turn = derivePosition(board('shuffle', makeTeams(4), makePool(8))).turn!;
    // Round 1: 6, 6, 1, 6 → teams 1, 2, 4 still tied; round 2: 3, 3, 2 → 1 and 2; round 3: 1, 4 → team 2.
    const settled = settleTurn(turn, dice(6, 6, 1, 6, 3, 3, 2, 1, 4));
    expect(settled.teamId).toBe(2);
    expect(settled.rolls.map((r) => [r.round, r.teamId, r.value])).toEqual([
      [1, 1, 6],
      [1, 2, 6],
      [1, 3, 1],
      [1, 4, 6],
      [2, 1, 3],
      [2, 2, 3],
      [2, 4, 2],
      [3, 1, 1],
      [3, 2, 4],
    ]);
  });

  it('DR5 stored rolls decide the turn on replay, without rolling again', () => {
    const b = board('shuffle', makeTeams(3), makePool(6));
    const first = settle(b, seededRandom(7));
    const replayed = derivePosition(first.board);
    expect(replayed.turn!.teamId).toBe(first.position.turn!.teamId);
    expect(replayed.turn!.rolls).toEqual(first.rolls);
    expect(tieWinner([1, 2, 3], first.rolls)).toBe(first.position.turn!.teamId);
  });

  it('DR5 a seeded source gives the same rolls every time, and only values 1 to 6', () => {
    const roll = (seed: number) => Array.from({ length: 200 }, seededRandom(seed).d6);
    expect(roll(42)).toEqual(roll(42));
    expect(roll(42)).not.toEqual(roll(43));
    expect(new Set(roll(42))).toEqual(new Set([1, 2, 3, 4, 5, 6]));
  });

  it('DR5 no rolls when one team is lowest', () => {
    const b = board(
      'shuffle',
      makeTeams(3, (i) => 1000 + i),
      makePool(6),
    );
    expect(derivePosition(b).turn).toMatchObject({ teamId: 1, tied: [], rolls: [] });
    expect(settle(b, noDice).rolls).toEqual([]);
  });
});

describe('completion', () => {
  it.each([
    ['every team full, players left over', 'normal', 3, 4, 10, 9],
    ['the pool runs out first', 'snake', 3, 5, 7, 7],
    ['exactly enough players', 'shuffle', 2, 5, 8, 8],
    ['an empty pool', 'normal', 2, 5, 0, 0],
    ['teams of one (the captain) are full at once', 'snake', 4, 1, 6, 0],
  ] as const)('DR8 %s', (_name, style, teams, teamSize, poolSize, expectedPicks) => {
    let b = settle(board(style, makeTeams(teams), makePool(poolSize), teamSize), seededRandom(1)).board;
    for (let i = 0; i < expectedPicks; i++) {
      const position = derivePosition(b);
      expect(position.complete, `complete before pick ${i + 1}`).toBe(false);
      b = applyPick(b, position.available.at(-1)!.userId, seededRandom(i + 2)).board;
    }
    const end = derivePosition(b);
    expect(end.complete).toBe(true);
    expect(end.turn).toBeNull();
    expect(end.available).toHaveLength(poolSize - expectedPicks);
  });

  it('DR8 a pick after completion is refused', () => {
    const b = runDraft(board('normal', makeTeams(2), makePool(4), 2), noDice).board;
    expect(() => applyPick(b, 3, noDice)).toThrow(/no team is on turn/);
  });
});

describe('undo', () => {
  it.each(['normal', 'snake', 'shuffle'] as const)('DR6 %s: undoing each pick restores the exact position before it', (style) => {
    // Equal captains and players in pairs: shuffle ties (and rolls) all the way through.
    const teams = makeTeams(4);
    const pool = makePool(16, (i) => 3000 - Math.floor(i / 2) * 100);
    let b = settle(board(style, teams, pool), seededRandom(3)).board;
    for (let n = 0; ; n++) {
      const before = derivePosition(b);
      if (before.complete) break;
      const after = applyPick(b, before.available[n % before.available.length]!.userId, seededRandom(100 + n));
      const undone = undoLastPick(after.board)!;
      expect(undone.undone).toEqual(after.pick);
      expect(undone.board).toEqual(b);
      expect(derivePosition(undone.board)).toEqual(before);
      b = after.board;
    }
  });

  it('DR6 undo drops the rolls made after the undone pick and keeps those that decided it', () => {
    const teams = makeTeams(2);
    const pool = makePool(4, () => 1000);
    // Pick 1: tie (rolls 5, 2) → team 1; after it team 2 is lowest; after pick 2 tie again (rolls 1, 6).
    let b = settle(board('shuffle', teams, pool, 3), dice(5, 2)).board;
    b = applyPick(b, 1, noDice).board;
    b = applyPick(b, 2, dice(1, 6)).board;
    expect(b.rolls.map((r) => r.pickNumber)).toEqual([1, 1, 3, 3]);
    expect(derivePosition(b).turn!.teamId).toBe(2);
    const undone = undoLastPick(b)!;
    expect(undone.board.rolls.map((r) => r.pickNumber)).toEqual([1, 1]);
    expect(derivePosition(undone.board).turn).toMatchObject({ pickNumber: 2, teamId: 2 });
    const again = undoLastPick(undone.board)!;
    expect(derivePosition(again.board).turn).toMatchObject({ pickNumber: 1, teamId: 1, tied: [1, 2] });
    expect(undoLastPick(again.board)).toBeNull();
  });
});

describe('stored rosters', () => {
  it('picks that no longer replay (a team reordered under them) still show on their teams, with no turn', () => {
    const b = {
      ...board('normal', makeTeams(2), makePool(4), 3),
      picks: [
        { pickNumber: 1, teamId: 2, userId: 1 },
        { pickNumber: 2, teamId: 9, userId: 2 },
      ],
    };
    expect(() => derivePosition(b)).toThrow(/belongs to team 1/);
    const shown = storedRosters(b);
    expect(shown.teams.map((t) => t.members.map((m) => m.userId))).toEqual([[1000], [1001, 1]]);
    expect(shown.available.map((p) => p.userId)).toEqual([2, 3, 4]);
    expect(shown.turn).toBeNull();
  });
});

describe('auto-pick', () => {
  const available = [
    { userId: 5, mmr: 3000 },
    { userId: 6, mmr: 4000 },
    { userId: 7, mmr: 4000 },
    { userId: 8, mmr: 1000 },
  ];
  it.each([
    ['no queue: the highest MMR (lowest id on a tie)', [], 6],
    ['the first queued player still available', [8, 5], 8],
    ['queued players already picked are passed over', [1, 2, 5], 5],
    ['a queue of gone players falls back to the highest MMR', [1, 2], 6],
  ] as [string, number[], number][])('DR7 %s', (_name, queue, expected) => {
    expect(autoPickChoice(available, queue)!.userId).toBe(expected);
  });
  it('DR7 nothing left: no choice', () => {
    expect(autoPickChoice([], [1])).toBeNull();
  });
});

describe('balance preview', () => {
  it('normal: greedy picks in fixed order give the first team the edge', () => {
    const teams = makeTeams(2, () => 0);
    const pool = makePool(4, (i) => [400, 300, 200, 100][i]!);
    expect(previewBalance('normal', 3, teams, pool)).toEqual([
      { teamId: 1, total: 600, members: [1000, 1, 3] },
      { teamId: 2, total: 400, members: [1001, 2, 4] },
    ]);
  });
  it('snake: the reversed rounds even it out', () => {
    const teams = makeTeams(2, () => 0);
    const pool = makePool(4, (i) => [400, 300, 200, 100][i]!);
    expect(previewBalance('snake', 3, teams, pool)).toEqual([
      { teamId: 1, total: 500, members: [1000, 1, 4] },
      { teamId: 2, total: 500, members: [1001, 2, 3] },
    ]);
  });
  it('counts the captains and stops when the pool runs out', () => {
    const teams = makeTeams(3, (i) => [100, 200, 300][i]!);
    const preview = previewBalance(
      'snake',
      5,
      teams,
      makePool(4, () => 1000),
    );
    expect(preview.map((t) => t.total)).toEqual([1100, 1200, 2300]);
  });
});

describe('whole drafts (property)', () => {
  const style = fc.constantFrom<DraftStyle>('normal', 'snake', 'shuffle');
  it('DR8 DR3 a full draft never gives a player twice, never overfills, and ends exactly when every team is full or the pool is empty', () => {
    fc.assert(
      fc.property(
        style,
        fc.integer({ min: 2, max: 12 }),
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.integer({ min: 0, max: 12000 }), { maxLength: 80 }),
        fc.array(fc.integer({ min: 0, max: 12000 }), { minLength: 12, maxLength: 12 }),
        fc.integer(),
        fc.array(fc.nat(), { minLength: 80, maxLength: 80 }),
        (st, teamCount, teamSize, poolMmrs, captainMmrs, seed, choices) => {
          const teams = makeTeams(teamCount, (i) => captainMmrs[i]!);
          const pool = poolMmrs.map((mmr, i) => ({ userId: i + 1, mmr }));
          const random = seededRandom(seed);
          let b = settle(board(st, teams, pool, teamSize), random).board;
          let picks = 0;
          for (;;) {
            const position = derivePosition(b);
            const allFull = position.teams.every((t) => t.members.length === teamSize);
            expect(position.complete).toBe(allFull || position.available.length === 0);
            if (position.complete) break;
            const choice = position.available[choices[picks % choices.length]! % position.available.length]!;
            b = applyPick(b, choice.userId, random).board;
            picks++;
          }
          const end = derivePosition(b);
          const drafted = end.teams.flatMap((t) => t.members.slice(1).map((m) => m.userId));
          expect(new Set(drafted).size).toBe(drafted.length);
          expect(drafted.length).toBe(Math.min(pool.length, teamCount * (teamSize - 1)));
          for (const t of end.teams) expect(t.members.length).toBeLessThanOrEqual(teamSize);
          expect(end.available.length + drafted.length).toBe(pool.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
