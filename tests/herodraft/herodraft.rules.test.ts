import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  availableHeroes,
  buildSequence,
  checkChoice,
  checkHero,
  choiceDue,
  coinToss,
  deduct,
  DEFAULT_TIMING,
  PRESETS,
  settleChoices,
  spend,
  teamOfStep,
  timeoutChoice,
  turnDeadline,
  type ChoiceState,
} from '../../server/herodraft/herodraft.rules';

/** The orders of domain.md, written out as "action teams" per phase. */
const EXPECTED: Record<string, string> = {
  '7.40': 'ban FFSSFSS | pick FS | ban FFS | pick SFFSSF | ban FSFS | pick FS',
  '7.34': 'ban FSSFSSF | pick FS | ban FFS | pick SFFSSF | ban FSSF | pick FS',
  '7.30': 'ban FSFS | pick FSSF | ban FSFSFS | pick SFFS | ban FSFS | pick FS',
  '7.00': 'ban FSFS | pick FSSF | ban SFSF | pick SFSF | ban SF | pick FS',
};

function render(preset: (typeof PRESETS)[number]) {
  const phases: string[] = [];
  let last = '';
  for (const s of buildSequence(preset).steps) {
    if (s.action !== last) phases.push(`${s.action} `);
    phases[phases.length - 1] += s.team;
    last = s.action;
  }
  return phases.join(' | ');
}

describe('sequences', () => {
  it.each(PRESETS)('CM1 preset %s has exactly the order of domain.md', (preset) => {
    expect(render(preset)).toBe(EXPECTED[preset]);
  });

  it('CM1 the default (7.40 – 7.42) has 24 steps, 7 bans and 5 picks per team; 7.00 has 20', () => {
    const steps = buildSequence('7.40').steps;
    expect(steps).toHaveLength(24);
    for (const team of ['F', 'S'] as const) {
      expect(steps.filter((s) => s.team === team && s.action === 'ban')).toHaveLength(7);
      expect(steps.filter((s) => s.team === team && s.action === 'pick')).toHaveLength(5);
    }
    expect(buildSequence('7.00').steps).toHaveLength(20);
  });

  it('CM1 first ban phase steps get 15 s, the others 30 s, reserve 130 s; timings are settable', () => {
    const seq = buildSequence('7.40');
    expect(seq.steps.slice(0, 7).every((s) => s.seconds === 15)).toBe(true);
    expect(seq.steps.slice(7).every((s) => s.seconds === 30)).toBe(true);
    expect(seq.reserveSeconds).toBe(130);
    const custom = buildSequence('7.34', { firstBanSeconds: 5, stepSeconds: 20, reserveSeconds: 60 });
    expect(custom.steps.map((s) => s.seconds)).toEqual([...Array(7).fill(5), ...Array(17).fill(20)]);
    expect(custom.reserveSeconds).toBe(60);
    expect(DEFAULT_TIMING).toEqual({ firstBanSeconds: 15, stepSeconds: 30, reserveSeconds: 130 });
  });

  it('whose turn: F is the first-pick team, S the other', () => {
    const [first] = buildSequence('7.40').steps;
    expect(teamOfStep(first!, 0)).toBe(0);
    expect(teamOfStep(first!, 1)).toBe(1);
    expect(teamOfStep({ team: 'S', action: 'ban', seconds: 1 }, 1)).toBe(0);
  });
});

