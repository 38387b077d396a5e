/** The hub's clock as seen from here: measured on a REST read, then ticking locally. */
export class ServerClock {
  offsetMs = $state(0);
  now = $state(Date.now());
  #timer: ReturnType<typeof setInterval> | undefined;

  /** `serverTime` was read between `sentAt` and `receivedAt` (local): assume the middle. */
  measure(serverTime: string, sentAt: number, receivedAt: number) {
    this.offsetMs = Date.parse(serverTime) - (sentAt + receivedAt) / 2;
  }
  /** Redraws countdowns locally; the hub never broadcasts ticks, only deadlines. */
  start() {
    this.#timer ??= setInterval(() => (this.now = Date.now()), 250);
    return () => {
      clearInterval(this.#timer);
      this.#timer = undefined;
    };
  }
  serverNow() {
    return this.now + this.offsetMs;
  }
}
