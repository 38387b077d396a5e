import type { Hero } from '$shared/schemas/herodraft';
import { api, call, errorMessage } from './api';

/**
 * The hub's heroes, fetched once per page load and shared by every page (hero draft, bracket,
 * match, player lookup). It asks for every hero, not only the Captains Mode ones: live and
 * finished games can hold heroes a draft does not offer. A hero the hub does not know (newer than
 * its dotaconstants) shows as `#id`.
 */
class HeroCatalogue {
  all = $state.raw<Hero[]>([]);
  /** Empty: images are off (HERO_IMAGE_BASE=off), text only. */
  imageBase = $state('');
  loaded = $state(false);
  error = $state<string | null>(null);
  byId = $derived(new Map(this.all.map((h) => [h.id, h])));
  /** What a Captains Mode draft offers, in name order. */
  captainsMode = $derived(this.all.filter((h) => h.captainsMode));
  #pending: Promise<void> | null = null;

  /** Fetches the list the first time; rejects when that fails, and the next call tries again. */
  load(): Promise<void> {
    this.#pending ??= call(api.listHeroes, { query: { scope: 'all' } }).then(
      (list) => {
        this.all = list.heroes;
        this.imageBase = list.imageBase;
        this.loaded = true;
        this.error = null;
      },
      (err: unknown) => {
        this.#pending = null;
        this.error = errorMessage(err);
        throw err;
      },
    );
    return this.#pending;
  }

  /** For pages that can show `#id` meanwhile: starts the fetch, never throws. */
  want(): void {
    this.load().catch(() => undefined);
  }

  get(id: number): Hero | undefined {
    return this.byId.get(id);
  }

  name(id: number): string {
    return this.byId.get(id)?.localizedName ?? `#${id}`;
  }

  image(hero: Hero): string | null {
    return this.imageBase && hero.img ? `${this.imageBase}${hero.img}` : null;
  }
}

export const heroCatalogue = new HeroCatalogue();
