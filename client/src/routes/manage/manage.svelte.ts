import type { DraftRead } from '$shared/schemas/draft';
import type { z } from 'zod';
import type { TournamentDetail } from '$shared/schemas/tournaments';
import { api, ApiError, call, errorMessage } from '../../lib/api';
import { Loader } from '../../lib/loader.svelte';

/**
 * The manage page's state: the tournament as last read, and one helper that runs a change,
 * reports its error and reads the tournament again (the server's answer is the truth).
 */
export class ManageState {
  readonly detail: Loader<TournamentDetail>;
  /** The player draft, for the state stepper: opening it is what moves the tournament to 'drafting'. */
  readonly draft: Loader<z.infer<typeof DraftRead>>;
  readonly id: number;
  busy = $state(false);

  constructor(id: number) {
    this.id = id;
    this.detail = new Loader(() => call(api.getTournament, { params: { tournamentId: id } }));
    this.draft = new Loader(() => call(api.getDraft, { params: { tournamentId: id } }));
  }

  /** Reads the tournament and its draft again. */
  async load(): Promise<void> {
    await Promise.all([this.detail.load(), this.draft.load()]);
  }

  /** Runs one change; resolves to null on success, else the error (for field messages). */
  async change(action: () => Promise<unknown>): Promise<ApiError | Error | null> {
    this.busy = true;
    try {
      await action();
      await this.load();
      return null;
    } catch (err) {
      // A conflict means someone else changed it first: show the current state.
      if (err instanceof ApiError && err.code === 'conflict') void this.load();
      return err instanceof Error ? err : new Error(errorMessage(err));
    } finally {
      this.busy = false;
    }
  }
}
