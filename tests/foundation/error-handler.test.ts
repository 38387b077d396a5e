import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { errorHandler } from '../../server/http/error-handler';

describe('the error handler', () => {
  it('AU5 a bug answers 500 internal and is logged with the path, never the query (an OAuth code or state lives there)', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
    const app = express();
    app.get('/auth/discord/callback', () => {
      throw new Error('boom');
    });
    app.use(errorHandler(log));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/auth/discord/callback?code=secret-oauth-code&state=secret-state`);
      expect(res.status).toBe(500);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('internal');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const logged = lines.join('');
    expect(logged).toContain('unhandled error');
    expect(logged).toContain('/auth/discord/callback');
    expect(logged).not.toContain('secret-oauth-code');
    expect(logged).not.toContain('secret-state');
  });
});
