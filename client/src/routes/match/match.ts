import { rooms } from '$shared/rooms';
import type { MatchView } from '$shared/schemas/steam';
import { api, call } from '../../lib/api';
import { realtime } from '../../lib/realtime';

/**
 * Follows one match room: whenever the room moves past the seq we last asked for, the match
 * is read again over REST (the server invalidates its caches before it broadcasts, so the read
 * includes the event). Answers that arrive after a newer request started are dropped.
 * Returns a function that leaves the room.
 */
export function followMatch(matchId: string, set: (view: MatchView) => void): () => void {
  const client = realtime();
  const name = rooms.match(Number(matchId));
  const room = client.room(name);
  let requested = -1;
  let generation = 0;
  const stop = room.subscribe((view) => {
    if (view.seq === null || view.seq <= requested) return;
    requested = view.seq;
    const mine = ++generation;
    call(api.getMatch, { params: { matchId } }).then(
      (v) => {
        if (mine === generation) set(v);
      },
      () => undefined, // not seen yet (404) or a blip: the next event asks again
    );
  });
  return () => {
    stop();
    void client.leave(name);
  };
}

export const minutes = (seconds: number) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
export const thousands = (n: number) => (Math.abs(n) >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n));
