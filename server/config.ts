import { z } from 'zod';

/** A configuration problem, reported as one line naming the variable. */
export class ConfigError extends Error {}

const csv = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  );
const snowflakes = csv.pipe(z.array(z.string().regex(/^\d{15,21}$/, 'expected comma-separated Discord ids')));
const url = z.url({ protocol: /^https?$/ });
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: optional(url),
  TRUST_PROXY: optional(z.coerce.number().int().min(0).max(10)),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Production deploys apply migrations once (a one-shot step) and start the hubs with this off.
  MIGRATE_ON_START: z.enum(['true', 'false']).default('true'),

  DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\//, 'expected postgres://user@host:port/database')),
  SQLITE_FILE: z.string().default('./data/dtx.sqlite'),
  REDIS_URL: optional(z.string().regex(/^rediss?:\/\//, 'expected redis://host:port')),
  REDIS_PREFIX: z.string().default('dtx:'),

  SESSION_SECRET: optional(z.string().min(32, 'must be at least 32 characters')),
  DISCORD_CLIENT_ID: optional(z.string().regex(/^\d{15,21}$/, 'expected the numeric application id')),
  DISCORD_CLIENT_SECRET: optional(z.string().min(8)),
  DISCORD_GUILD_ID: optional(z.string().regex(/^\d{15,21}$/, 'expected a numeric guild id')),
  DISCORD_ADMIN_ROLE_IDS: snowflakes,
  DISCORD_STAFF_ROLE_IDS: snowflakes,
  ADMIN_DISCORD_IDS: snowflakes,
  DISCORD_AUTHORIZE_URL: url.default('https://discord.com/oauth2/authorize'),
  DISCORD_TOKEN_URL: url.default('https://discord.com/api/oauth2/token'),
  DISCORD_API_BASE: url.default('https://discord.com/api/v10'),
  // The bot (notifications): all optional; without the token nothing is queued or sent.
  DISCORD_BOT_TOKEN: optional(z.string().regex(/^[\w-]+\.[\w-]+\.[\w-]+$/, "expected the bot token from the application's Bot page")),
  DISCORD_APPLICATION_ID: optional(z.string().regex(/^\d{15,21}$/, 'expected the numeric application id')),
  DISCORD_ANNOUNCE_CHANNEL_ID: optional(z.string().regex(/^\d{15,21}$/, 'expected a numeric channel id')),
  DISCORD_STAFF_CHANNEL_ID: optional(z.string().regex(/^\d{15,21}$/, 'expected a numeric channel id')),
  DISCORD_PUBLIC_KEY: optional(z.string().regex(/^[0-9A-Fa-f]{64}$/, 'expected the application public key: 64 hex characters from the Developer Portal')),
  DEV_LOGIN: z.enum(['auto', 'on', 'off']).default('auto'),

  CLIENT_DIST: z.string().default('./dist/client'),
  RATE_LIMIT_LOGIN_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  RATE_LIMIT_MUTATIONS_PER_MINUTE: z.coerce.number().int().min(1).default(300),

  // Realtime (Socket.IO): abuse limits, presence timing, replay depth, shutdown grace.
  RT_MAX_PAYLOAD_BYTES: z.coerce.number().int().min(1024).default(65_536),
  RT_SOCKET_COMMANDS_PER_SECOND: z.coerce.number().positive().default(10),
  RT_SOCKET_COMMAND_BURST: z.coerce.number().int().min(1).default(20),
  RT_USER_COMMANDS_PER_SECOND: z.coerce.number().positive().default(20),
  RT_USER_COMMAND_BURST: z.coerce.number().int().min(1).default(40),
  RT_ABUSE_STRIKES: z.coerce.number().int().min(1).default(10),
  RT_PRESENCE_THROTTLE_MS: z.coerce.number().int().min(10).default(500),
  RT_PRESENCE_HEARTBEAT_MS: z.coerce.number().int().min(100).default(5_000),
  // How many missed events a rejoin replays before a fresh snapshot is cheaper.
  RT_REPLAY_LIMIT: z.coerce.number().int().min(1).default(500),
  RT_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  // Open sockets per client address on one process (behind a proxy, set TRUST_PROXY); 0 = no limit.
  RT_MAX_SOCKETS_PER_ADDRESS: z.coerce.number().int().min(0).default(100),
  // Fan-out to this process's sockets: direct (frames written straight to idle WebSockets, using
  // Socket.IO internals; falls back to stock by itself if one is missing) or stock (as published).
  RT_FANOUT: z.enum(['direct', 'stock']).default('direct'),

  // Captains Mode: hero images (empty = text tiles only), disconnect grace, resume countdown.
  HERO_IMAGE_BASE: z.union([z.literal('off'), url]).default('https://cdn.cloudflare.steamstatic.com'),
  HERODRAFT_GRACE_MS: z.coerce.number().int().min(0).default(5_000),
  HERODRAFT_RESUME_COUNTDOWN_MS: z.coerce.number().int().min(0).default(3_000),

  // Steam and OpenDota: the key stays on the server; base URLs point tests at fakes.
  STEAM_API_KEY: optional(z.string().regex(/^[0-9A-Fa-f]{32}$/, 'expected the 32-character hex key from steamcommunity.com/dev/apikey')),
  STEAM_API_BASE: url.default('https://api.steampowered.com'),
  OPENDOTA_API_BASE: url.default('https://api.opendota.com/api'),
  STEAM_LEAGUE_IDS: csv.pipe(z.array(z.string().regex(/^[1-9]\d{0,9}$/, 'expected comma-separated league ids'))),
  STEAM_RATE_MS: z.coerce.number().int().min(10).default(1_000),
  STEAM_SEQ_RATE_MS: z.coerce.number().int().min(10).default(5_000),
  OPENDOTA_RATE_MS: z.coerce.number().int().min(10).default(1_000),
  STEAM_BACKOFF_MS: z.coerce.number().int().min(10).default(30_000),
  STEAM_LIVE_POLL_MS: z.coerce.number().int().min(20).default(15_000),
  STEAM_LEASE_MS: z.coerce.number().int().min(50).default(45_000),
  // The longest a person's request (lookup, linking; each call of an import) waits on Steam/OpenDota.
  STEAM_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(4_000),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  production: boolean;
  host: string;
  port: number;
  publicUrl: string;
  trustProxy: number | undefined;
  logLevel: Env['LOG_LEVEL'];
  /** Apply pending migrations before serving (off when a deploy step has applied them). */
  migrateOnStart: boolean;
  database: { client: 'sqlite'; filename: string } | { client: 'pg'; url: string };
  redis: { url: string; prefix: string } | undefined;
  sessionSecret: string | undefined;
  discord:
    | {
        clientId: string;
        clientSecret: string;
        guildId: string | undefined;
        adminRoleIds: string[];
        staffRoleIds: string[];
        authorizeUrl: string;
        tokenUrl: string;
        apiBase: string;
      }
    | undefined;
  /** The bot's REST side (notifications); undefined without DISCORD_BOT_TOKEN: nothing is queued. */
  discordBot:
    | {
        token: string;
        applicationId: string | undefined;
        guildId: string | undefined;
        /** Channels for announcements and staff notices; each undefined: those are not queued. */
        announceChannelId: string | undefined;
        staffChannelId: string | undefined;
        apiBase: string;
        /** DISCORD_ADMIN_ROLE_IDS / DISCORD_STAFF_ROLE_IDS, for a role refresh asked from a user's page (as at login). */
        adminRoleIds: string[];
        staffRoleIds: string[];
      }
    | undefined;
  adminDiscordIds: string[];
  /** The application's Ed25519 public key (hex): slash command requests are checked with it; undefined = the endpoint answers 503. */
  discordPublicKey: string | undefined;
  devLogin: boolean;
  clientDist: string;
  rateLimits: { loginPerMinute: number; mutationsPerMinute: number };
  realtime: {
    maxPayloadBytes: number;
    socketCommandsPerSecond: number;
    socketCommandBurst: number;
    userCommandsPerSecond: number;
    userCommandBurst: number;
    /** Invalid payloads and rate-limited commands a socket may send per minute before it is cut off. */
    abuseStrikes: number;
    presenceThrottleMs: number;
    /** A process whose heartbeat is 3 beats old is dead: its presence is dropped. */
    presenceHeartbeatMs: number;
    replayLimit: number;
    shutdownGraceMs: number;
    /** Open sockets one client address may hold on this process; 0 = no limit. */
    maxSocketsPerAddress: number;
    /** direct: the fast fan-out (server/realtime/internals.ts); stock: Socket.IO's adapters as published. */
    fanout: 'direct' | 'stock';
  };
  heroDraft: {
    /** Prefix of the heroes' img/icon paths; '' turns images off (text tiles). */
    imageBase: string;
    /** A captain away this long while drafting pauses the draft (a blip does not). */
    graceMs: number;
    /** After a resume, the step's clock starts again this much later. */
    resumeCountdownMs: number;
  };
  steam: {
    /** Undefined: live games and imports are off (the hub says so); lookups use OpenDota only. */
    apiKey: string | undefined;
    apiBase: string;
    openDotaBase: string;
    /** Leagues watched for live games besides those set on the hub's leagues. */
    leagueIds: number[];
    /** Minimum gap between two calls, hub-wide: Steam, GetMatchHistoryBySequenceNum, OpenDota. */
    rateMs: number;
    sequenceRateMs: number;
    openDotaRateMs: number;
    /** Wait after a 503 (or a 429 without Retry-After). */
    backoffMs: number;
    livePollMs: number;
    /** The live poller's lease: another process takes over within this after the leader dies. */
    leaseMs: number;
    /**
     * The longest a person's request waits on Steam and OpenDota (rate-limit wait, answers and
     * the one retry included): a lookup or a link in total, each call of an import. Then 503.
     */
    requestTimeoutMs: number;
  };
}

/** Parses the environment; throws ConfigError with one line naming the variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  // An empty value (`PORT=` in an env file) means "not set": the default applies.
  const given = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ''));
  const parsed = EnvSchema.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    const got = given[name];
    // Never echo a secret: hide SECRET values and the credentials inside a URL.
    const shown =
      got === undefined
        ? 'not set'
        : name.includes('SECRET') || name.includes('KEY') || name.endsWith('_TOKEN')
          ? 'a value'
          : JSON.stringify(got.replace(/\/\/[^/@\s]*@/, '//***@'));
    throw new ConfigError(`${name}: ${issue.message} (got ${shown})`);
  }
  const env = parsed.data;
  const production = env.NODE_ENV === 'production';

  if (Boolean(env.DISCORD_CLIENT_ID) !== Boolean(env.DISCORD_CLIENT_SECRET)) {
    const missing = env.DISCORD_CLIENT_ID ? 'DISCORD_CLIENT_SECRET' : 'DISCORD_CLIENT_ID';
    throw new ConfigError(`${missing}: required when the other Discord credential is set (got not set)`);
  }
  const discordConfigured = Boolean(env.DISCORD_CLIENT_ID && env.DISCORD_CLIENT_SECRET);
  if (production && env.DEV_LOGIN === 'on') {
    throw new ConfigError('DEV_LOGIN: the development login cannot be enabled when NODE_ENV=production (got "on")');
  }
  if (production && !discordConfigured) {
    throw new ConfigError('DISCORD_CLIENT_ID: required when NODE_ENV=production, the only way to log in there is Discord (got not set)');
  }
  if (production && !env.SESSION_SECRET) {
    throw new ConfigError('SESSION_SECRET: required when NODE_ENV=production (got not set)');
  }
  const devLogin = !production && (env.DEV_LOGIN === 'on' || (env.DEV_LOGIN === 'auto' && !discordConfigured));

  return {
    env: env.NODE_ENV,
    production,
    host: env.HOST,
    port: env.PORT,
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ''),
    trustProxy: env.TRUST_PROXY,
    logLevel: env.LOG_LEVEL,
    migrateOnStart: env.MIGRATE_ON_START === 'true',
    database: env.DATABASE_URL ? { client: 'pg', url: env.DATABASE_URL } : { client: 'sqlite', filename: env.SQLITE_FILE },
    redis: env.REDIS_URL ? { url: env.REDIS_URL, prefix: env.REDIS_PREFIX } : undefined,
    sessionSecret: env.SESSION_SECRET,
    discord: discordConfigured
      ? {
          clientId: env.DISCORD_CLIENT_ID!,
          clientSecret: env.DISCORD_CLIENT_SECRET!,
          guildId: env.DISCORD_GUILD_ID,
          adminRoleIds: env.DISCORD_ADMIN_ROLE_IDS,
          staffRoleIds: env.DISCORD_STAFF_ROLE_IDS,
          authorizeUrl: env.DISCORD_AUTHORIZE_URL,
          tokenUrl: env.DISCORD_TOKEN_URL,
          apiBase: env.DISCORD_API_BASE.replace(/\/$/, ''),
        }
      : undefined,
    discordBot: env.DISCORD_BOT_TOKEN
      ? {
          token: env.DISCORD_BOT_TOKEN,
          applicationId: env.DISCORD_APPLICATION_ID,
          guildId: env.DISCORD_GUILD_ID,
          announceChannelId: env.DISCORD_ANNOUNCE_CHANNEL_ID,
          staffChannelId: env.DISCORD_STAFF_CHANNEL_ID,
          apiBase: env.DISCORD_API_BASE.replace(/\/$/, ''),
          adminRoleIds: env.DISCORD_ADMIN_ROLE_IDS,
          staffRoleIds: env.DISCORD_STAFF_ROLE_IDS,
        }
      : undefined,
    adminDiscordIds: env.ADMIN_DISCORD_IDS,
    discordPublicKey: env.DISCORD_PUBLIC_KEY?.toLowerCase(),
    devLogin,
    clientDist: env.CLIENT_DIST,
    rateLimits: {
      loginPerMinute: env.RATE_LIMIT_LOGIN_PER_MINUTE,
      mutationsPerMinute: env.RATE_LIMIT_MUTATIONS_PER_MINUTE,
    },
    realtime: {
      maxPayloadBytes: env.RT_MAX_PAYLOAD_BYTES,
      socketCommandsPerSecond: env.RT_SOCKET_COMMANDS_PER_SECOND,
      socketCommandBurst: env.RT_SOCKET_COMMAND_BURST,
      userCommandsPerSecond: env.RT_USER_COMMANDS_PER_SECOND,
      userCommandBurst: env.RT_USER_COMMAND_BURST,
      abuseStrikes: env.RT_ABUSE_STRIKES,
      presenceThrottleMs: env.RT_PRESENCE_THROTTLE_MS,
      presenceHeartbeatMs: env.RT_PRESENCE_HEARTBEAT_MS,
      replayLimit: env.RT_REPLAY_LIMIT,
      shutdownGraceMs: env.RT_SHUTDOWN_GRACE_MS,
      maxSocketsPerAddress: env.RT_MAX_SOCKETS_PER_ADDRESS,
      fanout: env.RT_FANOUT,
    },
    heroDraft: {
      // Empty normally means "not set"; here it is asked for explicitly: images off.
      imageBase: source.HERO_IMAGE_BASE === '' || env.HERO_IMAGE_BASE === 'off' ? '' : env.HERO_IMAGE_BASE.replace(/\/$/, ''),
      graceMs: env.HERODRAFT_GRACE_MS,
      resumeCountdownMs: env.HERODRAFT_RESUME_COUNTDOWN_MS,
    },
    steam: {
      apiKey: env.STEAM_API_KEY,
      apiBase: env.STEAM_API_BASE.replace(/\/$/, ''),
      openDotaBase: env.OPENDOTA_API_BASE.replace(/\/$/, ''),
      leagueIds: env.STEAM_LEAGUE_IDS.map(Number),
      rateMs: env.STEAM_RATE_MS,
      sequenceRateMs: env.STEAM_SEQ_RATE_MS,
      openDotaRateMs: env.OPENDOTA_RATE_MS,
      backoffMs: env.STEAM_BACKOFF_MS,
      livePollMs: env.STEAM_LIVE_POLL_MS,
      leaseMs: env.STEAM_LEASE_MS,
      requestTimeoutMs: env.STEAM_REQUEST_TIMEOUT_MS,
    },
  };
}
