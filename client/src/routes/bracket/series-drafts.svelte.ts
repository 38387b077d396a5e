import type { HeroDraftView } from '$shared/schemas/herodraft';
import { api, call } from '../../lib/api';
import { Loader } from '../../lib/loader.svelte';

/** A draft that can still change: its page is where to watch it. */
export const isRunning = (d: HeroDraftView) => d.status !== 'completed' && d.status !== 'abandoned';

/**
 * The tournament's Captains Mode drafts grouped by bracket series, for the bracket page. Hero
 * names come from the shared catalogue, fetched once a draft summary is shown.
 */
export class SeriesDrafts {
  readonly list: Loader<{ items: HeroDraftView[] }>;

  constructor(tournamentId: () => string | number) {
    this.list = new Loader(() => call(api.listHeroDrafts, { params: { tournamentId: tournamentId() } }));
  }

  bySeries = $derived.by(() => {
    const out = new Map<number, HeroDraftView[]>();
    for (const d of this.list.data?.items ?? []) {
      if (d.bracketMatchId === null) continue;
      out.set(d.bracketMatchId, [...(out.get(d.bracketMatchId) ?? []), d]);
    }
    return out;
  });

  of(seriesId: number): HeroDraftView[] {
    return this.bySeries.get(seriesId) ?? [];
  }
}
