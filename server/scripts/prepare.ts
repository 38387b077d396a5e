import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Runs before `npm start`: builds the client when dist is missing or older than its sources,
 * so a fresh clone needs only `npm ci && npm start`.
 */
const dist = path.resolve(process.env.CLIENT_DIST ?? './dist/client', 'index.html');
const newest = (dir: string): number =>
  fs.readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
    const full = path.join(dir, entry.name);
    return Math.max(max, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
  }, 0);

const built = fs.existsSync(dist) ? fs.statSync(dist).mtimeMs : 0;
const sources = Math.max(newest('client'), newest('shared'));
if (built < sources) {
  process.stdout.write('Building the client…\n');
  execSync('npm run build', { stdio: 'inherit' });
}
