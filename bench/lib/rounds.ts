import { liveChildren, livePlainPids } from './ipc';
import { exitedPids, mark, otherShare, waitForIdle } from './cpu';
import { median } from './stats';

export interface Round<T> {
  value: T;
  /** Idle share of the machine just before the round. */
  idleBefore: number;
  /** Share of the machine's CPU other people's work took during the round. */
  otherShare: number;
  clean: boolean;
}

export interface RoundOptions {
  minClean: number;
  maxRounds: number;
  /** Discard a round when other work took more than this share of the machine. */
  maxOther: number;
  idleThreshold: number;
  idleWaitMs: number;
  log: (line: string) => void;
}

/** Every round of the run, for the summary: how clean the machine was. */
export const tally = { rounds: 0, clean: 0, otherShares: [] as number[] };

export const ourPids = () => [process.pid, ...liveChildren().map((c) => c.pid), ...livePlainPids(), ...exitedPids()];

/**
 * Runs `round` (which itself interleaves the baseline and the hub: A B) until `minClean`
 * rounds were clean or `maxRounds` were run. Before each round, waits for the machine to be
 * idle; during it, measures how much CPU went to processes that are not ours.
 */
export async function runRounds<T>(label: string, opts: RoundOptions, round: (i: number) => Promise<T>): Promise<Round<T>[]> {
  const rounds: Round<T>[] = [];
  for (let i = 0; i < opts.maxRounds && rounds.filter((r) => r.clean).length < opts.minClean; i++) {
    const idleBefore = await waitForIdle(opts.idleThreshold, opts.idleWaitMs);
    const before = mark(ourPids());
    const value = await round(i);
    const other = otherShare(before, mark(ourPids()));
    const clean = idleBefore >= opts.idleThreshold && other <= opts.maxOther;
    rounds.push({ value, idleBefore, otherShare: other, clean });
    tally.rounds++;
    if (clean) tally.clean++;
    tally.otherShares.push(other);
    opts.log(
      `  ${label} round ${i + 1}: idle before ${(idleBefore * 100).toFixed(0)} %, other work ${(other * 100).toFixed(0)} % → ${clean ? 'clean' : 'discarded'}`,
    );
  }
  return rounds;
}

/**
 * The rounds to report: the clean ones whenever there is one (flagged when fewer than
 * `minClean`), else all of them, flagged: the figures were taken under contention.
 */
export function usable<T>(rounds: Round<T>[], minClean: number): { rounds: Round<T>[]; contended: boolean } {
  const clean = rounds.filter((r) => r.clean);
  if (clean.length === 0) return { rounds, contended: true };
  return { rounds: clean, contended: clean.length < Math.min(minClean, rounds.length) };
}

export const medianOf = <T>(rounds: Round<T>[], pick: (v: T) => number) => median(rounds.map((r) => pick(r.value)).filter((x) => Number.isFinite(x)));
