/**
 * Link previews (issue 23 item 5): what a page URL is about, and the Open Graph and Twitter card
 * tags that make a link pasted in Discord (or anywhere that reads them) show a card. Pure: the
 * data comes from previews.service.ts.
 */

export type PreviewTarget =
  | { kind: 'tournament'; id: number; page: 'overview' | 'bracket' | 'draft' | 'herodrafts' | 'matches' }
  | { kind: 'herodraft'; id: number }
  | { kind: 'player'; id: number };

const ID = '([1-9]\\d{0,9})';
const PATTERNS: [RegExp, (id: number, rest: string | undefined) => PreviewTarget][] = [
  [
    new RegExp(`^/tournaments/${ID}(?:/(bracket|draft|herodrafts|matches))?/?$`),
    (id, page) => ({ kind: 'tournament', id, page: (page as 'bracket' | undefined) ?? 'overview' }),
  ],
  [new RegExp(`^/herodrafts/${ID}/?$`), (id) => ({ kind: 'herodraft', id })],
  [new RegExp(`^/users/${ID}/?$`), (id) => ({ kind: 'player', id })],
];

/** The thing a page path shows, or null for pages with the site's own card. */
export function previewTarget(path: string): PreviewTarget | null {
  for (const [pattern, make] of PATTERNS) {
    const m = pattern.exec(path);
    if (m) return make(Number(m[1]), m[2]);
  }
  return null;
}

export interface Preview {
  title: string;
  description: string;
}

export const SITE_NAME = 'DTX Hub';
export const SITE_PREVIEW: Preview = { title: SITE_NAME, description: 'Tournaments, player drafts, hero drafts and live games of the DTX Dota 2 community.' };

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** Descriptions are cut where cards cut them anyway (Discord shows about 350 characters). */
const clip = (text: string, max = 300) => (text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`);

/** The meta tags of a card, every value escaped. */
export function previewTags(preview: Preview, url: string): string {
  const tags: [string, string, string][] = [
    ['property', 'og:site_name', SITE_NAME],
    ['property', 'og:type', 'website'],
    ['property', 'og:url', url],
    ['property', 'og:title', clip(preview.title, 120)],
    ['property', 'og:description', clip(preview.description)],
    ['name', 'twitter:card', 'summary'],
    ['name', 'twitter:title', clip(preview.title, 120)],
    ['name', 'twitter:description', clip(preview.description)],
    ['name', 'description', clip(preview.description)],
  ];
  return tags.map(([attr, key, value]) => `<meta ${attr}="${key}" content="${escapeHtml(value)}" />`).join('\n    ');
}

/** The SPA's HTML with the card's tags in its head, and its title set to the card's. */
export function withPreview(html: string, preview: Preview, url: string): string {
  const head = html.indexOf('</head>');
  if (head < 0) return html;
  const title = preview.title === SITE_NAME ? SITE_NAME : `${preview.title} · ${SITE_NAME}`;
  const withTitle = html.replace(/<title>[^<]*<\/title>/, `<title>${escapeHtml(title)}</title>`);
  const at = withTitle.indexOf('</head>');
  return `${withTitle.slice(0, at)}  ${previewTags(preview, url)}\n  ${withTitle.slice(at)}`;
}
