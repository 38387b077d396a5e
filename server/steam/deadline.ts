/**
 * How long a person may still wait for Steam and OpenDota. One deadline is shared by every
 * upstream call a request makes, so the request as a whole answers (503 at worst) within it.
 */
export interface Deadline {
  /** Date.now() at which waiting ends. */
  readonly at: number;
  /** The whole budget, for messages. */
  readonly ms: number;
  /** Aborts when the budget is spent: stops a rate-limit wait and the fetch in flight. */
  readonly signal: AbortSignal;
}

export function deadlineIn(ms: number): Deadline {
  return { at: Date.now() + ms, ms, signal: AbortSignal.timeout(ms) };
}

export const remainingMs = (d: Deadline) => Math.max(0, d.at - Date.now());

/** Resolves with `work`, or rejects with `onTimeout()` when the deadline comes first. */
export function beforeDeadline<T>(work: Promise<T>, d: Deadline, onTimeout: () => Error): Promise<T> {
  if (d.signal.aborted) return Promise.reject(onTimeout());
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(onTimeout());
    d.signal.addEventListener('abort', stop, { once: true });
    work.then(
      (v) => {
        d.signal.removeEventListener('abort', stop);
        resolve(v);
      },
      (err: unknown) => {
        d.signal.removeEventListener('abort', stop);
        reject(err);
      },
    );
  });
}
