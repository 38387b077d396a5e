import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHub, type Hub } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { startFakeDiscord, type FakeDiscord } from '../support/fake-discord';
import { HttpClient } from '../support/http';
import { discordLogin } from './helpers';

const GUILD = '400000000000000002';
const SESSION_SECRET = 'a-session-secret-that-must-never-be-logged-0123456789';

/** A hub whose log lines (at trace level) are kept for inspection. */
describe('login logs', () => {
  const lines: string[] = [];
  let discord: FakeDiscord;
  let database: TestDatabase;
  let hub: Hub;
  let url: string;

  beforeAll(async () => {
    discord = await startFakeDiscord({ guildId: GUILD, clientSecret: 'client-secret-that-must-never-be-logged' });
    database = await createTestDatabase('sqlite');
    const config = loadConfig({
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'trace',
      SESSION_SECRET,
      ...database.env,
      ...discord.env(),
    });
    hub = await createHub(config, { logger: pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) }) });
    const port = await hub.listen();
    url = `http://127.0.0.1:${port}`;
    hub.services.config.publicUrl = url;
  });
  afterAll(async () => {
    await hub?.close();
    await database?.drop();
    await discord?.close();
  });

  it('name what failed at Discord but never a token, the client secret or the session secret', async () => {
    const failures = [
      ['token', { status: 500 }],
      ['token', { status: 400 }],
      ['me', { status: 401 }],
      ['member', { status: 500 }],
    ] as const;
    for (const [endpoint, failure] of failures) {
      discord.failNext(endpoint, failure);
      expect((await discordLogin(new HttpClient(url))).loginError).toBe('discord_error');
    }
    const ok = new HttpClient(url);
    expect((await discordLogin(ok)).loginError).toBeNull();

    const log = lines.join('');
    // The failures are in the log, with the endpoint and status.
    expect(log).toMatch(/"endpoint":"token","status":500/);
    expect(log).toMatch(/"endpoint":"member","status":500/);

    const bearerTokens = discord.requests.map((r) => /^Bearer (\S+)$/.exec(r.headers.authorization ?? '')?.[1]).filter((t): t is string => Boolean(t));
    expect(bearerTokens.length).toBeGreaterThan(0);
    for (const secret of [discord.env().DISCORD_CLIENT_SECRET!, SESSION_SECRET, ...bearerTokens]) {
      expect(log).not.toContain(secret);
    }
    const basic = discord.requests.find((r) => r.headers.authorization?.startsWith('Basic '))!.headers.authorization!;
    expect(log).not.toContain(basic.slice('Basic '.length));
  });
});
