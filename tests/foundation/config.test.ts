import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config';
import { createHub } from '../../server/app';
import { killAll, ROOT, runUntilExit, spawnHub, tempDir } from './hub-process';

const DISCORD = { DISCORD_CLIENT_ID: '123456789012345678', DISCORD_CLIENT_SECRET: 'discord-client-secret-0123' };
const SESSION_SECRET = 'session-secret-that-is-long-enough-0123456789';
const PRODUCTION = { NODE_ENV: 'production', ...DISCORD, SESSION_SECRET };

/** The ConfigError loadConfig throws for `env` (fails the test if it does not throw one). */
function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('defaults: port 3000, SQLite file ./data/dtx.sqlite, no Redis, no Discord, development login on', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      production: false,
      host: '0.0.0.0',
      port: 3000,
      publicUrl: 'http://localhost:3000',
      database: { client: 'sqlite', filename: './data/dtx.sqlite' },
      redis: undefined,
      discord: undefined,
      devLogin: true,
      clientDist: './dist/client',
      logLevel: 'info',
      rateLimits: { loginPerMinute: 20, mutationsPerMinute: 300 },
    });
  });

  it('an empty value means "not set" (PORT= in an env file keeps the default)', () => {
    const config = loadConfig({ PORT: '', DATABASE_URL: '', REDIS_URL: '', SESSION_SECRET: '', RATE_LIMIT_LOGIN_PER_MINUTE: '' });
    expect(config.port).toBe(3000);
    expect(config.database.client).toBe('sqlite');
    expect(config.redis).toBeUndefined();
    expect(config.rateLimits.loginPerMinute).toBe(20);
  });

  it('DATABASE_URL switches to PostgreSQL and REDIS_URL switches Redis on', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://hub:pw@db:5432/dtx', REDIS_URL: 'redis://cache:6379', REDIS_PREFIX: 'x:' });
    expect(config.database).toEqual({ client: 'pg', url: 'postgres://hub:pw@db:5432/dtx' });
    expect(config.redis).toEqual({ url: 'redis://cache:6379', prefix: 'x:' });
  });

  it('PUBLIC_URL follows PORT when not set, and loses a trailing slash when set', () => {
    expect(loadConfig({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ PUBLIC_URL: 'https://hub.example.org/' }).publicUrl).toBe('https://hub.example.org');
  });

  it('Discord configured: the development login is off by default, role lists are parsed', () => {
    const config = loadConfig({ ...DISCORD, DISCORD_GUILD_ID: '223456789012345678', DISCORD_STAFF_ROLE_IDS: '323456789012345678, 423456789012345678' });
    expect(config.devLogin).toBe(false);
    expect(config.discord).toMatchObject({
      clientId: DISCORD.DISCORD_CLIENT_ID,
      guildId: '223456789012345678',
      staffRoleIds: ['323456789012345678', '423456789012345678'],
      adminRoleIds: [],
      apiBase: 'https://discord.com/api/v10',
    });
  });

  it('DEV_LOGIN=off turns it off; DEV_LOGIN=on keeps it outside production even with Discord', () => {
    expect(loadConfig({ DEV_LOGIN: 'off' }).devLogin).toBe(false);
    expect(loadConfig({ DEV_LOGIN: 'on', ...DISCORD }).devLogin).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test', DEV_LOGIN: 'on' }).devLogin).toBe(true);
  });

  it('AU4 production with Discord configured never enables the development login', () => {
    const config = loadConfig(PRODUCTION);
    expect(config.production).toBe(true);
    expect(config.devLogin).toBe(false);
    expect(loadConfig({ ...PRODUCTION, DEV_LOGIN: 'auto' }).devLogin).toBe(false);
    expect(loadConfig({ ...PRODUCTION, DEV_LOGIN: 'off' }).devLogin).toBe(false);
  });

  // Each case: the environment, the variable the message must name, and a secret it must not show.
  const cases: { name: string; env: Record<string, string>; variable: string; secret?: string }[] = [
    { name: 'PORT=abc', env: { PORT: 'abc' }, variable: 'PORT' },
    { name: 'PORT=70000', env: { PORT: '70000' }, variable: 'PORT' },
    { name: 'PORT=-1', env: { PORT: '-1' }, variable: 'PORT' },
    { name: 'NODE_ENV=staging', env: { NODE_ENV: 'staging' }, variable: 'NODE_ENV' },
    { name: 'DATABASE_URL=mysql://…', env: { DATABASE_URL: 'mysql://root:hunter2pw@db:3306/dtx' }, variable: 'DATABASE_URL', secret: 'hunter2pw' },
    { name: 'DATABASE_URL=sqlite file path', env: { DATABASE_URL: './data/dtx.sqlite' }, variable: 'DATABASE_URL' },
    { name: 'REDIS_URL=http://…', env: { REDIS_URL: 'http://:redispass99@localhost:6379' }, variable: 'REDIS_URL', secret: 'redispass99' },
    { name: 'DISCORD_CLIENT_ID without DISCORD_CLIENT_SECRET', env: { DISCORD_CLIENT_ID: DISCORD.DISCORD_CLIENT_ID }, variable: 'DISCORD_CLIENT_SECRET' },
    {
      name: 'DISCORD_CLIENT_SECRET without DISCORD_CLIENT_ID',
      env: { DISCORD_CLIENT_SECRET: DISCORD.DISCORD_CLIENT_SECRET },
      variable: 'DISCORD_CLIENT_ID',
      secret: DISCORD.DISCORD_CLIENT_SECRET,
    },
    { name: 'DISCORD_CLIENT_SECRET too short', env: { ...DISCORD, DISCORD_CLIENT_SECRET: 'sh0rt!' }, variable: 'DISCORD_CLIENT_SECRET', secret: 'sh0rt!' },
    {
      name: 'DISCORD_CLIENT_ID not numeric',
      env: { ...DISCORD, DISCORD_CLIENT_ID: 'my-app' },
      variable: 'DISCORD_CLIENT_ID',
      secret: DISCORD.DISCORD_CLIENT_SECRET,
    },
    { name: 'DISCORD_GUILD_ID not numeric', env: { ...DISCORD, DISCORD_GUILD_ID: 'dtx' }, variable: 'DISCORD_GUILD_ID', secret: DISCORD.DISCORD_CLIENT_SECRET },
    { name: 'DISCORD_STAFF_ROLE_IDS not ids', env: { DISCORD_STAFF_ROLE_IDS: '123456789012345678,staff' }, variable: 'DISCORD_STAFF_ROLE_IDS' },
    { name: 'DISCORD_PUBLIC_KEY not 64 hex characters', env: { DISCORD_PUBLIC_KEY: 'abc123' }, variable: 'DISCORD_PUBLIC_KEY' },
    { name: 'DC1 DISCORD_BOT_TOKEN not a token', env: { DISCORD_BOT_TOKEN: 'not-a-token' }, variable: 'DISCORD_BOT_TOKEN', secret: 'not-a-token' },
    { name: 'DC1 DISCORD_ANNOUNCE_CHANNEL_ID not numeric', env: { DISCORD_ANNOUNCE_CHANNEL_ID: '#announcements' }, variable: 'DISCORD_ANNOUNCE_CHANNEL_ID' },
    { name: 'DC1 DISCORD_STAFF_CHANNEL_ID not numeric', env: { DISCORD_STAFF_CHANNEL_ID: 'staff' }, variable: 'DISCORD_STAFF_CHANNEL_ID' },
    { name: 'DC1 DISCORD_APPLICATION_ID not numeric', env: { DISCORD_APPLICATION_ID: 'app' }, variable: 'DISCORD_APPLICATION_ID' },
    { name: 'DISCORD_API_BASE not a URL', env: { DISCORD_API_BASE: 'discord' }, variable: 'DISCORD_API_BASE' },
    { name: 'SESSION_SECRET too short', env: { SESSION_SECRET: 'too-short-secret' }, variable: 'SESSION_SECRET', secret: 'too-short-secret' },
    { name: 'PUBLIC_URL=ftp://…', env: { PUBLIC_URL: 'ftp://hub.example.org' }, variable: 'PUBLIC_URL' },
    { name: 'LOG_LEVEL=loud', env: { LOG_LEVEL: 'loud' }, variable: 'LOG_LEVEL' },
    { name: 'DEV_LOGIN=yes', env: { DEV_LOGIN: 'yes' }, variable: 'DEV_LOGIN' },
    { name: 'TRUST_PROXY=lots', env: { TRUST_PROXY: 'lots' }, variable: 'TRUST_PROXY' },
    { name: 'RATE_LIMIT_MUTATIONS_PER_MINUTE=0', env: { RATE_LIMIT_MUTATIONS_PER_MINUTE: '0' }, variable: 'RATE_LIMIT_MUTATIONS_PER_MINUTE' },
    { name: 'NODE_ENV=production without Discord', env: { NODE_ENV: 'production', SESSION_SECRET }, variable: 'DISCORD_CLIENT_ID', secret: SESSION_SECRET },
    {
      name: 'NODE_ENV=production without SESSION_SECRET',
      env: { NODE_ENV: 'production', ...DISCORD },
      variable: 'SESSION_SECRET',
      secret: DISCORD.DISCORD_CLIENT_SECRET,
    },
    { name: 'AU4 NODE_ENV=production with DEV_LOGIN=on', env: { ...PRODUCTION, DEV_LOGIN: 'on' }, variable: 'DEV_LOGIN', secret: SESSION_SECRET },
  ];

  for (const { name, env, variable, secret } of cases) {
    it(`${name}: one line naming ${variable}, no secret shown`, () => {
      const message = configError(env);
      expect(message).not.toContain('\n');
      expect(message.startsWith(`${variable}:`), message).toBe(true);
      if (secret) expect(message).not.toContain(secret);
      expect(message).not.toContain(DISCORD.DISCORD_CLIENT_SECRET);
    });
  }

  it('DC1 the bot is off without DISCORD_BOT_TOKEN, and on with its channels and the shared API base', () => {
    expect(loadConfig({ DISCORD_ANNOUNCE_CHANNEL_ID: '223456789012345678' }).discordBot).toBeUndefined();
    const bot = loadConfig({
      DISCORD_BOT_TOKEN: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.abcdefghijklmnopqrstuvwxyz0123456789',
      DISCORD_APPLICATION_ID: '123456789012345678',
      DISCORD_GUILD_ID: '323456789012345678',
      DISCORD_ANNOUNCE_CHANNEL_ID: '423456789012345678',
      DISCORD_API_BASE: 'http://127.0.0.1:9/api/v10/',
    }).discordBot;
    expect(bot).toEqual({
      token: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.abcdefghijklmnopqrstuvwxyz0123456789',
      applicationId: '123456789012345678',
      guildId: '323456789012345678',
      announceChannelId: '423456789012345678',
      staffChannelId: undefined,
      apiBase: 'http://127.0.0.1:9/api/v10',
      // The login's role ids, for a refresh asked from a user's page (DC44).
      adminRoleIds: [],
      staffRoleIds: [],
    });
  });

  it('several wrong values still make one line, about the first', () => {
    const message = configError({ PORT: 'abc', LOG_LEVEL: 'loud', REDIS_URL: 'http://x' });
    expect(message).not.toContain('\n');
    expect(message).toMatch(/^[A-Z_]+: /);
  });
});

