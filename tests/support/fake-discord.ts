import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Discord on 127.0.0.1 speaking the parts of Discord's protocol the hub uses: the OAuth2
 * authorize redirect (no consent page), the token endpoint, and API v10 `users/@me` and
 * `users/@me/guilds/{guild}/member`, with Discord's status codes, error bodies and rate-limit
 * answers. Used by the login tests and the browser tests.
 */
export interface FakeDiscordUser {
  id: string;
  username: string;
  global_name?: string | null;
  avatar?: string | null;
}

export interface FakeDiscordMember {
  nick?: string | null;
  roles?: string[];
}

export type FakeDiscordEndpoint = 'token' | 'me' | 'member';

export interface FakeDiscordFailure {
  status: 400 | 401 | 429 | 500;
  /** Seconds, as Discord sends them (may be fractional); 429 only. */
  retryAfter?: number;
}

export interface FakeDiscordRequest {
  method: string;
  path: string;
  body?: string;
  headers: Record<string, string>;
}

export interface FakeDiscord {
  /** e.g. http://127.0.0.1:PORT */
  url: string;
  /** DISCORD_CLIENT_ID, DISCORD_CLIENT_SECRET, DISCORD_AUTHORIZE_URL, DISCORD_TOKEN_URL, DISCORD_API_BASE (+ DISCORD_GUILD_ID when a guild was given). */
  env(): Record<string, string>;
  /** Who "is logged in at Discord": the next authorize approves as this user. */
  setUser(user: FakeDiscordUser): void;
  /**
   * Guild membership. A user never set here is a member without nickname or roles; `null`
   * makes them not a member (404, code 10004).
   */
  setMember(userId: string, member: FakeDiscordMember | null): void;
  /** Authorize redirects back with error=access_denied. */
  denyConsent(deny: boolean): void;
  /** The next call to that endpoint fails once with this status. */
  failNext(endpoint: FakeDiscordEndpoint, failure: FakeDiscordFailure): void;
  /** Every request received, in order (path with its query string, header names in lower case). */
  requests: FakeDiscordRequest[];
  close(): Promise<void>;
}

export const FAKE_DISCORD_DEFAULT_USER: FakeDiscordUser = { id: '300000000000000001', username: 'discorduser', global_name: 'Discord User', avatar: null };

const CODE_TTL_MS = 10 * 60_000;

interface Grant {
  userId: string;
  redirectUri: string;
  scope: string;
  expires: number;
}

