import pino, { type DestinationStream, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { currentContext } from './context';

/**
 * Paths never written to a log: cookies, credentials, tokens. The access line of http-log.ts
 * holds no headers at all; this is the net under everything else.
 */
export const REDACT = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.cookie',
  'headers.authorization',
  'cookie',
  'password',
  'token',
  'accessToken',
  'refreshToken',
  'clientSecret',
  'sessionSecret',
  'secret',
  '*.cookie',
  '*.password',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.clientSecret',
  '*.sessionSecret',
  '*.secret',
  '*.apiKey',
  '*.key',
];

/** Who reads the lines: NODE_ENV as the config has it, and whether the destination is a terminal. */
export interface LogOutput {
  env: string;
  isTTY: boolean | undefined;
}

/** Readable lines only for a person at a development terminal; tests, production and pipes get JSON. */
export function prettyLogs({ env, isTTY }: LogOutput): boolean {
  return env === 'development' && isTTY === true;
}

/**
 * The hub's logger: every line written inside a request carries its reqId (and command). Lines
 * are JSON unless `output` says a person reads them (prettyLogs), as on `npm start` in a terminal.
 */
export function createLogger(level: string, destination?: DestinationStream, output?: LogOutput): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT, censor: '[redacted]' },
      mixin() {
        const context = currentContext();
        return context ? { reqId: context.requestId, ...(context.command ? { command: context.command } : {}) } : {};
      },
    },
    output && prettyLogs(output) ? prettyStream(destination) : destination,
  );
}

/** Formats each JSON line in place, synchronously like pino's stdout, so no line is lost at exit. */
function prettyStream(destination: DestinationStream = pino.destination({ dest: 1, sync: true })): DestinationStream {
  const format = prettyFactory({ translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  return { write: (line: string) => destination.write(format(line)) };
}
