import { defineConfig } from 'vitest/config';

/**
 * Files that pin their fan-out path themselves (the direct path's own tests, the internals'
 * contract, processes of both paths together): run once, not again on the stock path.
 */
const PINNED_TO_A_PATH = [
  'tests/realtime/direct-fanout.test.ts',
  'tests/realtime/fanout-batch.test.ts',
  'tests/realtime/internals.contract.test.ts',
  'tests/realtime/rolling-deploy.test.ts',
];

export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Two cores: more workers only add contention.
    maxWorkers: 2,
    // The hubs' fan-out has two paths (RT_FANOUT, server/realtime/fanout.ts): every test runs on
    // the default one (direct), and the realtime and browser tests again on the stock one
    // (Socket.IO's adapters as published; tests/support/hub.ts passes RT_FANOUT to each hub).
    projects: [
      { extends: true, test: { name: 'direct', include: ['tests/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'stock', include: ['tests/realtime/**/*.test.ts', 'tests/e2e/**/*.test.ts'], exclude: PINNED_TO_A_PATH, env: { RT_FANOUT: 'stock' } },
      },
    ],
  },
});
