import { rooms } from '../../shared/rooms';
import type { HeroDraftGraceEvent } from '../../shared/schemas/herodraft';
import type { CommandTx } from '../commands/command';
import type { Deadline } from '../deadlines/deadlines';
import type { HubServices } from '../services';
import { msOf } from './herodraft.load';
import { HeroDraft } from './herodraft.model';
import { type HeroDraftCommand, heroDraftRoom, patchHeroDraft, pauseNow } from './herodraft.room';

type Participants = { userId: number; connected: boolean }[];

/**
 * CM6/CM7: the room's presence changed (any process, any tab). While drafting, a captain with
 * no connection left starts the grace period; back in time (any tab) clears it. Presence is
 * per user across processes, so a second tab never counts as a disconnect. RT10/RT13: while
 * presence cannot be believed (Redis away, or settling after it came back) an absence starts
 * nothing; the tracker broadcasts the room again once it can.
 */
export function onCaptainPresence(hub: HubServices, id: number, participants: Participants, version: number): Promise<void> {
  // One reading at a time per room, the newest this process has had (NewestReadings).
  return hub.presenceReadings.offer(rooms.heroDraft(id), version, participants, (take) => applyPresence(hub, id, take));
}

/** `reading` gives the newest reading of this process (and marks it taken in). */
async function applyPresence(hub: HubServices, id: number, reading: () => Participants) {
  const current = await HeroDraft.query(hub.db).findById(id).select('status', 'graceDueAtMs');
  if (!current) return;
  const graceSet = current.graceDueAtMs !== null;
  if (current.status !== 'drafting' && !graceSet) return;
  // One process (no Redis) applies its readings in order: this one agreeing with the draft
  // settles it. With several, the decision is only taken under the room's lock: a check here
  // could miss the grace another process is setting right now, and leave it pending.
  if (!hub.redis && current.status === 'drafting' && reading().some((p) => !p.connected) === graceSet) return;
  await heroDraftRoom.run(hub, null, id, undefined, async (cmd) => {
    const d = cmd.rows.draft;
    const now = await captainsAway(hub, cmd, reading());
    if (d.status === 'drafting' && now.away.length > 0 && d.graceDueAtMs === null) {
      // An absence in a reading that cannot be believed (Redis away, or presence settling after
      // it came back) starts nothing: the reading broadcast once presence has settled decides.
      if (!now.trusted) return;
      await patchHeroDraft(cmd, { graceDueAtMs: cmd.now + hub.config.heroDraft.graceMs });
    } else if ((now.away.length === 0 || d.status !== 'drafting') && d.graceDueAtMs !== null) {
      await patchHeroDraft(cmd, { graceDueAtMs: null });
    } else {
      return;
    }
    await announceGrace(cmd, now.away);
  });
}

/**
 * The teams (0/1) whose captain has no connection. On Redis, from a fresh reading taken under
 * the room's lock: several processes judge one draft, and of two the later reads the later
 * state (the reading each broadcast may reach the database in either order). Without Redis
 * there is one process, and its newest reading (given) is current and always believed.
 */
async function captainsAway(hub: HubServices, cmd: HeroDraftCommand, broadcast?: Participants): Promise<{ away: (0 | 1)[]; trusted: boolean }> {
  const tracker = hub.redis ? hub.presence : undefined;
  let connected: (userId: number) => boolean;
  let trusted = true;
  if (tracker) {
    const reading = await tracker.check(cmd.room);
    const seen = new Set(reading.presence.viewers.map((v) => v.id));
    connected = (userId) => seen.has(userId);
    trusted = reading.trusted;
  } else {
    connected = (userId) => broadcast?.some((p) => p.userId === userId && p.connected) ?? false;
  }
  return { away: ([0, 1] as const).filter((team) => !connected(cmd.rows.teams[team].captainUserId)), trusted };
}

/**
 * An event, so every screen (and every cached read) shows "pausing in N s" or its end at
 * once; it also (re)arms the pause deadline at the room's new seq.
 */
async function announceGrace(cmd: HeroDraftCommand, away: (0 | 1)[]) {
  const graceDueAtMs = msOf(cmd.rows.draft.graceDueAtMs);
  const details: Omit<HeroDraftGraceEvent, 'set'> = { graceDueAt: graceDueAtMs === null ? null : new Date(graceDueAtMs).toISOString(), away };
  await heroDraftRoom.emitWithView(cmd, 'herodraft.grace', details);
}

/**
 * CM6: the grace is over. On Redis the pause is decided on a fresh reading: a captain back on
 * another process (whose reading may not have arrived) clears it; while presence cannot be
 * believed (Redis away or settling) the pause is put off by another grace period, announced,
 * rather than taken for connected captains that only look gone.
 */
export async function expireGrace(hub: HubServices, tx: CommandTx, deadline: Deadline) {
  const id = Number(deadline.room.slice(deadline.room.indexOf(':') + 1));
  const cmd = await heroDraftRoom.begin(hub, tx, id);
  if (cmd.rows.draft.status !== 'drafting' || cmd.rows.draft.graceDueAtMs === null) return;
  if (hub.redis) {
    const now = await captainsAway(hub, cmd);
    if (now.away.length === 0) {
      await patchHeroDraft(cmd, { graceDueAtMs: null });
      return announceGrace(cmd, now.away);
    }
    if (!now.trusted) {
      await patchHeroDraft(cmd, { graceDueAtMs: cmd.now + hub.config.heroDraft.graceMs });
      return announceGrace(cmd, now.away);
    }
  }
  await pauseNow(cmd, 'a captain disconnected');
}
