import DiscordStrategyBase from 'passport-discord';
import { z } from 'zod';
import type { Config } from '../config';

type DiscordConfig = NonNullable<Config['discord']>;
export type DiscordEndpoint = 'token' | 'me' | 'member';

/** Discord answered with an error (or not at all). Carries no token or secret. */
export class DiscordApiError extends Error {
  constructor(
    readonly endpoint: DiscordEndpoint,
    /** HTTP status; 0 when Discord could not be reached. */
    readonly status: number,
    /** Seconds Discord asked us to wait (429). */
    readonly retryAfter?: number,
    readonly discordCode?: number | string,
  ) {
    super(
      `Discord ${endpoint} answered ${status || 'nothing'}${retryAfter !== undefined ? ` (retry after ${retryAfter}s)` : ''}${discordCode !== undefined ? ` code ${discordCode}` : ''}`,
    );
  }
}

/** What the hub keeps of a Discord login. `member` is undefined without a guild, null when not a member. */
export interface DiscordProfile {
  id: string;
  username: string;
  globalName: string | null;
  avatar: string | null;
  member: { nick: string | null; roles: string[] } | null | undefined;
}

const DiscordUser = z.object({
  id: z.string().regex(/^\d{15,21}$/),
  username: z.string().min(1).max(100),
  global_name: z.string().max(100).nullish(),
  avatar: z.string().max(100).nullish(),
});
const GuildMember = z.object({
  nick: z.string().max(100).nullish(),
  roles: z.array(z.string()).default([]),
});
const TokenAnswer = z.object({ access_token: z.string().min(1), refresh_token: z.string().optional() });

const TIMEOUT_MS = 10_000;
/** We never wait longer than this for Discord, whatever retry_after says. */
const MAX_COOLDOWN_MS = 10 * 60_000;

export function discordScopes(discord: DiscordConfig): string[] {
  return discord.guildId ? ['identify', 'guilds.members.read'] : ['identify'];
}

type Verify = (accessToken: string, refreshToken: string, profile: DiscordProfile, done: (err: unknown, user?: unknown, info?: unknown) => void) => void;

/**
 * passport-discord's Strategy with every URL from config (so it runs against a fake Discord in
 * tests), the profile from API v10 plus the guild member, `state` checked through the session,
 * and Discord's 429 answers honoured.
 *
 * No #private fields: passport runs each request on `Object.create(strategy)`. For the same
 * reason shared mutable state lives in an object that is mutated, never reassigned.
 */
export class DiscordStrategy extends DiscordStrategyBase {
  readonly discord: DiscordConfig;
  /** Per endpoint, until when Discord told us to stop calling it. */
  readonly cooldown: Map<DiscordEndpoint, number> = new Map();

  constructor(discord: DiscordConfig, verify: Verify) {
    super(
      {
        clientID: discord.clientId,
        clientSecret: discord.clientSecret,
        authorizationURL: discord.authorizeUrl,
        tokenURL: discord.tokenUrl,
        scope: discordScopes(discord),
        state: true,
      },
      verify as never,
    );
    this.discord = discord;
    // passport-oauth2 exchanges the code through the `oauth` package, which has no timeout and
    // drops the response headers; this does the same exchange with fetch. Credentials go in
    // HTTP Basic (RFC 6749 §2.3.1), which Discord accepts.
    const exchange = (code: string, params: Record<string, string>, callback: (...args: any[]) => void) => {
      this.exchangeCode(code, params).then(
        (answer) => callback(null, answer.access_token, answer.refresh_token, {}),
        (err: unknown) => callback(err),
      );
    };
    this._oauth2.getOAuthAccessToken = exchange as typeof this._oauth2.getOAuthAccessToken;
  }

  /** Discord profile from the configured API base; `done` is called exactly once. */
  override userProfile(accessToken: string, done: (err?: unknown, profile?: any) => void): void {
    let called = false;
    const once = (err: unknown, profile?: DiscordProfile) => {
      if (called) return;
      called = true;
      done(err, profile);
    };
    this.loadProfile(accessToken).then(
      (profile) => once(null, profile),
      (err: unknown) => once(err),
    );
  }

  private async exchangeCode(code: string, params: Record<string, string>) {
    const basic = Buffer.from(`${encodeURIComponent(this.discord.clientId)}:${encodeURIComponent(this.discord.clientSecret)}`).toString('base64');
    const body = new URLSearchParams({ grant_type: 'authorization_code', code, ...(params.redirect_uri ? { redirect_uri: params.redirect_uri } : {}) });
    const answer = await this.call('token', this.discord.tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: body.toString(),
    });
    const parsed = TokenAnswer.safeParse(answer);
    if (!parsed.success) throw new DiscordApiError('token', 200, undefined, 'no access_token');
    return parsed.data;
  }

  private async loadProfile(accessToken: string): Promise<DiscordProfile> {
    const auth = { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } };
    const user = DiscordUser.safeParse(await this.call('me', `${this.discord.apiBase}/users/@me`, auth));
    if (!user.success) throw new DiscordApiError('me', 200, undefined, 'unexpected user object');
    let member: DiscordProfile['member'];
    if (this.discord.guildId) {
      try {
        const answer = GuildMember.safeParse(await this.call('member', `${this.discord.apiBase}/users/@me/guilds/${this.discord.guildId}/member`, auth));
        if (!answer.success) throw new DiscordApiError('member', 200, undefined, 'unexpected member object');
        member = { nick: answer.data.nick ?? null, roles: answer.data.roles };
      } catch (err) {
        // 404 / 10004 Unknown Guild: this person is not in our guild.
        if (err instanceof DiscordApiError && (err.status === 404 || err.discordCode === 10004)) member = null;
        else throw err;
      }
    }
    return {
      id: user.data.id,
      username: user.data.username,
      globalName: user.data.global_name ?? null,
      avatar: user.data.avatar ?? null,
      member,
    };
  }

  /**
   * One request to Discord, never retried: a 429 makes this endpoint fail fast until its
   * retry_after has passed, so a burst of logins cannot hammer Discord into a longer ban.
   */
  private async call(endpoint: DiscordEndpoint, url: string, init: RequestInit): Promise<unknown> {
    const until = this.cooldown.get(endpoint) ?? 0;
    if (until > Date.now()) throw new DiscordApiError(endpoint, 429, Math.ceil((until - Date.now()) / 1000));

    let res: Response;
    try {
      res = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch {
      throw new DiscordApiError(endpoint, 0);
    }
    const text = await res.text().catch(() => '');
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (res.ok) return body;
    if (res.status === 429) {
      const fromBody = typeof body?.retry_after === 'number' ? body.retry_after : undefined;
      const fromHeader = Number(res.headers.get('retry-after'));
      const seconds = fromBody ?? (Number.isFinite(fromHeader) && fromHeader > 0 ? fromHeader : 1);
      this.cooldown.set(endpoint, Date.now() + Math.min(seconds * 1000, MAX_COOLDOWN_MS));
      throw new DiscordApiError(endpoint, 429, seconds);
    }
    throw new DiscordApiError(endpoint, res.status, undefined, body?.code ?? body?.error);
  }
}
