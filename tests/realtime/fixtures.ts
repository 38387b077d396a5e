import { expect } from 'vitest';
import type { HttpClient } from '../support/http';
import type { TestHub } from '../support/hub';
import type { TestSocket } from '../support/socket';

export type Client = HttpClient & { userId: number };

let counter = 0;
/** A unique name per call (tests in one file share a database). */
export const unique = (prefix: string) => `${prefix}${process.pid}x${++counter}`;

/** A tournament made over REST by `staff`, with `players` logged-in users in its pool. */
export async function tournamentWithPool(t: TestHub, staff: HttpClient, players: number) {
  const res = await staff.post('/api/tournaments', { name: unique('Cup '), startsAt: '2030-05-01T18:00:00Z' });
  expect(res.status, res.text).toBe(201);
  const id = res.body.id as number;
  const users: Client[] = [];
  for (let i = 0; i < players; i++) {
    const user = await t.login(unique('p'));
    const added = await staff.post(`/api/tournaments/${id}/players`, { userId: user.userId, mmr: (i + 1) * 1000 });
    expect(added.status, added.text).toBe(201);
    users.push(user);
  }
  return { id, room: `tournament:${id}`, users };
}

/** The room's events as stored in the log. */
export async function loggedEvents(t: TestHub, room: string) {
  const rows = await t.hub.services.db('events').where({ room }).orderBy('seq');
  return rows.map((e) => ({ seq: Number(e.seq), type: e.type as string }));
}

/** A unique Redis prefix per test, so parallel runs never share keys or channels. */
export const redisPrefix = () => `dtx-test:${process.pid}:${Date.now().toString(36)}:${++counter}:`;

/** Resolves with the first value of a store (Svelte store contract) that passes `check`. */
export function until<T>(store: { subscribe(run: (value: T) => void): () => void }, check: (value: T) => boolean, what: string, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    let done = false;
    let stop: (() => void) | undefined;
    const timer = setTimeout(() => {
      done = true;
      stop?.();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    stop = store.subscribe((value) => {
      if (done || !check(value)) return;
      done = true;
      clearTimeout(timer);
      queueMicrotask(() => stop?.());
      resolve(value);
    });
    if (done) stop();
  });
}

/**
 * A socket's events of the test's own making (type test.*, optionally of one room). The
 * tournament's setup events, broadcast through Redis, may reach a socket after it joined: its
 * snapshot already has them and the client library drops them by seq; TestSocket records all.
 */
export const testEvents = (s: TestSocket, room?: string) => s.events.filter((e) => e.type.startsWith('test.') && (room === undefined || e.room === room));
export const untilTestEvents = (s: TestSocket, room: string | undefined, count: number) =>
  s.until(() => testEvents(s, room).length >= count, `${count} test events`);
