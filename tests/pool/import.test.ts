import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../support/databases';
import { startHub, type TestHub } from '../support/hub';
import type { HttpClient } from '../support/http';

type Client = HttpClient & { userId: number };

const STEAM_BASE = 76561197960265728n;
const steam = (account: number) => String(STEAM_BASE + BigInt(account));
let nextDiscord = 300000000000000000n;
const discord = () => String(nextDiscord++);

describe.each(DATABASES)('player pool CSV import [%s]', (db) => {
  let t: TestHub;
  let staff: Client;
  let member: Client;

  beforeAll(async () => {
    t = await startHub({ db });
    staff = await t.login('sam', 'staff');
    member = await t.login('mia');
  });
  afterAll(() => t?.close());

  const knex = () => t.hub.services.db;
  async function tournament(): Promise<{ id: number; base: string }> {
    const res = await staff.post('/api/tournaments', { name: 'Import Cup', startsAt: '2026-12-05T18:00:00Z' });
    expect(res.status).toBe(201);
    return { id: res.body.id, base: `/api/tournaments/${res.body.id}` };
  }
  const importCsv = (base: string, csv: string, skipInvalid?: boolean, by: HttpClient = staff) =>
    by.post(`${base}/players/import`, skipInvalid === undefined ? { csv } : { csv, skipInvalid });
  const pool = async (id: number) =>
    (
      await knex()('pool_players')
        .join('users', 'users.id', 'pool_players.user_id')
        .where('pool_players.tournament_id', id)
        .orderBy('users.discord_id')
        .select('users.discord_id as discordId', 'pool_players.mmr as mmr')
    ).map((r) => [r.discordId, Number(r.mmr)]);
  const users = async () =>
    (await knex()('users').orderBy('id').select('id', 'discordId', 'username', 'steamId', 'mmr', 'positions', 'updatedAt')).map((u) => ({
      ...u,
      positions: typeof u.positions === 'string' ? JSON.parse(u.positions) : u.positions,
      updatedAt: String(u.updatedAt),
    }));
  const user = async (discordId: string) => (await users()).find((u) => u.discordId === discordId)!;
  const events = async (id: number) =>
    await knex()('events')
      .where({ room: `tournament:${id}` })
      .orderBy('seq')
      .select('seq', 'type', 'payload');
  // Written straight into the database on purpose: accounts come from a Discord login, and no
  // endpoint can make one with a chosen Discord id (the file names people by that id).
  async function existingUser(fields: Record<string, unknown>) {
    const d = discord();
    await knex()('users').insert({
      discordId: d,
      username: `own${d.slice(-3)}`,
      guildRoleIds: '[]',
      positions: JSON.stringify({ '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 }),
      ...fields,
    });
    return d;
  }

  it('imports new people as placeholder accounts keyed by Discord id, in one event', async () => {
    const { id, base } = await tournament();
    const [a, b, c] = [discord(), discord(), discord()];
    const csv = [
      'discord_id,username,mmr,steam_id,pos1,pos2,pos3,pos4,pos5',
      `${a},Alpha,5200,${steam(1001)},5,3,1,0,0`,
      `${b},"Bravo, the Second",4100,https://steamcommunity.com/profiles/${steam(1002)},,,,,`,
      `${c},Charlie,3000,1003,0,0,2,4,5`,
    ].join('\n');
    const seqBefore = (await t.client().get(base)).body.seq;
    const res = await importCsv(base, csv);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ imported: 3, createdUsers: 3, skipped: [] });
    expect(await pool(id)).toEqual([
      [a, 5200],
      [b, 4100],
      [c, 3000],
    ]);
    expect(await user(a)).toMatchObject({ username: 'Alpha', steamId: steam(1001), mmr: 5200, positions: { '1': 5, '2': 3, '3': 1, '4': 0, '5': 0 } });
    expect(await user(b)).toMatchObject({ username: 'Bravo, the Second', steamId: steam(1002), positions: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 } });
    expect((await user(c)).steamId).toBe(steam(1003)); // AU7: account id stored as the SteamID64

    const log = await events(id);
    expect(log.map((e) => e.type).slice(seqBefore)).toEqual(['pool.imported']);
    const payload = typeof log.at(-1)!.payload === 'string' ? JSON.parse(log.at(-1)!.payload) : log.at(-1)!.payload;
    expect(payload).toMatchObject({ imported: 3, createdUsers: 3, skipped: 0 });
    const detail = await t.client().get(base);
    expect(detail.body.seq).toBe(seqBefore + 1);
    expect(detail.body.players.map((p: { user: { discordId: string } }) => p.user.discordId)).toEqual([a, b, c]);
  });

  it("re-importing updates pool MMRs, creates no one, and a player's own profile wins over the sheet", async () => {
    const { id, base } = await tournament();
    const [a, b] = [discord(), discord()];
    const first = ['discord_id,username,mmr,steam_id,pos1,pos2,pos3,pos4,pos5', `${a},A,1000,${steam(2001)},1,1,1,1,1`, `${b},B,2000,,,,,,`].join('\n');
    expect((await importCsv(base, first)).body).toMatchObject({ imported: 2, createdUsers: 2 });
    const again = ['discord_id,mmr,steam_id,pos1,pos2,pos3,pos4,pos5', `${a},1500,${steam(2003)},5,5,5,5,5`, `${b},2500,${steam(2004)},2,2,2,2,2`].join('\n');
    const res = await importCsv(base, again);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ imported: 2, createdUsers: 0, skipped: [] });
    expect(await pool(id)).toEqual([
      [a, 1500],
      [b, 2500],
    ]);
    // a had a Steam id, MMR and positions: kept; b had none of Steam id and positions: filled
    expect(await user(a)).toMatchObject({ steamId: steam(2001), mmr: 1000, positions: { '1': 1, '2': 1, '3': 1, '4': 1, '5': 1 } });
    expect(await user(b)).toMatchObject({ steamId: steam(2004), mmr: 2000, positions: { '1': 2, '2': 2, '3': 2, '4': 2, '5': 2 } });
  });

  it('an existing account with its own profile keeps it; the sheet MMR is used for the pool only', async () => {
    const { id, base } = await tournament();
    const own = await existingUser({ steamId: steam(3001), mmr: 6000, positions: JSON.stringify({ '1': 0, '2': 5, '3': 0, '4': 0, '5': 0 }) });
    const before = await user(own);
    const res = await importCsv(base, `discord_id,username,mmr,steam_id,pos1,pos2,pos3,pos4,pos5\n${own},Renamed,4000,${steam(3002)},1,1,1,1,1\n`);
    expect(res.body).toEqual({ imported: 1, createdUsers: 0, skipped: [] });
    expect(await user(own)).toEqual(before);
    expect(await pool(id)).toEqual([[own, 4000]]);
  });

  it('RT2 any bad row refuses the whole file: 400 with every row issue, and nothing is written', async () => {
    const { id, base } = await tournament();
    const taken = await existingUser({ steamId: steam(4001) });
    const known = await existingUser({});
    expect((await importCsv(base, `discord_id,username,mmr\n${known},x,1111\n`)).status).toBe(200);
    const [good, noName, dup] = [discord(), discord(), discord()];
    const csv = [
      'discord_id,username,mmr,steam_id',
      `${good},Good,3000,`, // line 2: fine
      `${noName},,3000,`, // 3: unknown person without a username
      `${known},,9999,${steam(4001)}`, // 4: Steam id of another account
      `${dup},Dup,abc,`, // 5: bad MMR
      `${good},Again,3000,`, // 6: duplicate Discord id
      `not-a-snowflake,X,3000,`, // 7
    ].join('\n');
    const usersBefore = await users();
    const poolBefore = await pool(id);
    const eventsBefore = await events(id);
    const res = await importCsv(base, csv);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_payload');
    expect(res.body.error.message).toContain('nothing was imported');
    expect(res.body.error.issues.map((i: { path: unknown[] }) => i.path)).toEqual([
      ['rows', 3, 'username'],
      ['rows', 4, 'steam_id'],
      ['rows', 5, 'mmr'],
      ['rows', 6, 'discord_id'],
      ['rows', 7, 'discord_id'],
    ]);
    expect(res.body.error.issues[1].message).toContain('already linked to another account');
    expect(await users()).toEqual(usersBefore);
    expect(await pool(id)).toEqual(poolBefore);
    expect(await events(id)).toEqual(eventsBefore);
    expect(taken).toBeTruthy();
  });

  it('with skipInvalid the good rows are imported and the bad ones reported in skipped', async () => {
    const { id, base } = await tournament();
    const [a, b, c] = [discord(), discord(), discord()];
    const csv = ['discord_id,username,mmr', `${a},A,1000`, `${b},,2000`, '', `${c},"C, ""the"" third",30000`, `${discord()},D,4000`].join('\n');
    const res = await importCsv(base, csv, true);
    expect(res.status, res.text).toBe(200);
    expect(res.body.imported).toBe(2);
    expect(res.body.createdUsers).toBe(2);
    expect(res.body.skipped).toEqual([
      { line: 3, field: 'username', message: expect.stringContaining('username is required') },
      { line: 5, field: 'mmr', message: expect.any(String) },
    ]);
    expect((await pool(id)).map(([d]) => d)).toEqual([a, expect.any(String)]);
    expect((await users()).some((u) => u.discordId === b || u.discordId === c)).toBe(false);
  });

  it('with skipInvalid and no good row nothing is written and no event appended', async () => {
    const { id, base } = await tournament();
    const before = await events(id);
    const res = await importCsv(base, `discord_id,mmr\n${discord()},1000\n`, true);
    expect(res.body).toMatchObject({ imported: 0, createdUsers: 0, skipped: [{ line: 2, field: 'username' }] });
    expect(await events(id)).toEqual(before);
  });

  it('file-level problems answer 400 at body.csv; an empty or mistyped body too', async () => {
    const { id, base } = await tournament();
    for (const csv of [`${discord()},x,1000\n`, 'discord_id,name,mmr\n', 'discord_id,username\n', `discord_id,mmr\n"${discord()},1000\n`]) {
      const res = await importCsv(base, csv);
      expect(res.status, csv).toBe(400);
      expect(res.body.error.issues).toEqual([expect.objectContaining({ path: ['body', 'csv'] })]);
    }
    expect((await importCsv(base, '')).status).toBe(400);
    expect((await staff.post(`${base}/players/import`, { csv: 'discord_id,mmr\n', skipInvalid: 'yes' })).status).toBe(400);
    expect((await staff.post(`${base}/players/import`, { csv: 'discord_id,mmr\n', dryRun: true })).status).toBe(400);
    expect((await staff.post(`${base}/players/import`, {})).status).toBe(400);
    expect(await pool(id)).toEqual([]);
  });

  it('takes 1000 rows in one go and refuses 1001 with 413, writing nothing', async () => {
    const { id, base } = await tournament();
    const rows = (n: number) => ['discord_id,username,mmr', ...Array.from({ length: n }, (_, i) => `${discord()},bulk${i},${1000 + i}`)].join('\n');
    const usersBefore = (await users()).length;
    const big = await importCsv(base, rows(1001));
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    expect((await users()).length).toBe(usersBefore);
    const res = await importCsv(base, rows(1000));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ imported: 1000, createdUsers: 1000, skipped: [] });
    expect(await pool(id)).toHaveLength(1000);
    expect((await events(id)).filter((e) => e.type === 'pool.imported')).toHaveLength(1);
  });

  it('RT3 401 anonymous, 403 member, 404 unknown tournament; nothing is written', async () => {
    const { id, base } = await tournament();
    const csv = `discord_id,username,mmr\n${discord()},x,1000\n`;
    const usersBefore = await users();
    expect((await importCsv(base, csv, false, t.client())).status).toBe(401);
    const res = await importCsv(base, csv, false, member);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect((await importCsv('/api/tournaments/999999', csv)).status).toBe(404);
    expect(await users()).toEqual(usersBefore);
    expect(await pool(id)).toEqual([]);
  });

  it('RT4 two concurrent imports of the same new people: both succeed in turn, one account each', async () => {
    const { id, base } = await tournament();
    const [a, b] = [discord(), discord()];
    const csv = `discord_id,username,mmr\n${a},A,1000\n${b},B,2000\n`;
    const results = await Promise.all([importCsv(base, csv), importCsv(base, csv)]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(results.map((r) => r.body.createdUsers).sort()).toEqual([0, 2]);
    expect((await users()).filter((u) => u.discordId === a || u.discordId === b)).toHaveLength(2);
    expect(await pool(id)).toEqual([
      [a, 1000],
      [b, 2000],
    ]);
  });
});
