import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './hub-process';
import { commandTable } from '../../server/commands/table';

/** The README, docs/ and bench/README.md: what a newcomer follows link by link. */
const PAGES = [
  'README.md',
  'bench/README.md',
  ...fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Markdown outside fenced code blocks (a link-like text in an example is not a link). */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  const text = prose(fs.readFileSync(file, 'utf8'));
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]!)));
}

describe('documentation links', () => {
  it('every relative link of README.md, docs/ and bench/README.md points to a file (and heading) that exists', () => {
    const broken: string[] = [];
    let links = 0;
    for (const page of PAGES) {
      const text = prose(fs.readFileSync(path.join(ROOT, page), 'utf8'));
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target!)) continue; // https:, mailto:
        links++;
        const [file, fragment] = target!.split('#') as [string, string | undefined];
        const resolved = file ? path.resolve(ROOT, path.dirname(page), file) : path.join(ROOT, page);
        if (!fs.existsSync(resolved)) broken.push(`${page}: ${target} (no such file)`);
        else if (fragment && resolved.endsWith('.md') && !anchorsOf(resolved).has(fragment)) broken.push(`${page}: ${target} (no such heading)`);
      }
    }
    expect(links).toBeGreaterThan(10);
    expect(broken).toEqual([]);
  });

  it('the README stays short: a newcomer reads it, docs/ holds the reference', () => {
    expect(fs.statSync(path.join(ROOT, 'README.md')).size).toBeLessThan(8 * 1024);
  });

  it('docs/api.md lists every command of the command table, with its endpoint, socket twin and who may run it', () => {
    const text = fs.readFileSync(path.join(ROOT, 'docs/api.md'), 'utf8');
    const rows = new Map([...text.matchAll(/^\| `([\w.]+)` \| (\w+) `([^`]+)` \| (socket)? ?\| (.+) \|$/gm)].map((m) => [m[1]!, m.slice(2)]));
    const wrong = commandTable
      .filter((c) => {
        const row = rows.get(c.name);
        return !row || row[0] !== c.rest.method || row[1] !== c.rest.path || Boolean(row[2]) !== Boolean(c.socket) || row[3] !== c.allow.who;
      })
      .map((c) => c.name);
    expect(wrong, 'add or correct their rows in the Commands table of docs/api.md').toEqual([]);
    expect([...rows.keys()].filter((name) => !commandTable.some((c) => c.name === name))).toEqual([]);
  });
});
