import type { HeroDraftView } from '$shared/schemas/herodraft';

export interface Countdown {
  /** Before the step's clock starts (a resume countdown). */
  startsInMs: number;
  stepMs: number;
  reserveMs: number;
}

/** CM4 on the client: the step's own time first, then the reserve, from the stored turn clock. */
export function countdown(turn: NonNullable<HeroDraftView['turn']>, serverNow: number): Countdown {
  const startedAt = Date.parse(turn.startedAt);
  const elapsed = Math.max(0, serverNow - startedAt);
  return {
    startsInMs: Math.max(0, startedAt - serverNow),
    stepMs: Math.max(0, turn.stepMs - elapsed),
    reserveMs: Math.max(0, turn.reserveMs - Math.max(0, elapsed - turn.stepMs)),
  };
}

export const seconds = (ms: number) => {
  const s = Math.ceil(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}` : `${s}`;
};

export const ATTRIBUTES = [
  { value: '', label: 'All' },
  { value: 'str', label: 'Strength' },
  { value: 'agi', label: 'Agility' },
  { value: 'int', label: 'Intelligence' },
  { value: 'all', label: 'Universal' },
] as const;

/** One team's side of a finished (or reported) draft: what a compact summary shows. */
export interface DraftSummaryTeam {
  name: string;
  side: 'radiant' | 'dire' | null;
  picks: number[];
  bans: number[];
}
