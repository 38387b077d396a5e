/**
 * Counts work that has begun and not yet ended (commands, socket answers, HTTP requests), so a
 * shutdown can wait for it before closing what that work still needs.
 */
export class InFlight {
  private running = 0;
  private waiters: (() => void)[] = [];

  get size(): number {
    return this.running;
  }

  /** Marks one piece of work as started; the returned function ends it (calling it twice is harmless). */
  begin(): () => void {
    this.running++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--this.running === 0) {
        for (const wake of this.waiters) wake();
        this.waiters = [];
      }
    };
  }

  /** Resolves true once nothing is running, or false after timeoutMs. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.running === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
