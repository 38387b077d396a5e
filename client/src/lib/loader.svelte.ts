import { ApiError, errorMessage } from './api';

/** One piece of server data a page shows: the latest answer, or why there is none. */
export class Loader<T> {
  data = $state.raw<T | undefined>(undefined);
  error = $state<string | null>(null);
  status = $state<number | null>(null);
  loading = $state(false);
  #fetch: () => Promise<T>;
  #generation = 0;

  constructor(fetcher: () => Promise<T>) {
    this.#fetch = fetcher;
  }

  /** Reloads; an answer that arrives after a newer request started is dropped. */
  async load(): Promise<void> {
    const generation = ++this.#generation;
    this.loading = true;
    try {
      const data = await this.#fetch();
      if (generation !== this.#generation) return;
      this.data = data;
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
