import type { Child } from './ipc';
import type { Report } from './report';
import type { RoundOptions } from './rounds';

export interface Options {
  scenarios: Set<string>;
  /** Spectator counts for the pick scenario. */
  ns: number[];
  /** Spectators for the throughput scenario. */
  throughputN: number;
  rooms: number;
  perRoom: number;
  roomsRate: number;
  connections: number;
  redis: boolean;
  /** Also run one round with the real socket.io-client. */
  realClient: boolean;
  /** Pick at the smallest N: also plain Socket.IO with its stock adapters (bench/baseline-socketio.ts). */
  reference: boolean;
  samples: number;
  durationMs: number;
  restSeconds: number;
  rounds: RoundOptions;
  quick: boolean;
}

export interface Ctx {
  opts: Options;
  loadgen: Child;
  report: Report;
  log: (line: string) => void;
}

export const variantsFor = (opts: Options) => [{ name: '1 process', processes: 1 }, ...(opts.redis ? [{ name: '2 processes + Redis', processes: 2 }] : [])];
