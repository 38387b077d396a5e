/**
 * A small router on the History API. Routes are patterns like `/tournaments/:id`; the first
 * match wins. Plain `<a href>` links are intercepted, except those the server must answer
 * (`/auth`, `/api`), so Discord login and logout keep working as full page loads.
 */
export interface RouteMatch<N extends string = string> {
  name: N;
  params: Record<string, string>;
}

const SERVER_PATHS = /^\/(auth|api|socket\.io|healthz|readyz)(\/|$)/;

export class Router<N extends string> {
  path = $state(location.pathname);
  search = $state(location.search);
  /** Derived lazily, so it may read `routes` although that is set in the constructor. */
  readonly match: RouteMatch<N | 'notFound'> = $derived(this.resolve(this.path));
  private readonly routes: readonly (readonly [pattern: string, name: N])[];

  constructor(routes: readonly (readonly [pattern: string, name: N])[]) {
    this.routes = routes;
    window.addEventListener('popstate', () => this.sync());
    document.addEventListener('click', (event) => this.onClick(event));
  }

  /** Query string parameter of the current URL. */
  query(name: string): string | null {
    return new URLSearchParams(this.search).get(name);
  }

  navigate(to: string, options: { replace?: boolean } = {}) {
    const url = new URL(to, location.href);
    if (options.replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    this.sync();
    if (!options.replace) window.scrollTo(0, 0);
  }

  /** Drops one query parameter from the address bar (e.g. a shown login error). */
  dropQuery(name: string) {
    const url = new URL(location.href);
    url.searchParams.delete(name);
    history.replaceState(null, '', url);
    this.sync();
  }

  private sync() {
    this.path = location.pathname;
    this.search = location.search;
  }

  private resolve(path: string): RouteMatch<N | 'notFound'> {
    const parts = split(path);
    for (const [pattern, name] of this.routes) {
      const params = matchPattern(split(pattern), parts);
      if (params) return { name, params };
    }
    return { name: 'notFound', params: {} };
  }

  private onClick(event: MouseEvent) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest?.('a');
    if (!anchor || anchor.target || anchor.hasAttribute('download') || anchor.getAttribute('rel')?.includes('external')) return;
    const url = new URL(anchor.href, location.href);
    if (url.origin !== location.origin || SERVER_PATHS.test(url.pathname)) return;
    event.preventDefault();
    this.navigate(url.pathname + url.search + url.hash);
  }
}

function split(path: string): string[] {
  return path.split('/').filter(Boolean);
}

function matchPattern(pattern: string[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i]!;
    const actual = parts[i]!;
    if (expected.startsWith(':')) params[expected.slice(1)] = decodeURIComponent(actual);
    else if (expected !== actual) return null;
  }
  return params;
}