describe('the configuration is documented', () => {
  // The variable names of EnvSchema, read from the source so a new variable cannot go unnoticed.
  const source = fs.readFileSync(path.join(ROOT, 'server/config.ts'), 'utf8');
  const schema = source.slice(source.indexOf('const EnvSchema'), source.indexOf('\n});', source.indexOf('const EnvSchema')));
  const variables = [...schema.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);

  it('finds the variables', () => {
    expect(variables).toContain('PORT');
    expect(variables).toContain('DATABASE_URL');
  });

  it('.env.example and docs/configuration.md describe every variable', () => {
    const example = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8');
    const docs = fs.readFileSync(path.join(ROOT, 'docs/configuration.md'), 'utf8');
    expect(
      variables.filter((v) => !new RegExp(`^#? ?${v}=`, 'm').test(example)),
      '.env.example',
    ).toEqual([]);
    // A row of the table, not a mention in passing: | `NAME` | default | what it does |
    expect(
      variables.filter((v) => !new RegExp(`^\\| \`${v}\` \\|`, 'm').test(docs)),
      'docs/configuration.md',
    ).toEqual([]);
  });
});

describe('the hub process refuses a bad configuration', () => {
  const dirs: { remove(): void }[] = [];
  afterAll(() => {
    killAll();
    for (const d of dirs) d.remove();
  });
  const sqliteEnv = () => {
    const tmp = tempDir();
    dirs.push(tmp);
    return { SQLITE_FILE: path.join(tmp.dir, 'hub.sqlite'), HOST: '127.0.0.1', PORT: '0' };
  };

  const refused: { name: string; env: Record<string, string>; variable: string; secret?: string }[] = [
    { name: 'PORT=abc', env: { PORT: 'abc' }, variable: 'PORT' },
    { name: 'DATABASE_URL=mysql://…', env: { DATABASE_URL: 'mysql://root:hunter2pw@127.0.0.1/dtx' }, variable: 'DATABASE_URL', secret: 'hunter2pw' },
    { name: 'SESSION_SECRET too short', env: { SESSION_SECRET: 'too-short-secret' }, variable: 'SESSION_SECRET', secret: 'too-short-secret' },
    { name: 'DISCORD_CLIENT_ID without its secret', env: { DISCORD_CLIENT_ID: DISCORD.DISCORD_CLIENT_ID }, variable: 'DISCORD_CLIENT_SECRET' },
    { name: 'AU4 NODE_ENV=production with DEV_LOGIN=on', env: { ...PRODUCTION, DEV_LOGIN: 'on' }, variable: 'DEV_LOGIN', secret: SESSION_SECRET },
  ];

  for (const { name, env, variable, secret } of refused) {
    it(`${name}: exit code 78, one line on stderr naming ${variable}, no stack trace`, async () => {
      const base = sqliteEnv();
      const run = await runUntilExit({ ...base, ...env });
      expect(run.code, run.stderr).toBe(78);
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toContain(variable);
      expect(lines[0]).not.toMatch(/\bat .*:\d+|Error:|node:internal/);
      if (secret) expect(run.stderr + run.stdout).not.toContain(secret);
      // It stopped before touching the database.
      expect(fs.existsSync(base.SQLITE_FILE)).toBe(false);
    });
  }

  it('AU4 NODE_ENV=production with Discord configured never offers the development login', async () => {
    const base = sqliteEnv();
    const env = { ...base, ...PRODUCTION, LOG_LEVEL: 'info', CLIENT_DIST: path.join(path.dirname(base.SQLITE_FILE), 'no-client') };
    const hub = spawnHub(env);
    try {
      const url = `http://127.0.0.1:${await hub.port}`;
      const page = await fetch(`${url}/auth/dev`, { redirect: 'manual' });
      expect(page.status).toBe(404);
      expect(((await page.json()) as { error: { code: string } }).error.code).toBe('not_found');

      const me = (await (await fetch(`${url}/api/me`)).json()) as { user: unknown; login: { devLogin: boolean; discord: boolean } };
      expect(me.user).toBeNull();
      expect(me.login).toEqual({ devLogin: false, discord: true });

      // A forged sign-in does not log anybody in either.
      const post = await fetch(`${url}/auth/dev`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'mallory', role: 'admin' }),
        redirect: 'manual',
      });
      expect([403, 404]).toContain(post.status);
      expect(post.headers.get('set-cookie') ?? '').not.toContain('dtx.sid');
    } finally {
      const exit = await hub.stop();
      expect(exit.code, hub.stderr()).toBe(0);
    }
  });
});

describe('createHub', () => {
  it('AU4 refuses a production configuration with the development login forced on', async () => {
    const tmp = tempDir();
    try {
      const file = path.join(tmp.dir, 'hub.sqlite');
      const config = { ...loadConfig({ ...PRODUCTION, SQLITE_FILE: file, LOG_LEVEL: 'silent' }), devLogin: true };
      await expect(createHub(config)).rejects.toThrow(/development login/);
      expect(fs.existsSync(file)).toBe(false);
    } finally {
      tmp.remove();
    }
  });
});
