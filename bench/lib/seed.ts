/**
 * Seeds what a scenario needs through the hub's own REST API, as a browser would: the
 * development login (CSRF token from GET /api/me first), then staff requests.
 */
import { HttpClient } from '../../tests/support/http';

export interface Captain {
  userId: number;
  teamId: number;
  cookie: string;
}

export interface SeededTournament {
  tournamentId: number;
  room: string;
  captains: Captain[];
  staffCookie: string;
}

async function ok<T = any>(what: string, res: Promise<{ status: number; body: T; text: string }>): Promise<T> {
  const r = await res;
  if (r.status >= 300) throw new Error(`seeding: ${what} answered ${r.status} ${r.text.slice(0, 300)}`);
  return r.body;
}

export async function login(url: string, username: string, role: 'admin' | 'staff' | 'member') {
  const client = new HttpClient(url);
  const user = await client.devLogin(username, role);
  return { client, userId: user.id };
}

let tournamentCounter = 0;

async function createTournament(staff: HttpClient, name: string): Promise<number> {
  const body = await ok(
    'create tournament',
    staff.post('/api/tournaments', { name, startsAt: new Date(Date.now() + 7 * 86400_000).toISOString(), teamSize: 5 }),
  );
  return body.id as number;
}

/**
 * A tournament with a pool of `poolSize` imported players and `captains` captains, each
 * with a team. Captains are also made tournament staff: renaming their team is the command
 * the fan-out scenarios send (repeatable, with a small event; see bench/README.md).
 */
export async function seedTournament(url: string, opts: { captains: number; poolSize: number; tag: string }): Promise<SeededTournament> {
  const staff = await login(url, `bench_staff_${opts.tag}`, 'staff');
  const tournamentId = await createTournament(staff.client, `Bench cup ${opts.tag} ${++tournamentCounter}`);
  if (opts.poolSize > 0) {
    const rows = Array.from(
      { length: opts.poolSize },
      (_, i) => `1${String(tournamentId).padStart(6, '0')}${String(i).padStart(10, '0')},bench_player_${tournamentId}_${i},${2000 + ((i * 137) % 4000)}`,
    );
    await ok('import pool', staff.client.post(`/api/tournaments/${tournamentId}/players/import`, { csv: ['discord_id,username,mmr', ...rows].join('\n') }));
  }
  const captains: Captain[] = [];
  for (let k = 1; k <= opts.captains; k++) {
    const cap = await login(url, `bench_cap${k}_${opts.tag}`, 'member');
    await ok('add captain to pool', staff.client.post(`/api/tournaments/${tournamentId}/players`, { userId: cap.userId, mmr: 5000 + k }));
    await ok('make captain staff', staff.client.post(`/api/tournaments/${tournamentId}/staff`, { userId: cap.userId }));
    const team = await ok('create team', staff.client.post(`/api/tournaments/${tournamentId}/teams`, { captainUserId: cap.userId, name: `Team ${k}` }));
    cap.client.resetToken();
    captains.push({ userId: cap.userId, teamId: team.id, cookie: cap.client.cookieHeader() });
  }
  return { tournamentId, room: `tournament:${tournamentId}`, captains, staffCookie: staff.client.cookieHeader() };
}

export interface SeededRooms {
  rooms: { room: string; tournamentId: number; teamId: number }[];
  staffUsername: string;
}

/**
 * Many small rooms: `count` tournaments with one team each (its captain a single bench
 * user), all created by one staff user, who is then tournament staff of every one.
 */
export async function seedManyRooms(url: string, count: number, concurrency = 6): Promise<SeededRooms> {
  const staffUsername = 'bench_rooms_staff';
  const staff = await login(url, staffUsername, 'staff');
  const cap = await login(url, 'bench_rooms_captain', 'member');
  const rooms: SeededRooms['rooms'] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const tournamentId = await createTournament(staff.client, `Bench room ${i}`);
      await ok('add captain', staff.client.post(`/api/tournaments/${tournamentId}/players`, { userId: cap.userId, mmr: 4000 }));
      const team = await ok('create team', staff.client.post(`/api/tournaments/${tournamentId}/teams`, { captainUserId: cap.userId, name: 'Room team' }));
      rooms.push({ room: `tournament:${tournamentId}`, tournamentId, teamId: team.id });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  rooms.sort((a, b) => a.tournamentId - b.tournamentId);
  return { rooms, staffUsername };
}
