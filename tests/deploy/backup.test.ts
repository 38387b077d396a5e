import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../foundation/hub-process';
import { createTestDatabase, DATABASES } from '../support/databases';
import { startHub } from '../support/hub';

const run = promisify(execFile);
const script = (name: string) => path.join(ROOT, 'deploy', name);

describe.each(DATABASES)('deploy/backup.sh and deploy/restore.sh [%s]', (db) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtx-backup-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a backup taken while the hub runs restores to exactly that moment', async () => {
    const database = await createTestDatabase(db);
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...database.env };
    const names = async (url: string) => ((await (await fetch(`${url}/api/tournaments`)).json()) as { items: { name: string }[] }).items.map((t) => t.name);
    try {
      const first = await startHub({ database });
      const staff = await first.login('backupstaff', 'staff');
      expect((await staff.post('/api/tournaments', { name: 'Before the backup', startsAt: '2030-05-01T18:00:00Z' })).status).toBe(201);

      const file = path.join(dir, `hub-${db}.backup`);
      const backup = await run('bash', [script('backup.sh'), file], { env, cwd: dir });
      expect(backup.stdout).toContain('backed up to');
      expect(fs.statSync(file).size).toBeGreaterThan(0);

      expect((await staff.post('/api/tournaments', { name: 'After the backup', startsAt: '2030-05-01T18:00:00Z' })).status).toBe(201);
      expect(await names(first.url)).toEqual(expect.arrayContaining(['Before the backup', 'After the backup']));
      await first.hub.close(); // every hub stopped before a restore (the database itself stays)

      const restore = await run('bash', [script('restore.sh'), file], { env, cwd: dir });
      expect(restore.stdout).toContain('restored from');

      const second = await startHub({ database });
      try {
        const now = await names(second.url);
        expect(now).toContain('Before the backup');
        expect(now).not.toContain('After the backup');
        // Sessions and users came back too: the same login still works and sees the same user.
        const again = await second.login('backupstaff', 'staff');
        expect(again.userId).toBe(staff.userId);
      } finally {
        await second.hub.close();
      }
    } finally {
      await database.drop();
    }
  }, 60_000);
});
