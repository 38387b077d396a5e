import type { SiteRole } from '../../shared/schemas/users';

export interface HttpResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/**
 * A browser-like HTTP client for tests: keeps cookies, fetches the CSRF token from /api/me
 * and sends it on mutations (unless told not to), never follows redirects by itself.
 */
export class HttpClient {
  private cookies = new Map<string, string>();
  private csrfToken: string | undefined;

  constructor(readonly baseUrl: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  hasCookie(name: string): boolean {
    return this.cookies.has(name);
  }
  clearCookies() {
    this.cookies.clear();
    this.csrfToken = undefined;
  }

  async request<T = any>(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; csrf?: boolean; raw?: string; contentType?: string } = {},
  ): Promise<HttpResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const mutation = !['GET', 'HEAD', 'OPTIONS'].includes(method);
    // Token first: fetching it may start the session whose cookie this request must carry.
    if (mutation && options.csrf !== false) headers['x-csrf-token'] = await this.token();
    const cookie = this.cookieHeader();
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (options.raw !== undefined) {
      body = options.raw;
      headers['content-type'] = options.contentType ?? 'application/json';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(new URL(path, this.baseUrl), { method, headers, body, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let parsed: unknown = text;
    if (res.headers.get('content-type')?.includes('application/json')) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  /** The session's CSRF token (fetched once per session). */
  async token(): Promise<string> {
    if (!this.csrfToken) {
      const me = await this.request('GET', '/api/me');
      this.csrfToken = me.body.csrfToken as string;
    }
    return this.csrfToken;
  }
  /** Forget the token (after login/logout the session changes). */
  resetToken() {
    this.csrfToken = undefined;
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, { headers });
  }
  post<T = any>(path: string, body?: unknown, opts: { csrf?: boolean } = {}) {
    return this.request<T>('POST', path, { body, ...opts });
  }
  patch<T = any>(path: string, body?: unknown, opts: { csrf?: boolean } = {}) {
    return this.request<T>('PATCH', path, { body, ...opts });
  }
  put<T = any>(path: string, body?: unknown, opts: { csrf?: boolean } = {}) {
    return this.request<T>('PUT', path, { body, ...opts });
  }
  delete<T = any>(path: string, opts: { csrf?: boolean } = {}) {
    return this.request<T>('DELETE', path, opts);
  }

  /** Development login (tests run with NODE_ENV=test and Discord unconfigured). */
  async devLogin(username: string, role: SiteRole = 'member') {
    const res = await this.post('/auth/dev', { username, role });
    if (res.status !== 200) throw new Error(`dev login failed: ${res.status} ${res.text}`);
    this.resetToken();
    const me = await this.get('/api/me');
    return me.body.user as { id: number; role: SiteRole; username: string };
  }
}
