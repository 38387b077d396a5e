import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BotCall {
  method: string;
  path: string;
  body: Record<string, unknown>;
  authorization: string | undefined;
  at: number;
}

export interface FakeMessage {
  id: string;
  channel_id: string;
  content: string;
  nonce: string | undefined;
}

type Trouble = { kind: '429'; retryAfter: number; global?: boolean } | { kind: '5xx'; status: number } | { kind: 'hold' };

/** A guild scheduled event as the fake keeps it (Discord's field names). */
export interface FakeScheduledEvent {
  id: string;
  guild_id: string;
  name: string;
  description: string | null;
  privacy_level: number;
  entity_type: number;
  entity_metadata: { location?: string } | null;
  scheduled_start_time: string;
  scheduled_end_time: string | null;
  status: number;
}

/** A guild member as GET /guilds/{guild}/members/{user} answers it. */
export interface FakeMember {
  nick?: string | null;
  roles: string[];
}

/**
 * Discord's bot REST API as far as the outbox uses it, on 127.0.0.1: open a DM, post a message
 * (nonce + enforce_nonce answered with the first message), 429s with retry_after and the
 * X-RateLimit headers, 5xx bursts, 50007 for a member who blocks DMs, 10013 for an unknown user.
 * Every call is recorded.
 */
export class FakeDiscordBot {
  readonly calls: BotCall[] = [];
  readonly messages: FakeMessage[] = [];
  /** Discord user ids who do not accept DMs from the bot (sending answers 50007). */
  readonly blocking = new Set<string>();
  readonly unknownUsers = new Set<string>();
  private readonly troubles: Trouble[] = [];
  /** The guild the bot is in; other guilds answer 10004 Unknown Guild. */
  guildId = '823456789012345678';
  /** The guild's scheduled events, by id (created, changed and deleted through the API or by hand). */
  readonly events = new Map<string, FakeScheduledEvent>();
  /** The guild's members, by Discord user id; anyone else answers 10007 Unknown Member. */
  readonly members = new Map<string, FakeMember>();
  private readonly eventTroubles: Trouble[] = [];
  private readonly held: http.ServerResponse[] = [];
  private readonly dmChannels = new Map<string, string>();
  private nextId = 1_100_000_000_000_000_000n;
  private server!: http.Server;
  base = '';

