import { Writable } from 'node:stream';
import { createHub } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/observability/logger';
import { createTestDatabase, type DbKind } from '../support/databases';
import { HttpClient } from '../support/http';
import type { TestHub } from '../support/hub';

export const SESSION_SECRET = 'test-session-secret-that-is-long-enough-0123456789';

/** startHub's hub, logging through the hub's own JSON logger (debug) into memory. */
export async function startLoggedHub(db: DbKind = 'sqlite', env: Record<string, string> = {}) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const database = await createTestDatabase(db);
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    SESSION_SECRET,
    CLIENT_DIST: './dist/client',
    RATE_LIMIT_LOGIN_PER_MINUTE: '10000',
    RATE_LIMIT_MUTATIONS_PER_MINUTE: '100000',
    ...database.env,
    ...env,
  });
  const hub = await createHub(config, { logger: createLogger('debug', sink) });
  const port = await hub.listen();
  const url = `http://127.0.0.1:${port}`;
  hub.services.config.publicUrl = url;
  const t: TestHub = {
    url,
    port,
    hub,
    database,
    client: () => new HttpClient(url),
    async login(username, role = 'member') {
      const client = new HttpClient(url) as HttpClient & { userId: number };
      client.userId = (await client.devLogin(username, role)).id;
      return client;
    },
    async close() {
      await hub.close();
      await database.drop();
    },
  };
  /** The log lines as objects. */
  const entries = () => lines.map((l) => JSON.parse(l) as Record<string, any>);
  return { t, lines, entries };
}

/** One sample of a Prometheus text exposition: `name{a="b",…} value`, 0 when absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return 0;
}
