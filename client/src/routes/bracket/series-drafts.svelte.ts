import type { Hero, HeroDraftView, HeroList } from '$shared/schemas/herodraft';
import { api, call } from '../../lib/api';
import { Loader } from '../../lib/loader.svelte';

/** A draft that can still change: its page is where to watch it. */
export const isRunning = (d: HeroDraftView) => d.status !== 'completed' && d.status !== 'abandoned';

/**
 * The tournament's Captains Mode drafts grouped by bracket series, for the bracket page. The hero
 * list (names, images) is only fetched once someone opens a series.
 */
export class SeriesDrafts {
  readonly list: Loader<{ items: HeroDraftView[] }>;
  heroList = $state.raw<HeroList | null>(null);
  #heroesRequested = false;

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
  heroes = $derived(new Map<number, Hero>((this.heroList?.heroes ?? []).map((h) => [h.id, h])));
  imageBase = $derived(this.heroList?.imageBase ?? '');

  of(seriesId: number): HeroDraftView[] {
    return this.bySeries.get(seriesId) ?? [];
  }

  needHeroes() {
    if (this.#heroesRequested) return;
    this.#heroesRequested = true;
    call(api.listHeroes).then(
      (list) => (this.heroList = list),
      () => (this.#heroesRequested = false), // text tiles show '?' until a later open retries
    );
  }
}
