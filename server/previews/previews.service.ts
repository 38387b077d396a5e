import fs from 'node:fs';
import { tags } from '../cache/read-cache';
import { HubError } from '../commands/errors';
import { readHeroDraft } from '../herodraft/herodraft.view';
import type { HubServices } from '../services';
import { Tournament } from '../tournaments/tournament.model';
import { playerRecord } from '../users/users.record';
import { type Preview, type PreviewTarget, previewTarget, SITE_PREVIEW, withPreview } from './preview.rules';

const PAGE_TITLES = { overview: '', bracket: 'Bracket', draft: 'Player draft', herodrafts: 'Hero drafts', matches: 'Matches' } as const;

/** The card of one thing, from the hub's cached reads (a rename shows at once); null when it does not exist. */
async function previewOf(hub: HubServices, target: PreviewTarget): Promise<Preview | null> {
  switch (target.kind) {
    case 'tournament': {
      const t = await hub.cache.get(`preview:tournament:${target.id}`, [tags.tournament(target.id)], async () => {
        const row = await Tournament.query(hub.db).findById(target.id);
        return row ? { name: row.name, description: row.description, state: row.state, startsAt: new Date(row.startsAt).toISOString() } : null;
      });
      if (!t) return null;
      const page = PAGE_TITLES[target.page];
      const when = `${t.state}, starts ${t.startsAt.slice(0, 16).replace('T', ' ')} UTC`;
      return { title: page ? `${page}: ${t.name}` : t.name, description: t.description ? `${t.description} (${when})` : `A DTX tournament: ${when}.` };
    }
    case 'herodraft': {
      const d = await readHeroDraft(hub, target.id);
      const [a, b] = d.teams;
      const game = d.gameNumber ? `, game ${d.gameNumber}` : '';
      const picks = d.teams.map((t) => `${t.name}: ${t.picks.length} picks, ${t.bans.length} bans`).join('; ');
      return { title: `Hero draft: ${a?.name ?? '?'} vs ${b?.name ?? '?'}${game}`, description: `Captains Mode, ${d.status}. ${picks}.` };
    }
    case 'player': {
      const r = await playerRecord(hub, target.id);
      const teams = r.teams.slice(0, 3).map((t) => `${t.team.name} (${t.tournament.name})`);
      const record = `Series ${r.series.won}–${r.series.lost}`;
      return { title: r.user.displayName, description: teams.length ? `${record}. Teams: ${teams.join(', ')}.` : `${record}. No team yet.` };
    }
  }
}

/**
 * The SPA's index.html for a path, with the link-preview card of what the path shows: the
 * thing's own card, or the site's for any other page, an unknown id or a failed read (the page
 * itself still loads; the SPA says what is wrong). The file is read again only when it changes.
 */
export function createPreviewPages(hub: HubServices, indexFile: string) {
  let cached: { mtimeMs: number; html: string } | undefined;
  const indexHtml = () => {
    const { mtimeMs } = fs.statSync(indexFile);
    if (cached?.mtimeMs !== mtimeMs) cached = { mtimeMs, html: fs.readFileSync(indexFile, 'utf8') };
    return cached.html;
  };
  return async function render(path: string): Promise<string> {
    const html = indexHtml();
    const url = `${hub.config.publicUrl}${path}`;
    const target = previewTarget(path);
    let preview: Preview | null = null;
    if (target) {
      try {
        preview = await previewOf(hub, target);
      } catch (err) {
        if (!(err instanceof HubError)) hub.log.warn({ err, path }, 'link preview: read failed, the site card instead');
      }
    }
    return withPreview(html, preview ?? SITE_PREVIEW, url);
  };
}