  constructor(readonly token: string) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk) => (raw += chunk));
      req.on('end', () => this.handle(req, res, raw));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/v10`;
    return this;
  }

  async stop() {
    for (const res of this.held.splice(0)) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next message posts answer these, in order (a held one is recorded and never answered). */
  trouble(...troubles: Trouble[]) {
    this.troubles.push(...troubles);
  }

  /** The next scheduled event writes (POST, PATCH, DELETE) answer these, in order; a held one is done but never answered. */
  eventTrouble(...troubles: Trouble[]) {
    this.eventTroubles.push(...troubles);
  }

  eventCalls() {
    return this.calls.filter((c) => c.path.startsWith(`/guilds/${this.guildId}/scheduled-events`) && c.method !== 'GET');
  }

  /** The DM channel id the fake gives a user. */
  dmChannelOf(userId: string) {
    let channel = this.dmChannels.get(userId);
    if (!channel) this.dmChannels.set(userId, (channel = this.snowflake()));
    return channel;
  }

  messagePosts() {
    return this.calls.filter((c) => c.method === 'POST' && /^\/channels\/\d+\/messages$/.test(c.path));
  }

  private snowflake() {
    return String(this.nextId++);
  }

  private json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string) {
    const path = (req.url ?? '').replace(/^\/api\/v10/, '').split('?')[0]!;
    let body: Record<string, unknown>;
    try {
      body = raw ? JSON.parse(raw) : {};
    } catch {
      return this.json(res, 400, { message: '400: Bad Request', code: 50109 });
    }
    this.calls.push({ method: req.method!, path, body, authorization: req.headers.authorization, at: Date.now() });
    if (req.headers.authorization !== `Bot ${this.token}`) return this.json(res, 401, { message: '401: Unauthorized', code: 0 });

    if (req.method === 'POST' && path === '/users/@me/channels') {
      const recipient = String(body.recipient_id ?? '');
      if (this.unknownUsers.has(recipient)) return this.json(res, 400, { message: 'Unknown User', code: 10013 });
      return this.json(res, 200, { id: this.dmChannelOf(recipient), type: 1, recipients: [{ id: recipient, username: `u${recipient}` }] });
    }
    const guild = /^\/guilds\/(\d+)\/(scheduled-events|members)(?:\/(\d+))?$/.exec(path);
    if (guild) {
      if (guild[1] !== this.guildId) return this.json(res, 404, { message: 'Unknown Guild', code: 10004 });
      if (guild[2] === 'members') return this.member(req, res, guild[3]);
      return this.scheduledEvents(req, res, body, guild[3]);
    }
    const post = req.method === 'POST' && /^\/channels\/(\d+)\/messages$/.exec(path);
    if (post) {
      const channel = post[1]!;
      const trouble = this.troubles.shift();
      const bucket = { 'x-ratelimit-bucket': 'fakebucket01', 'x-ratelimit-limit': '5' };
      if (trouble?.kind === '429') {
        return this.json(
          res,
          429,
          { message: 'You are being rate limited.', retry_after: trouble.retryAfter, global: Boolean(trouble.global) },
          {
            ...bucket,
            'retry-after': String(Math.ceil(trouble.retryAfter)),
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset-after': String(trouble.retryAfter),
            'x-ratelimit-reset': String(Date.now() / 1000 + trouble.retryAfter),
            'x-ratelimit-scope': trouble.global ? 'global' : 'user',
            ...(trouble.global ? { 'x-ratelimit-global': 'true' } : {}),
          },
        );
      }
      if (trouble?.kind === '5xx') return this.json(res, trouble.status, { message: 'Service Unavailable', code: 0 });
      const blocked = [...this.blocking].some((user) => this.dmChannelOf(user) === channel);
      if (blocked) return this.json(res, 403, { message: 'Cannot send messages to this user', code: 50007 });
      const nonce = body.nonce === undefined ? undefined : String(body.nonce);
      const earlier = body.enforce_nonce && nonce ? this.messages.find((m) => m.channel_id === channel && m.nonce === nonce) : undefined;
      const message = earlier ?? { id: this.snowflake(), channel_id: channel, content: String(body.content ?? ''), nonce };
      if (!earlier) this.messages.push(message);
      if (trouble?.kind === 'hold') {
        // Posted, but the answer never comes back (the sender dies or loses the connection).
        this.held.push(res);
        return;
      }
      return this.json(
        res,
        200,
        { ...message, type: 0, author: { id: '1000000000000000001', username: 'dtx-bot', bot: true } },
        { ...bucket, 'x-ratelimit-remaining': '4', 'x-ratelimit-reset-after': '1', 'x-ratelimit-reset': String(Date.now() / 1000 + 1) },
      );
    }
    return this.json(res, 404, { message: '404: Not Found', code: 0 });
  }

  private member(req: http.IncomingMessage, res: http.ServerResponse, userId: string | undefined) {
    const member = userId ? this.members.get(userId) : undefined;
    if (req.method !== 'GET' || !userId) return this.json(res, 405, { message: '405: Method Not Allowed', code: 0 });
    if (!member) return this.json(res, 404, { message: 'Unknown Member', code: 10007 });
    return this.json(res, 200, {
      user: { id: userId, username: `u${userId}`, global_name: null, avatar: null },
      nick: member.nick ?? null,
      roles: member.roles,
      joined_at: '2025-01-01T00:00:00.000000+00:00',
      deaf: false,
      mute: false,
      flags: 0,
    });
  }

  /** Discord's checks of an external event's fields (50035 Invalid Form Body when one fails). */
  private invalidEvent(e: Partial<FakeScheduledEvent>, creating: boolean): string | undefined {
    if (!e.name || e.name.length > 100) return 'name: 1 to 100 characters';
    if (e.privacy_level !== 2) return 'privacy_level: must be 2 (GUILD_ONLY)';
    if (e.entity_type !== 3) return 'entity_type: this fake knows EXTERNAL (3) only';
    const location = e.entity_metadata?.location;
    if (!location || location.length > 100) return 'entity_metadata.location: required for EXTERNAL, 1 to 100 characters';
    if (e.description !== undefined && e.description !== null && (e.description.length < 1 || e.description.length > 1000))
      return 'description: 1 to 1000 characters';
    const start = Date.parse(e.scheduled_start_time ?? '');
    const end = Date.parse(e.scheduled_end_time ?? '');
    if (Number.isNaN(start)) return 'scheduled_start_time: required';
    if (Number.isNaN(end)) return 'scheduled_end_time: required for EXTERNAL';
    if (end <= start) return 'scheduled_end_time: must be after the start';
    if (creating && start < Date.now()) return 'scheduled_start_time: Cannot schedule event in the past';
    return undefined;
  }

  private scheduledEvents(req: http.IncomingMessage, res: http.ServerResponse, body: Record<string, unknown>, eventId: string | undefined) {
    if (req.method === 'GET' && !eventId) return this.json(res, 200, [...this.events.values()]);
    const trouble = req.method === 'GET' ? undefined : this.eventTroubles.shift();
    if (trouble?.kind === '429') {
      return this.json(
        res,
        429,
        { message: 'You are being rate limited.', retry_after: trouble.retryAfter, global: false },
        { 'retry-after': String(Math.ceil(trouble.retryAfter)) },
      );
    }
    if (trouble?.kind === '5xx') return this.json(res, trouble.status, { message: 'Service Unavailable', code: 0 });
    const answer = (status: number, value: unknown) => {
      // Done, but the answer never comes back (the sender dies or loses the connection).
      if (trouble?.kind === 'hold') return void this.held.push(res);
      if (status === 204) {
        res.writeHead(204);
        return void res.end();
      }
      return this.json(res, status, value);
    };
    const invalid = (reason: string) =>
      this.json(res, 400, { message: 'Invalid Form Body', code: 50035, errors: { _errors: [{ code: 'BASE_TYPE_INVALID', message: reason }] } });
    if (req.method === 'POST' && !eventId) {
      const event = { ...(body as Partial<FakeScheduledEvent>), id: this.snowflake(), guild_id: this.guildId, status: 1 } as FakeScheduledEvent;
      event.description ??= null;
      const why = this.invalidEvent(event, true);
      if (why) return invalid(why);
      this.events.set(event.id, event);
      return answer(200, event);
    }
    const existing = eventId ? this.events.get(eventId) : undefined;
    if (!existing) return this.json(res, 404, { message: 'Unknown Guild Scheduled Event', code: 10070 });
    if (req.method === 'PATCH') {
      const next = { ...existing, ...(body as Partial<FakeScheduledEvent>), id: existing.id, guild_id: this.guildId };
      const why = this.invalidEvent(next, false);
      if (why) return invalid(why);
      this.events.set(existing.id, next);
      return answer(200, next);
    }
    if (req.method === 'DELETE') {
      this.events.delete(existing.id);
      return answer(204, null);
    }
    if (req.method === 'GET') return this.json(res, 200, existing);
    return this.json(res, 405, { message: '405: Method Not Allowed', code: 0 });
  }
}
