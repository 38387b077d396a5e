import fs from 'node:fs';
import path from 'node:path';

export interface Row {
  scenario: string;
  variant: string;
  metric: string;
  value: number;
  unit: string;
  baseline?: number;
  /** hub / baseline, or the other way round where higher is better: always "hub's share". */
  ratio?: number;
  target?: string;
  pass?: boolean;
  /** The figures came from rounds where the machine was busy with other work. */
  contended?: boolean;
}

const fmt = (v: number | undefined, unit = '') => {
  if (v === undefined || !Number.isFinite(v)) return '—';
  const abs = Math.abs(v);
  const s = abs >= 100_000 ? `${(v / 1000).toFixed(0)}k` : abs >= 1000 ? v.toFixed(0) : abs >= 100 ? v.toFixed(0) : abs >= 10 ? v.toFixed(1) : v.toFixed(2);
  return unit ? `${s} ${unit}` : s;
};

export class Report {
  rows: Row[] = [];
  details: Record<string, unknown> = {};
  notes: string[] = [];
  readonly startedAt = new Date().toISOString();

  add(row: Row) {
    this.rows.push(row);
    const ratio =
      row.ratio === undefined
        ? ''
        : ` (${fmt(row.ratio)}×${row.target ? `, target ${row.target}` : ''}${row.pass === undefined ? '' : row.pass ? ' ok' : ' MISSED'})`;
    const target = row.ratio === undefined && row.target ? ` (target ${row.target}${row.pass === undefined ? '' : row.pass ? ' ok' : ' MISSED'})` : '';
    console.log(
      `  → ${row.scenario} / ${row.variant}: ${row.metric} ${fmt(row.value, row.unit)}${row.baseline === undefined ? '' : ` vs baseline ${fmt(row.baseline, row.unit)}`}${ratio}${target}${row.contended ? ' [contended]' : ''}`,
    );
  }

  note(line: string) {
    this.notes.push(line);
    console.log(`  note: ${line}`);
  }

  table(): string {
    const head = ['scenario', 'variant', 'metric', 'hub', 'baseline', 'ratio', 'target', ''];
    const body = this.rows.map((r) => [
      r.scenario,
      r.variant,
      r.metric,
      fmt(r.value, r.unit),
      fmt(r.baseline, r.baseline === undefined ? '' : r.unit),
      r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×`,
      r.target ?? '',
      `${r.pass === undefined ? '' : r.pass ? 'ok' : 'MISSED'}${r.contended ? ' (contended)' : ''}`,
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
    return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
  }

  write(file: string, meta: Record<string, unknown>) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      JSON.stringify(
        { startedAt: this.startedAt, finishedAt: new Date().toISOString(), ...meta, rows: this.rows, notes: this.notes, details: this.details },
        null,
        2,
      ),
    );
  }
}
