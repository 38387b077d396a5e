import { rooms } from '$shared/rooms';
import type { LiveGame, MatchView } from '$shared/schemas/steam';
import { api, call } from '../../lib/api';
import { realtime } from '../../lib/realtime';

/**
 * Follows one match room: live scoreboard events update the view in place; an import or a
 * bracket link refetches the match over REST (the server invalidates before it broadcasts).
 * Returns a function that leaves the room.
 */
export function followMatch(matchId: string, set: (view: MatchView) => void): () => void {
  const client = realtime();
  const name = rooms.match(Number(matchId));
  const room = client.room<MatchView>(name, {
    reduce: (state, e) => (e.type === 'live.updated' || e.type === 'live.finished' ? { ...state, live: e.payload as LiveGame } : state),
  });
  const stopView = room.subscribe((view) => {
    if (view.state) set(view.state);
  });
  const stopEvents = room.onEvent((e) => {
    if (!e.type.startsWith('match.')) return;
    call(api.getMatch, { params: { matchId } }).then(set, () => undefined);
  });
  return () => {
    stopView();
    stopEvents();
    void client.leave(name);
  };
}

export const minutes = (seconds: number) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
export const thousands = (n: number) => (Math.abs(n) >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n));
