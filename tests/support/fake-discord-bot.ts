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
}
