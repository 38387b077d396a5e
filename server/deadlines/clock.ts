/** Time as the hub sees it: real in production, driven by hand in tests. */
export interface Clock {
  now(): number;
  /** Calls `run` once `now() >= at`; returns a cancel function. */
  setTimer(at: number, run: () => void): () => void;
}

/** setTimeout caps at ~24.8 days: longer waits re-arm. */
const MAX_TIMEOUT = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(at, run) {
    let timer: ReturnType<typeof setTimeout>;
    const arm = () => {
      const wait = at - Date.now();
      timer = setTimeout(wait > MAX_TIMEOUT ? arm : run, Math.max(0, Math.min(wait, MAX_TIMEOUT)));
      timer.unref?.();
    };
    arm();
    return () => clearTimeout(timer);
  },
};

/** A clock that moves only when told to; due timers run in time order as it passes them. */
export class ManualClock implements Clock {
  private timers: { at: number; run: () => void; id: number }[] = [];
  private nextId = 0;
  constructor(private current: number = Date.now()) {}

  now() {
    return this.current;
  }
  setTimer(at: number, run: () => void) {
    if (at <= this.current) {
      // Already due (as a real timer of 0 ms would be): run soon, not on the next advance.
      const timer = setTimeout(run, 0);
      return () => clearTimeout(timer);
    }
    const id = ++this.nextId;
    this.timers.push({ at, run, id });
    return () => {
      this.timers = this.timers.filter((t) => t.id !== id);
    };
  }
  /** Moves time forward, running every timer that falls due on the way (including ones they set). */
  advance(ms: number) {
    const end = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.run();
    }
    this.current = end;
  }
  /** Timers waiting (for tests that check what is armed). */
  pending(): number {
    return this.timers.length;
  }
}
