import helmet, { type HelmetOptions } from 'helmet';
import type { FixedHeaders } from '../observability/http-log';

/**
 * Helmet's headers for `options`, computed once. With no per-request directive (a nonce
 * function) helmet sets the same values on every answer; running its chain of thirteen
 * middlewares per request cost a few per cent of the cached read. Helmet stays the source of
 * the values. Its only other act, removing X-Powered-By, is done by disabling that setting.
 */
export function fixedSecurityHeaders(options: HelmetOptions): FixedHeaders {
  const directives = typeof options.contentSecurityPolicy === 'object' ? (options.contentSecurityPolicy.directives ?? {}) : {};
  for (const value of Object.values(directives)) {
    if (typeof value === 'function' || (Array.isArray(value) && value.some((v) => typeof v === 'function'))) {
      throw new Error('a CSP directive computed per request cannot be fixed once: use helmet() as a middleware');
    }
  }
  const headers: [string, string][] = [];
  const res = { setHeader: (name: string, value: string) => headers.push([name, value]), removeHeader: () => {} };
  let failure: unknown = new Error('helmet did not finish synchronously');
  helmet(options)({} as never, res as never, (err?: unknown) => {
    failure = err;
  });
  if (failure) throw failure;
  return headers;
}