describe('coin toss and choices', () => {
  it('CM2 the toss comes from the injected random source', () => {
    expect(coinToss({ int: () => 0 })).toBe(0);
    expect(coinToss({ int: () => 1 })).toBe(1);
  });

  const cases: { winner: 0 | 1; first: ['order' | 'side', string]; second: ['order' | 'side', string]; firstPick: 0 | 1; radiant: 0 | 1 }[] = [
    { winner: 0, first: ['order', 'first'], second: ['side', 'radiant'], firstPick: 0, radiant: 1 },
    { winner: 0, first: ['order', 'second'], second: ['side', 'dire'], firstPick: 1, radiant: 0 },
    { winner: 1, first: ['side', 'radiant'], second: ['order', 'first'], firstPick: 0, radiant: 1 },
    { winner: 1, first: ['side', 'dire'], second: ['order', 'second'], firstPick: 1, radiant: 0 },
  ];
  it.each(cases)('CM2 winner $winner takes $first, the other $second', (c) => {
    const s: ChoiceState = { tossWinner: c.winner, winnerChoice: null, loserChoice: null };
    const loser = c.winner === 0 ? 1 : 0;
    expect(choiceDue(s)).toEqual({ team: c.winner, kinds: ['order', 'side'] });
    expect(checkChoice(s, loser, { kind: c.first[0], value: c.first[1] as never })).toMatch(/winner chooses first/);
    expect(checkChoice(s, c.winner, { kind: c.first[0], value: c.first[1] as never })).toBeNull();
    s.winnerChoice = { kind: c.first[0], value: c.first[1] as never };
    // The winner can never take both.
    expect(checkChoice(s, c.winner, { kind: c.second[0], value: c.second[1] as never })).toMatch(/other captain/);
    expect(choiceDue(s)).toEqual({ team: loser, kinds: [c.second[0]] });
    expect(checkChoice(s, loser, { kind: c.first[0], value: c.first[1] as never })).toMatch(/remaining/);
    expect(checkChoice(s, loser, { kind: c.second[0], value: 'nonsense' as never })).toMatch(/choice is/);
    s.loserChoice = { kind: c.second[0], value: c.second[1] as never };
    expect(choiceDue(s)).toBeNull();
    expect(settleChoices(s)).toEqual({ firstPick: c.firstPick, radiant: c.radiant });
  });
});

describe('heroes', () => {
  const ids = new Set([1, 2, 3, 155]);
  it('CM3 a hero is used once; unknown ids are refused', () => {
    expect(checkHero(ids, [], 155)).toBeNull();
    expect(checkHero(ids, [{ heroId: 155 }], 155)).toMatch(/already/);
    expect(checkHero(ids, [], 4)).toMatch(/no hero/);
    expect(availableHeroes(ids, [{ heroId: 2 }, { heroId: null }])).toEqual([1, 3, 155]);
  });
  it('CM5 a timed-out ban is skipped; a timed-out pick is a random available hero', () => {
    expect(timeoutChoice('ban', [1, 3], { int: () => 1 })).toBeNull();
    expect(timeoutChoice('pick', [1, 3, 155], { int: () => 2 })).toBe(155);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 200 }), { minLength: 1 }), fc.nat(), (avail, r) => {
        const hero = timeoutChoice('pick', avail, { int: (n) => r % n });
        return avail.includes(hero!);
      }),
    );
  });
});

describe('timing', () => {
  const clock = { startedAt: 1000, stepMs: 30_000, reserveMs: 130_000 };
  it('CM4 step time runs first, then the reserve; the deadline is their sum', () => {
    expect(turnDeadline(clock)).toBe(161_000);
    expect(spend(clock, 11_000)).toEqual({ stepMs: 20_000, reserveMs: 130_000 });
    expect(spend(clock, 31_000)).toEqual({ stepMs: 0, reserveMs: 130_000 });
    expect(spend(clock, 41_000)).toEqual({ stepMs: 0, reserveMs: 120_000 });
    expect(spend(clock, 500_000)).toEqual({ stepMs: 0, reserveMs: 0 });
  });
  it('CM4 time before the step starts (a resume countdown) is not spent', () => {
    expect(spend(clock, 0)).toEqual({ stepMs: 30_000, reserveMs: 130_000 });
  });
  it('CM6 pause arithmetic: time left at pause is what the resumed step gets; paused time costs nothing', () => {
    const atPause = spend(clock, 36_000); // 5 s into the reserve
    expect(atPause).toEqual({ stepMs: 0, reserveMs: 125_000 });
    const resumed = { startedAt: 900_000 + 3_000, ...atPause }; // long pause, 3 s countdown
    expect(turnDeadline(resumed)).toBe(903_000 + 125_000);
    expect(spend(resumed, 903_000 + 1_000)).toEqual({ stepMs: 0, reserveMs: 124_000 });
  });
  it('CM4 penalty deduction never goes below zero', () => {
    expect(deduct(130_000, 30_000)).toBe(100_000);
    expect(deduct(10_000, 30_000)).toBe(0);
  });
  it('CM4 spending is monotone and never negative (property)', () => {
    fc.assert(
      fc.property(fc.nat(100_000), fc.nat(200_000), fc.nat(400_000), fc.nat(400_000), (stepMs, reserveMs, a, b) => {
        const c = { startedAt: 0, stepMs, reserveMs };
        const x = spend(c, Math.min(a, b));
        const y = spend(c, Math.max(a, b));
        return y.stepMs <= x.stepMs && y.reserveMs <= x.reserveMs && y.stepMs >= 0 && y.reserveMs >= 0 && (y.stepMs === 0 || y.reserveMs === reserveMs);
      }),
    );
  });
});
