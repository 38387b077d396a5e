/**
 * Baseline for REST: a bare Express app with one JSON route answering the same body the hub
 * gives for GET /api/tournaments/:id (set through `configure`). No middleware at all: the
 * least an Express JSON route costs, to compare the hub's cached read with.
 */
import express from 'express';
import { announceReady, serveParent } from './lib/ipc';
import { processStats } from './lib/process-stats';

let body: unknown = {};
const app = express();
app.disable('x-powered-by');
app.get('/api/tournaments/:tournamentId', (_req, res) => {
  res.json(body);
});

serveParent({
  configure: (p: { body: unknown }) => {
    body = p.body;
    return { bytes: JSON.stringify(body).length };
  },
  stats: (p: { gc?: boolean }) => processStats(p?.gc ?? false),
});

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  announceReady({ port: typeof address === 'object' && address ? address.port : 0 });
});
