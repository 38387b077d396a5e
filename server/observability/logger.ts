import pino, { type DestinationStream, type Logger } from 'pino';
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

/** The hub's JSON logger: every line written inside a request carries its reqId (and command). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT, censor: '[redacted]' },
      mixin() {
        const context = currentContext();
        return context ? { reqId: context.requestId, ...(context.command ? { command: context.command } : {}) } : {};
      },
    },
    destination,
  );
}
