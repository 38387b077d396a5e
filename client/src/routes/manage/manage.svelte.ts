import type { TournamentDetail } from '$shared/schemas/tournaments';
import { api, ApiError, call, errorMessage } from '../../lib/api';
import { Loader } from '../../lib/loader.svelte';

/**
 * The manage page's state: the tournament as last read, and one helper that runs a change,
 * reports its error and reads the tournament again (the server's answer is the truth).
 */
export class ManageState {
  readonly detail: Loader<TournamentDetail>;
  readonly id: number;
  busy = $state(false);

  constructor(id: number) {
    this.id = id;
    this.detail = new Loader(() => call(api.getTournament, { params: { tournamentId: id } }));
  }

  /** Runs one change; resolves to null on success, else the error (for field messages). */
  async change(action: () => Promise<unknown>): Promise<ApiError | Error | null> {
    this.busy = true;
    try {
      await action();
      await this.detail.load();
      return null;
    } catch (err) {
      // A conflict means someone else changed it first: show the current state.
      if (err instanceof ApiError && err.code === 'conflict') void this.detail.load();
      return err instanceof Error ? err : new Error(errorMessage(err));
    } finally {
      this.busy = false;
    }
  }
}
