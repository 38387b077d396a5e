import { expect } from 'vitest';
import type { HttpClient, HttpResponse } from '../support/http';
import type { TestHub } from '../support/hub';

export interface DiscordRoundTrip {
  /** The hub's answer to GET /auth/discord (a redirect to Discord). */
  start: HttpResponse;
  /** Discord's authorize URL the hub sent the browser to. */
  authorizeUrl: URL;
  /** Where Discord sent the browser back (the hub's callback with code/state or error). */
  callbackUrl: URL;
  /** The hub's answer to the callback. */
  finish: HttpResponse;
  /** `loginError` of the final redirect, or null when it went to `/` without one. */
  loginError: string | null;
}

/**
 * Walks a browser through the Discord login: hub → Discord authorize → hub callback.
 * `tamper` may rewrite the callback URL before the browser follows it.
 */
export async function discordLogin(client: HttpClient, options: { tamper?: (callback: URL) => URL } = {}): Promise<DiscordRoundTrip> {
  const start = await client.get('/auth/discord');
  expect(start.status).toBe(302);
  const authorizeUrl = new URL(start.headers.get('location')!);
  const atDiscord = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(atDiscord.status).toBe(302);
  let callbackUrl = new URL(atDiscord.headers.get('location')!);
  if (options.tamper) callbackUrl = options.tamper(callbackUrl);
  const finish = await client.get(callbackUrl.pathname + callbackUrl.search);
  client.resetToken();
  return { start, authorizeUrl, callbackUrl, finish, loginError: loginErrorOf(finish) };
}

/** The `loginError` a redirect carries (null for a plain redirect to `/`). */
export function loginErrorOf(res: HttpResponse): string | null {
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location')!, 'http://hub.invalid');
  expect(location.pathname).toBe('/');
  return location.searchParams.get('loginError');
}

/** The same browser (its cookie, and its CSRF token for changes) talking to another hub. */
export function sameBrowser(client: HttpClient, hub: TestHub) {
  return {
    get: (path: string) => hub.client().request('GET', path, { headers: { cookie: client.cookieHeader() } }),
    post: async (path: string, body: unknown) =>
      hub.client().request('POST', path, { body, headers: { cookie: client.cookieHeader(), 'x-csrf-token': await client.token() }, csrf: false }),
  };
}
