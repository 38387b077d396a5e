import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const RULE_ID = /\b(RT|AU|DR|CM|BR|ST|SU|AD|DC|RR)(\d+)\b/g;

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Ids docs/rules.md defines: `**RT1**` one by one, `**SU1–SU4**` as a range. */
function definedIds(text: string): Set<string> {
  const ids = new Set<string>();
  for (const [, prefix, from, to] of text.matchAll(/\*\*([A-Z]{2})(\d+)(?:–[A-Z]{2}(\d+))?\*\*/g)) {
    for (let n = Number(from); n <= Number(to ?? from); n++) ids.add(`${prefix}${n}`);
  }
  return ids;
}

describe('rule ids', () => {
  it('every rule id a test names is defined in docs/rules.md', () => {
    const defined = definedIds(fs.readFileSync('docs/rules.md', 'utf8'));
    expect(defined.size).toBeGreaterThan(50);
    const undefinedIds = new Map<string, string>();
    for (const file of testFiles('tests')) {
      for (const [id] of fs.readFileSync(file, 'utf8').matchAll(RULE_ID)) {
        if (!defined.has(id)) undefinedIds.set(id, file);
      }
    }
    expect(Object.fromEntries(undefinedIds)).toEqual({});
  });

  it('no id is defined twice', () => {
    const text = fs.readFileSync('docs/rules.md', 'utf8');
    const all = [...text.matchAll(/^- \*\*([A-Z]{2}\d+)\*\*/gm)].map((m) => m[1]);
    expect(all.length).toBe(new Set(all).size);
  });
});
