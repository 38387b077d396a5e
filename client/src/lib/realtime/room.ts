import type { Ack, ApiErrorBody } from '../../../../shared/errors';
import type { JoinResult, Presence, WireEvent } from '../../../../shared/realtime';
import { Value, type Readable } from './store';

export type RoomStatus = 'joining' | 'live' | 'resyncing' | 'error' | 'left';

export interface RoomView<S> {
  room: string;
  status: RoomStatus;
  /** The last seq applied (null before the first snapshot). */
  seq: number | null;
  /** The snapshot with every later event applied through `reduce`. */
  state: S | undefined;
  presence: Presence | undefined;
  error: ApiErrorBody | undefined;
}

export interface RoomOptions<S> {
  /** Applies one event to the state; without it the state stays the last snapshot. */
  reduce?: (state: S, event: WireEvent) => S;
  /** How long an out-of-order event waits for the missing ones before a resync. */
  gapWaitMs?: number;
}

/** What a room store needs from the connection. */
export interface RoomTransport {
  join(room: string, lastSeq: number | undefined): Promise<Ack<JoinResult>>;
  connected(): boolean;
  syncing(room: RoomStore<unknown>, busy: boolean): void;
}

/**
 * One joined room: applies events in seq order, each exactly once. Events that arrive early
 * wait in a buffer; a gap that does not fill within gapWaitMs (or a room head ahead of us)
 * triggers a resync: `room:join` with the last applied seq, answered by the missed events
 * from the server's log or by a fresh snapshot.
 */
export class RoomStore<S = unknown> implements Readable<RoomView<S>> {
  private readonly view: Value<RoomView<S>>;
  private readonly listeners = new Set<(event: WireEvent) => void>();
  private readonly buffer = new Map<number, WireEvent>();
  private gapTimer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private inFlight = false;
  private left = false;
  private again = false;
  private seq: number | null = null;
  private state: S | undefined;
  /** An event could not be applied: nothing more is, until a snapshot replaces the state. */
  private broken = false;

  constructor(
    readonly room: string,
    private readonly transport: RoomTransport,
    private readonly options: RoomOptions<S> = {},
  ) {
    this.view = new Value<RoomView<S>>({ room, status: 'joining', seq: null, state: undefined, presence: undefined, error: undefined });
  }

  subscribe(run: (value: RoomView<S>) => void) {
    return this.view.subscribe(run);
  }
  get current(): RoomView<S> {
    return this.view.get();
  }
  /** Called once per applied event, in seq order (after the state was updated). */
  onEvent(listener: (event: WireEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** An event from the socket (live broadcast). */
  receive(event: WireEvent) {
    if (this.left) return;
    if (this.seq !== null && event.seq <= this.seq) return; // already applied
    this.buffer.set(event.seq, event);
    if (this.inFlight || this.seq === null) return; // applied once the join answers
    this.drain();
  }

  /** The server says the room is at `seq`: if we are behind, catch up from the log. */
  head(seq: number) {
    if (this.seq !== null && seq > this.seq && !this.buffer.has(this.seq + 1)) void this.sync();
  }

  presence(presence: Presence) {
    // Several processes report a room's presence: keep the latest reading.
    if (this.current.presence && presence.version <= this.current.presence.version) return;
    this.patch({ presence });
  }

  /** (Re)joins with the last applied seq; concurrent calls coalesce into one more round. */
  async sync(): Promise<void> {
    if (this.left) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    if (!this.transport.connected()) return; // the connection resyncs every room when it is back
    this.inFlight = true;
    clearTimeout(this.gapTimer);
    clearTimeout(this.retryTimer);
    this.transport.syncing(this as RoomStore<unknown>, true);
    if (this.seq !== null) this.patch({ status: 'resyncing' });
    try {
      const answer = await this.transport.join(this.room, this.seq ?? undefined);
      if (this.left) return;
      if (!answer.ok) {
        if (answer.error.code === 'unavailable' || answer.error.code === 'rate_limited' || answer.error.code === 'internal') {
          this.retryTimer = setTimeout(() => void this.sync(), 1000); // transient: try again
        } else {
          this.patch({ status: 'error', error: answer.error });
        }
        return;
      }
      const result = answer.data;
      if ('snapshot' in result) {
        this.state = result.snapshot as S;
        this.seq = result.seq;
        this.broken = false;
      } else {
        for (const event of result.events) if (!this.broken) this.apply(event);
        if (!this.broken) this.seq = Math.max(this.seq ?? 0, result.seq);
      }
      if (!this.broken) this.patch({ status: 'live', error: undefined, seq: this.seq, state: this.state });
    } finally {
      this.inFlight = false;
      this.transport.syncing(this as RoomStore<unknown>, false);
    }
    if (this.again) {
      this.again = false;
      void this.sync();
      return;
    }
    this.drain();
  }

  leave() {
    this.left = true;
    clearTimeout(this.gapTimer);
    clearTimeout(this.retryTimer);
    this.buffer.clear();
    this.patch({ status: 'left' });
  }

  /** Applies buffered events that follow on; waits briefly for a gap, then resyncs. */
  private drain() {
    if (this.seq === null) return;
    for (const seq of this.buffer.keys()) if (seq <= this.seq) this.buffer.delete(seq);
    let next: WireEvent | undefined;
    let changed = false;
    while ((next = this.buffer.get(this.seq + 1))) {
      this.buffer.delete(next.seq);
      this.apply(next);
      changed = true;
    }
    if (changed) this.patch({ seq: this.seq, state: this.state });
    clearTimeout(this.gapTimer);
    if (this.buffer.size > 0) this.gapTimer = setTimeout(() => void this.sync(), this.options.gapWaitMs ?? 300);
  }

  private apply(event: WireEvent) {
    if (this.broken) return; // waiting for a snapshot
    if (this.seq !== null && event.seq !== this.seq + 1) return; // never twice, never out of order
    if (this.options.reduce && this.state !== undefined) {
      try {
        this.state = this.options.reduce(this.state, event);
      } catch (err) {
        // An event this build cannot apply: never show a state it might have got wrong.
        console.warn(`room ${this.room}: ${err instanceof Error ? err.message : String(err)}; reading a fresh snapshot`);
        this.resnapshot();
        return;
      }
    }
    this.seq = event.seq;
    for (const listener of [...this.listeners]) listener(event);
  }

  /** Forgets the applied seq, so the next join answers with a snapshot rather than events. */
  private resnapshot() {
    this.seq = null;
    this.broken = true;
    this.buffer.clear();
    this.patch({ status: 'resyncing' });
    // Inside a join's answer, `sync` coalesces this into one more round.
    void this.sync();
  }

  private patch(changes: Partial<RoomView<S>>) {
    this.view.set({ ...this.current, ...changes });
  }
}
