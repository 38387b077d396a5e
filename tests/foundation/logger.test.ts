import { describe, expect, it } from 'vitest';
import { createLogger, prettyLogs, type LogOutput } from '../../server/observability/logger';

/** Writes one info line through a logger built for `output` and returns what reached the destination. */
function written(output?: LogOutput): string {
  const lines: string[] = [];
  const log = createLogger('info', { write: (line: string) => void lines.push(line) }, output);
  log.info({ tournamentId: 7, password: 'hunter2pw' }, 'draft started');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('log output', () => {
  it('readable lines only in development with a terminal; JSON for tests, production and pipes', () => {
    expect(prettyLogs({ env: 'development', isTTY: true })).toBe(true);
    expect(prettyLogs({ env: 'development', isTTY: false })).toBe(false);
    expect(prettyLogs({ env: 'development', isTTY: undefined })).toBe(false); // stdout is a pipe or a file
    expect(prettyLogs({ env: 'test', isTTY: true })).toBe(false);
    expect(prettyLogs({ env: 'production', isTTY: true })).toBe(false);
    expect(prettyLogs({ env: 'production', isTTY: false })).toBe(false);
  });

  it('the JSON path writes one JSON object per line, secrets redacted', () => {
    for (const output of [undefined, { env: 'production', isTTY: true }, { env: 'test', isTTY: true }, { env: 'development', isTTY: false }]) {
      const line = written(output);
      expect(line.endsWith('\n')).toBe(true);
      expect(JSON.parse(line)).toMatchObject({ level: 30, msg: 'draft started', tournamentId: 7, password: '[redacted]' });
    }
  });

  it('in development at a terminal the logger writes readable text, secrets still redacted', () => {
    const line = written({ env: 'development', isTTY: true });
    expect(() => JSON.parse(line)).toThrow();
    // Strip colours: whether pino-pretty colours depends on the terminal it sees.
    // eslint-disable-next-line no-control-regex -- ANSI colour codes start with ESC
    const text = line.replace(/\x1b\[[0-9;]*m/g, '');
    expect(text).toMatch(/INFO.*draft started/);
    expect(text).toContain('tournamentId: 7');
    expect(text).toContain('[redacted]');
    expect(text).not.toContain('hunter2pw');
  });
});
