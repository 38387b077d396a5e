import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Hero } from '../../shared/schemas/herodraft';

export interface RawHero {
  id: number;
  name: string;
  localized_name: string;
  primary_attr: string;
  img?: string;
  icon?: string;
  cm_enabled?: boolean;
}

/**
 * dotaconstants' heroes.json (keyed by id, with gaps: Largo is 155) as the hub's heroes, sorted
 * by name. `cm_enabled` missing counts as enabled; every entry of 10.8.0 has it true, but new
 * heroes usually reach Captains Mode late, and games can still hold them.
 */
export function fromDotaconstants(raw: Record<string, RawHero>): Hero[] {
  return Object.values(raw)
    .map((h) => ({
      id: h.id,
      name: h.name,
      localizedName: h.localized_name,
      primaryAttr: (['str', 'agi', 'int'].includes(h.primary_attr) ? h.primary_attr : 'all') as Hero['primaryAttr'],
      img: h.img ? h.img.replace(/\?$/, '') : null,
      icon: h.icon ? h.icon.replace(/\?$/, '') : null,
      captainsMode: h.cm_enabled !== false,
    }))
    .sort((a, b) => a.localizedName.localeCompare(b.localizedName));
}

let all: Hero[] | undefined;
let cm: Hero[] | undefined;

/** Every hero, Captains Mode or not: what match pages need to name the heroes of a game. */
export function allHeroes(): Hero[] {
  if (!all) {
    // Read as a file (importing the package loads ~6 MB); its exports allow only its entry point,
    // so the folder is found from there.
    const entry = createRequire(import.meta.url).resolve('dotaconstants');
    const file = path.join(path.dirname(entry), 'build', 'heroes.json');
    all = fromDotaconstants(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, RawHero>);
  }
  return all;
}

/** The heroes a Captains Mode draft offers. */
export const heroes = (): Hero[] => (cm ??= allHeroes().filter((h) => h.captainsMode));

let ids: Set<number> | undefined;
export const heroIds = () => (ids ??= new Set(heroes().map((h) => h.id)));
