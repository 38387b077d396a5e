/**
 * Presence readings of a room, taken in one at a time and newest first: each turn applies the
 * newest reading this process has had by the time the turn runs, so a turn that waited (behind
 * another, or on the database) never acts on a reading a newer one already contradicts, and an
 * older reading that arrives late is never applied at all. One per hub (HubServices).
 */
export class NewestReadings<T> {
  private readonly rooms = new Map<string, { latest: { version: number; reading: T }; applied: number; chain: Promise<void> }>();

  /**
   * Queues `apply` for the room. It is given `take()`, which returns the newest reading and marks
   * it applied; a turn finding the newest reading already applied does not run.
   */
  offer(room: string, version: number, reading: T, apply: (take: () => T) => Promise<void>): Promise<void> {
    let r = this.rooms.get(room);
    if (!r) this.rooms.set(room, (r = { latest: { version, reading }, applied: -Infinity, chain: Promise.resolve() }));
    else if (version > r.latest.version) r.latest = { version, reading };
    const entry = r;
    const turn = entry.chain.then(async () => {
      if (entry.latest.version <= entry.applied) return;
      await apply(() => {
        entry.applied = entry.latest.version;
        return entry.latest.reading;
      });
    });
    entry.chain = turn.catch(() => undefined);
    return turn;
  }
}
