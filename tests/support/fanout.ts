/** The fan-out path this run's hubs take (vitest.config.ts runs the realtime and browser tests on both). */
export const FANOUT = process.env.RT_FANOUT === 'stock' ? 'stock' : 'direct';
/** A suffix for test names, so that a failure says which path it was on (empty on the default path). */
export const fanoutTag = FANOUT === 'stock' ? ' [stock]' : '';
