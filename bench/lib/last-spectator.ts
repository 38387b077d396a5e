import type { Report } from './report';
import { medianOf, type Round } from './rounds';
import { median, percentile } from './stats';

/** What a round of a "command → last spectator" scenario gives: each sample's time, hub and bare side. */
interface LastSpectatorRound {
  hub: number[];
  base: number[];
}

/** p50 (the median of the rounds' medians) and p99 (over every sample pooled), hub and bare side. */
export function lastSpectatorFigures(rounds: Round<LastSpectatorRound>[]) {
  const pooled = (side: 'hub' | 'base') => rounds.flatMap((r) => r.value[side]);
  return {
    hubP50: medianOf(rounds, (v) => median(v.hub)),
    baseP50: medianOf(rounds, (v) => median(v.base)),
    hubP99: percentile(pooled('hub'), 99),
    baseP99: percentile(pooled('base'), 99),
  };
}

/** The two rows every such scenario reports: last spectator p50 (against its target) and p99, as ratios to the bare side. */
export function reportLastSpectator(
  report: Report,
  row: { scenario: string; variant: string; target: number; contended: boolean },
  f: ReturnType<typeof lastSpectatorFigures>,
) {
  const { scenario, variant, target, contended } = row;
  const ratio = f.hubP50 / f.baseP50;
  report.add({
    scenario,
    variant,
    metric: 'last spectator p50',
    value: f.hubP50,
    unit: 'ms',
    baseline: f.baseP50,
    ratio,
    target: `≤ ${target}×`,
    pass: ratio <= target,
    contended,
  });
  report.add({ scenario, variant, metric: 'last spectator p99', value: f.hubP99, unit: 'ms', baseline: f.baseP99, ratio: f.hubP99 / f.baseP99, contended });
}
