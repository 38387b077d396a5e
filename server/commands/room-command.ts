import type { Knex } from 'knex';
import type { Actor } from '../auth/actor';
import type { HubServices } from '../services';
import type { CommandTx } from './command';
import { conflict } from './errors';

/**
 * A command on one room (a player draft, a hero draft) inside the bus's transaction: the room
 * is locked, and `rows` were loaded under that lock, so they are what the previous command
 * committed.
 */
export interface RoomCommand<Rows> {
  readonly hub: HubServices;
  readonly tx: CommandTx;
  /** The id the room is named by (a player draft's tournament, a hero draft). */
  readonly id: number;
  readonly room: string;
  /** The room's seq when the command locked it, before its first event. */
  readonly seq: number;
  /** The hub's clock when the command began: one instant for all its rules. */
  readonly now: number;
  rows: Rows;
  /** The command wrote something `rows` do not show yet: `emitWithView` loads them again first. */
  stale: boolean;
}

/** What the helper needs to know about one kind of room. */
export interface RoomCommandKind<Rows, View> {
  /** The room's name, e.g. "the hero draft", for refusals. */
  name: string;
  roomOf(id: number): string;
  load(db: Knex, id: number): Promise<Rows>;
  status(rows: Rows): string;
  /** The public view at `seq`: the command's answer, and what its event's effect is read from. */
  view(db: Knex, rows: Rows, seq: number): View | Promise<View>;
  /**
   * The payload of an event of type `type` that leaves the room at `view`: its effect
   * (`details` and what the rules derived), which the room kind's reducer in shared/live applies.
   */
  payload(view: View, type: string, details: Record<string, unknown>): Record<string, unknown>;
  /** Runs after each event the helper emits, given its seq. */
  afterEmit?(cmd: RoomCommand<Rows>, seq: number): Promise<void>;
}

export interface RoomCommands<Rows, View> {
  /** Locks the room, checking the seq the caller saw (409 when it moved on), and loads its rows. */
  begin(hub: HubServices, tx: CommandTx, id: number, expectedSeq?: number): Promise<RoomCommand<Rows>>;
  /** One command of the bus on the room: `begin`, then `execute`. */
  run<T>(hub: HubServices, actor: Actor | null, id: number, expectedSeq: number | undefined, execute: (cmd: RoomCommand<Rows>) => Promise<T>): Promise<T>;
  /** 409 unless the room's status is one of `allowed`. */
  requireStatus(cmd: RoomCommand<Rows>, allowed: readonly string[], doing: string): void;
  /** Loads the rows again, after writes they do not show. */
  reload(cmd: RoomCommand<Rows>): Promise<void>;
  /** Appends the room's next event (its payload from `details` and the new view), and answers the view. */
  emitWithView(cmd: RoomCommand<Rows>, type: string, details?: Record<string, unknown>): Promise<View>;
}

/** The scaffolding every command of one kind of room shares: lock and load, status checks, events with the fresh view. */
export function roomCommands<Rows, View>(kind: RoomCommandKind<Rows, View>): RoomCommands<Rows, View> {
  async function begin(hub: HubServices, tx: CommandTx, id: number, expectedSeq?: number): Promise<RoomCommand<Rows>> {
    const room = kind.roomOf(id);
    const seq = await tx.lock(room, expectedSeq);
    const rows = await kind.load(tx.db, id);
    return { hub, tx, id, room, seq, now: hub.clock.now(), rows, stale: false };
  }

  async function reload(cmd: RoomCommand<Rows>) {
    cmd.rows = await kind.load(cmd.tx.db, cmd.id);
    cmd.stale = false;
  }

  return {
    begin,
    reload,
    run: (hub, actor, id, expectedSeq, execute) => hub.commands.run(actor, async (tx) => execute(await begin(hub, tx, id, expectedSeq))),
    requireStatus(cmd, allowed, doing) {
      const status = kind.status(cmd.rows);
      if (!allowed.includes(status)) throw conflict(`cannot ${doing} while ${kind.name} is ${status} (only when ${allowed.join(' or ')})`);
    },
    async emitWithView(cmd, type, details = {}) {
      const seq = (await cmd.tx.lock(cmd.room)) + 1;
      if (cmd.stale) await reload(cmd);
      const view = await kind.view(cmd.tx.db, cmd.rows, seq);
      await cmd.tx.emit(cmd.room, type, kind.payload(view, type, details));
      await kind.afterEmit?.(cmd, seq);
      return view;
    },
  };
}
