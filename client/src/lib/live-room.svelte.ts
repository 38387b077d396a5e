import type { Ack } from '$shared/errors';
import type { Presence, SocketCommandInput, SocketCommandName, SocketCommandResults, WireEvent } from '$shared/realtime';
import { Loader } from './loader.svelte';
import { realtime, type RoomView } from './realtime';
import { ServerClock } from './server-clock.svelte';

export interface LiveRoomOptions<T> {
  /** The room whose seq says when the page's copy is out of date. */
  room: () => string;
  /** The REST read of the copy. An answer with `serverTime` sets the clock. */
  read: () => Promise<T>;
  /**
   * Applies one of the room's events to the copy (the room kind's reducer from shared/live):
   * the room then keeps the copy current itself, and reads a fresh snapshot when an event does
   * not apply. Without it the copy is read again over REST whenever the room moves past it
   * (safe: the server invalidates its caches before it broadcasts).
   */
  reduce?: (copy: T, event: WireEvent) => T;
  /** The copy inside a command's answer, when the answer is one (others are the page's). */
  fromAck?: (data: unknown) => T | undefined;
  /** Other reads the room's events change: loaded with the copy and again whenever it is. */
  also?: readonly { load(): unknown }[];
  /** Leave the first read to the room's first answer (the page shows a copy from a list meanwhile). */
  lazy?: boolean;
  /** Keep `clock.now` ticking, for countdowns. */
  countdown?: boolean;
}

/** A copy's seq (the room's when it was read), when it has one. */
const seqOf = (value: unknown): number | undefined => {
  const seq = (value as { seq?: unknown } | undefined)?.seq;
  return typeof seq === 'number' ? seq : undefined;
};

/** Newer copies win, whichever way they arrive (REST read, room event, command answer). */
const newer = <T>(next: T, current: T | undefined) => {
  const a = seqOf(next);
  const b = seqOf(current);
  return current === undefined || a === undefined || b === undefined || a >= b;
};

/**
 * A page's live copy of one room's data: read over REST, kept current through the room (which
 * resyncs itself after a gap or a reconnect), newest seq wins. Also the page's one way to send
 * a room command: `busy` and `actionError` for the buttons, the answer's copy taken, the
 * server clock measured from its `serverTime`.
 */
export class LiveRoom<T> {
  presence = $state.raw<Presence | undefined>(undefined);
  busy = $state(false);
  actionError = $state<string | null>(null);
  readonly clock = new ServerClock();
  readonly #copy: Loader<T>;
  readonly #options: LiveRoomOptions<T>;
  #roomSeq: number | null = null;
  /** The highest room seq a read was started for (or known to include). */
  #requested = -1;

  constructor(options: LiveRoomOptions<T>) {
    this.#options = options;
    this.#copy = new Loader(async () => {
      const sentAt = Date.now();
      const read = await options.read();
      const serverTime = (read as { serverTime?: unknown }).serverTime;
      if (typeof serverTime === 'string') this.clock.measure(serverTime, sentAt, Date.now());
      return read;
    }, newer);
  }

  get data(): T | undefined {
    return this.#copy.data;
  }
  get error(): string | null {
    return this.#copy.error;
  }
  /** The HTTP status of a failed read (404: no such thing). */
  get status(): number | null {
    return this.#copy.status;
  }

  /** Reads, joins the room, starts the clock; returns what undoes it (for onMount). */
  connect(): () => void {
    const client = realtime();
    const name = this.#options.room();
    const reduce = this.#options.reduce;
    if (!this.#options.lazy) this.#refresh();
    const room = client.room<T>(name, reduce ? { reduce } : {});
    const stopRoom = room.subscribe((view) => this.#onRoom(view));
    const stopClock = this.#options.countdown ? this.clock.start() : undefined;
    return () => {
      stopRoom();
      stopClock?.();
      void client.leave(name);
    };
  }

  /** Shows `next` unless the copy shown is newer. */
  take(next: T | undefined) {
    if (next !== undefined && newer(next, this.#copy.data)) this.#copy.data = next;
  }

  /**
   * Sends a room command. Not connected or no answer: an `unavailable` error, shown like any
   * other (a command is never queued behind the user's back).
   */
  async send<K extends SocketCommandName>(name: K, payload: SocketCommandInput<K>): Promise<Ack<SocketCommandResults[K]>> {
    this.busy = true;
    this.actionError = null;
    try {
      const sentAt = Date.now();
      const ack = await realtime().command(name, payload);
      // The answer says the hub's time too: a deadline's time left is right after every click.
      if (ack.serverTime) this.clock.measure(ack.serverTime, sentAt, Date.now());
      if (!ack.ok) this.actionError = ack.error.message;
      else this.take(this.#options.fromAck?.(ack.data));
      return ack;
    } finally {
      this.busy = false;
    }
  }

  #onRoom(view: RoomView<T>) {
    this.presence = view.presence;
    if (this.#options.reduce) return this.take(view.state);
    this.#roomSeq = view.seq;
    this.#catchUp();
  }

  /** Reads again when the room moved past both the copy and the last read asked for. */
  #catchUp() {
    const seq = this.#roomSeq;
    // Still reading the first copy: that read includes whatever happened (checked when it answers).
    if (seq === null || this.#options.reduce || (this.#copy.data === undefined && this.#copy.loading)) return;
    if (seq > Math.max(seqOf(this.#copy.data) ?? -1, this.#requested)) this.#refresh();
  }

  #refresh() {
    this.#requested = Math.max(this.#requested, this.#roomSeq ?? -1);
    void this.#copy.load().then(() => this.#catchUp());
    for (const other of this.#options.also ?? []) void other.load();
  }
}
