import { ApiError, errorMessage } from './api';

/** One piece of server data a page shows: the latest answer, or why there is none. */
export class Loader<T> {
  data = $state.raw<T | undefined>(undefined);
  error = $state<string | null>(null);
  status = $state<number | null>(null);
  loading = $state(false);
  #fetch: () => Promise<T>;
  #keep: (next: T, current: T | undefined) => boolean;
  #generation = 0;

  /** `keep`: whether an answer replaces the data shown (a live copy keeps the newest seq). */
  constructor(fetcher: () => Promise<T>, keep: (next: T, current: T | undefined) => boolean = () => true) {
    this.#fetch = fetcher;
    this.#keep = keep;
  }

  /** Reloads; an answer that arrives after a newer request started is dropped. */
  async load(): Promise<void> {
    const generation = ++this.#generation;
    this.loading = true;
    try {
      const data = await this.#fetch();
      if (generation !== this.#generation) return;
      if (this.#keep(data, this.data)) this.data = data;
      this.error = null;
      this.status = null;
    } catch (err) {
      if (generation !== this.#generation) return;
      this.error = errorMessage(err);
      this.status = err instanceof ApiError ? err.status : null;
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }
}
