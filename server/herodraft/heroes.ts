import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Hero } from '../../shared/schemas/herodraft';

interface RawHero {
  id: number;
  name: string;
  localized_name: string;
  primary_attr: string;
  img?: string;
  icon?: string;
  cm_enabled?: boolean;
}

let cached: Hero[] | undefined;

/**
 * The Captains Mode hero list from dotaconstants' build/heroes.json (read as a file: importing
 * the package loads ~6 MB). Keyed by id with gaps (Largo is 155). Every entry of 10.8.0 has
 * `cm_enabled: true`; entries marked false would be left out.
 */
export function heroes(): Hero[] {
  if (!cached) {
    // The package's exports allow only its entry point: find its folder from there.
    const entry = createRequire(import.meta.url).resolve('dotaconstants');
    const file = path.join(path.dirname(entry), 'build', 'heroes.json');
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, RawHero>;
    cached = Object.values(raw)
      .filter((h) => h.cm_enabled !== false)
      .map((h) => ({
        id: h.id,
        name: h.name,
        localizedName: h.localized_name,
        primaryAttr: (['str', 'agi', 'int'].includes(h.primary_attr) ? h.primary_attr : 'all') as Hero['primaryAttr'],
        img: h.img ? h.img.replace(/\?$/, '') : null,
        icon: h.icon ? h.icon.replace(/\?$/, '') : null,
      }))
      .sort((a, b) => a.localizedName.localeCompare(b.localizedName));
  }
  return cached;
}

let ids: Set<number> | undefined;
export const heroIds = () => (ids ??= new Set(heroes().map((h) => h.id)));
