import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb } from '../../server/db/knex';
import { createLogger } from '../../server/observability/logger';
import { eventually } from '../support/eventually';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('database warnings', () => {
  it('RT16 knex’s own warnings are JSON lines of the hub’s log, not raw text on the console', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtx-dblog-'));
    dirs.push(dir);
    const db = createDb({ client: 'sqlite', filename: path.join(dir, 'hub.sqlite') }, createLogger('debug', sink));
    const console = { warn: [] as unknown[], error: [] as unknown[] };
    const [warn, error] = [globalThis.console.warn, globalThis.console.error];
    globalThis.console.warn = (...args: unknown[]) => void console.warn.push(args);
    globalThis.console.error = (...args: unknown[]) => void console.error.push(args);
    try {
      // What a shutdown that closes the pool under a waiting read did: the read's acquire is aborted.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const holding = db.transaction(async () => held);
      const read = db.raw('select 1').then(
        () => 'read',
        (err: unknown) => String(err),
      );
      await eventually(() => (db.client as { pool: { numPendingAcquires(): number } }).pool.numPendingAcquires() > 0, 'the read to wait');
      const destroyed = db.destroy();
      expect(await read).toMatch(/aborted/);
      release();
      await holding.catch(() => {}); // its commit comes after the pool is gone: cut too
      await destroyed;
    } finally {
      globalThis.console.warn = warn;
      globalThis.console.error = error;
    }
    expect(console).toEqual({ warn: [], error: [] });
    const parsed = lines.map((line) => JSON.parse(line) as { level: number; msg: string; knex?: string });
    const warning = parsed.find((l) => l.msg === 'database warning');
    expect(warning?.knex).toMatch(/^Acquire connection error: .*aborted/);
    expect(warning?.level).toBe(40); // pino's warn
  });
});
