import { rooms } from '$shared/rooms';
import { realtime } from './realtime';

/**
 * Keeps a page's copy of a tournament current: joins the tournament's room and calls
 * `refetch` whenever the room moves past the seq the page last read. Refetching over REST
 * (rather than applying each event) is safe because the server invalidates its caches
 * before it broadcasts. Returns a function that leaves the room.
 */
export function followTournament(id: number, seenSeq: () => number | undefined, refetch: () => void): () => void {
  const client = realtime();
  const name = rooms.tournament(id);
  const room = client.room(name);
  let requested = -1;
  const stop = room.subscribe((view) => {
    const seen = seenSeq();
    // Still loading the first copy: that read will include whatever happened.
    if (view.seq === null || seen === undefined) return;
    if (view.seq > Math.max(seen, requested)) {
      requested = view.seq;
      refetch();
    }
  });
  return () => {
    stop();
    void client.leave(name);
  };
}