export async function startFakeDiscord(options: { guildId?: string; clientId?: string; clientSecret?: string } = {}): Promise<FakeDiscord> {
  const clientId = options.clientId ?? '200000000000000001';
  const clientSecret = options.clientSecret ?? 'fake-discord-client-secret';
  const guildId = options.guildId;

  const users = new Map<string, FakeDiscordUser>();
  let current: FakeDiscordUser = FAKE_DISCORD_DEFAULT_USER;
  users.set(current.id, current);
  const members = new Map<string, FakeDiscordMember | null>();
  let deny = false;
  const failures = new Map<FakeDiscordEndpoint, FakeDiscordFailure>();
  const codes = new Map<string, Grant>();
  const tokens = new Map<string, { userId: string; scope: string }>();
  const requests: FakeDiscordRequest[] = [];
  const joinedAt = new Date().toISOString();

  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  /** Answers a queued failure for this endpoint, if any (consumed once). */
  const failed = (endpoint: FakeDiscordEndpoint, res: http.ServerResponse): boolean => {
    const failure = failures.get(endpoint);
    if (!failure) return false;
    failures.delete(endpoint);
    const { status } = failure;
    if (status === 429) {
      const retryAfter = failure.retryAfter ?? 1;
      json(
        res,
        429,
        { message: 'You are being rate limited.', retry_after: retryAfter, global: false },
        {
          'retry-after': String(Math.ceil(retryAfter)),
          'x-ratelimit-scope': 'user',
        },
      );
    } else if (status === 500) {
      json(res, 500, { message: '500: Internal Server Error', code: 0 });
    } else if (endpoint === 'token') {
      if (status === 401) json(res, 401, { error: 'invalid_client' });
      else json(res, 400, { error: 'invalid_grant', error_description: 'Invalid "code" in request.' });
    } else if (status === 401) {
      json(res, 401, { message: '401: Unauthorized', code: 0 });
    } else {
      json(res, 400, { message: 'Invalid Form Body', code: 50035 });
    }
    return true;
  };

  const discordUser = (user: FakeDiscordUser) => ({
    id: user.id,
    username: user.username,
    global_name: user.global_name ?? null,
    avatar: user.avatar ?? null,
    discriminator: '0',
    public_flags: 0,
    flags: 0,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
    locale: 'en-GB',
    mfa_enabled: false,
    premium_type: 0,
  });

  /** The token's owner, or null after answering 401 like Discord. */
  const bearer = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    const grant = match ? tokens.get(match[1]!) : undefined;
    if (!grant) {
      json(res, 401, { message: '401: Unauthorized', code: 0 });
      return null;
    }
    return grant;
  };

  function authorize(url: URL, res: http.ServerResponse) {
    const q = url.searchParams;
    const redirectUri = q.get('redirect_uri');
    if (q.get('client_id') !== clientId || !redirectUri) {
      json(res, 400, { message: 'Invalid OAuth2 application or redirect_uri', code: 50035 });
      return;
    }
    const back = new URL(redirectUri);
    const state = q.get('state');
    const scope = q.get('scope') ?? '';
    if (q.get('response_type') !== 'code') back.searchParams.set('error', 'unsupported_response_type');
    else if (!scope.split(' ').includes('identify')) back.searchParams.set('error', 'invalid_scope');
    else if (deny) {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The resource owner or authorization server denied the request');
    } else {
      const code = crypto.randomBytes(15).toString('base64url');
      codes.set(code, { userId: current.id, redirectUri, scope, expires: Date.now() + CODE_TTL_MS });
      back.searchParams.set('code', code);
    }
    if (state !== null) back.searchParams.set('state', state);
    res.writeHead(302, { location: back.toString() });
    res.end();
  }

  function token(req: http.IncomingMessage, body: string, res: http.ServerResponse) {
    if (failed('token', res)) return;
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      json(res, 400, { error: 'invalid_request', error_description: 'expected application/x-www-form-urlencoded' });
      return;
    }
    const form = new URLSearchParams(body);
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^Basic (\S+)$/.exec(req.headers.authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      id = decodeURIComponent(decoded.slice(0, colon));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    }
    if (id !== clientId || secret !== clientSecret) {
      json(res, 401, { error: 'invalid_client' });
      return;
    }
    if (form.get('grant_type') !== 'authorization_code') {
      json(res, 400, { error: 'unsupported_grant_type' });
      return;
    }
    const code = form.get('code') ?? '';
    const grant = codes.get(code);
    codes.delete(code); // single use, whatever happens next
    if (!grant || grant.expires < Date.now() || grant.redirectUri !== form.get('redirect_uri')) {
      json(res, 400, { error: 'invalid_grant', error_description: 'Invalid "code" in request.' });
      return;
    }
    const accessToken = crypto.randomBytes(20).toString('base64url');
    tokens.set(accessToken, { userId: grant.userId, scope: grant.scope });
    json(res, 200, {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: 604800,
      refresh_token: crypto.randomBytes(20).toString('base64url'),
      scope: grant.scope,
    });
  }

  function api(req: http.IncomingMessage, path: string, res: http.ServerResponse) {
    if (req.method === 'GET' && path === '/api/v10/users/@me') {
      if (failed('me', res)) return;
      const grant = bearer(req, res);
      if (grant) json(res, 200, discordUser(users.get(grant.userId)!));
      return;
    }
    const member = /^\/api\/v10\/users\/@me\/guilds\/(\d+)\/member$/.exec(path);
    if (req.method === 'GET' && member) {
      if (failed('member', res)) return;
      const grant = bearer(req, res);
      if (!grant) return;
      if (!grant.scope.split(' ').includes('guilds.members.read')) {
        json(res, 403, { message: 'Missing Access', code: 50001 });
        return;
      }
      const entry = members.get(grant.userId);
      if (member[1] !== guildId || entry === null) {
        json(res, 404, { message: 'Unknown Guild', code: 10004 });
        return;
      }
      json(res, 200, {
        user: discordUser(users.get(grant.userId)!),
        nick: entry?.nick ?? null,
        avatar: null,
        banner: null,
        roles: entry?.roles ?? [],
        joined_at: joinedAt,
        premium_since: null,
        deaf: false,
        mute: false,
        flags: 0,
        pending: false,
        communication_disabled_until: null,
      });
      return;
    }
    json(res, 404, { message: '404: Not Found', code: 0 });
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake-discord');
      const body = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
      }
      requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search, ...(body ? { body } : {}), headers });
      if (req.method === 'GET' && url.pathname === '/oauth2/authorize') authorize(url, res);
      else if (req.method === 'POST' && url.pathname === '/api/oauth2/token') token(req, body, res);
      else api(req, url.pathname, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    env() {
      return {
        DISCORD_CLIENT_ID: clientId,
        DISCORD_CLIENT_SECRET: clientSecret,
        DISCORD_AUTHORIZE_URL: `${url}/oauth2/authorize`,
        DISCORD_TOKEN_URL: `${url}/api/oauth2/token`,
        DISCORD_API_BASE: `${url}/api/v10`,
        ...(guildId ? { DISCORD_GUILD_ID: guildId } : {}),
      };
    },
    setUser(user) {
      current = { ...user };
      users.set(user.id, current);
    },
    setMember(userId, member) {
      members.set(userId, member === null ? null : { ...member });
    },
    denyConsent(value) {
      deny = value;
    },
    failNext(endpoint, failure) {
      failures.set(endpoint, failure);
    },
    requests,
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
