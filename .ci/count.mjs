#!/usr/bin/env node
// Reads vitest's JSON report and prints a breakdown, then `N passed, N failed` as the last line.
//
// usage: node .ci/count.mjs <report.json> <vitest exit code> [failed step ...]
//
// Counting rules:
// - a test counts once: passed, failed, or skipped/todo (skipped counts neither way);
// - a test file that failed without any failed test of its own (an import error, a crashed
//   beforeAll/afterAll, a worker that died) counts every test it did not pass as failed, or
//   one failure for the file when it has none to count;
// - a missing or unreadable report counts one failure, and so does a non-zero vitest exit
//   when nothing else explains it (unhandled errors);
// - every failed step named on the command line (type check, build, services) counts one failure.
// Exit code: 1 when anything failed, else 0.
import fs from 'node:fs';
import path from 'node:path';

const [reportPath, vitestExitArg = '0', ...failedSteps] = process.argv.slice(2);
const vitestExit = Number(vitestExitArg);

const groups = {
  sqlite: { label: 'tests named [sqlite]', passed: 0, failed: 0, skipped: 0 },
  postgres: { label: 'tests named [postgres]', passed: 0, failed: 0, skipped: 0 },
  browser: { label: 'browser tests (tests/e2e/)', passed: 0, failed: 0, skipped: 0 },
  other: { label: 'other tests', passed: 0, failed: 0, skipped: 0 },
};
const failures = [];
let passed = 0;
let failed = 0;

function groupOf(file, name) {
  if (file.split(path.sep).join('/').includes('/tests/e2e/')) return groups.browser;
  if (name.includes('[sqlite]')) return groups.sqlite;
  if (name.includes('[postgres]')) return groups.postgres;
  return groups.other;
}

function record(group, outcome, what) {
  group[outcome]++;
  if (outcome === 'passed') passed++;
  if (outcome === 'failed') {
    failed++;
    failures.push(what);
  }
}

let report;
try {
  report = reportPath ? JSON.parse(fs.readFileSync(reportPath, 'utf8')) : undefined;
} catch (err) {
  report = undefined;
}

if (!report || !Array.isArray(report.testResults)) {
  failed++;
  failures.push(`test run: no readable vitest report${reportPath ? ` at ${reportPath}` : ''} (vitest exit code ${vitestExitArg})`);
} else {
  for (const file of report.testResults) {
    const rel = path.relative(process.cwd(), file.name ?? '');
    const tests = file.assertionResults ?? [];
    const fileCrashed = file.status === 'failed' && !tests.some((t) => t.status === 'failed');
    let counted = 0;
    for (const t of tests) {
      const name = t.fullName ?? t.title ?? '?';
      const group = groupOf(file.name ?? '', name);
      if (t.status === 'passed') record(group, 'passed');
      else if (t.status === 'failed') {
        record(group, 'failed', `${rel} > ${name}`);
        counted++;
      } else if (fileCrashed) {
        record(group, 'failed', `${rel} > ${name} (did not run: ${firstLine(file.message) || 'its file failed'})`);
        counted++;
      } else group.skipped++;
    }
    if (fileCrashed && counted === 0) {
      record(groupOf(file.name ?? '', ''), 'failed', `${rel} (file failed: ${firstLine(file.message) || 'no message'})`);
    }
  }
  if (vitestExit !== 0 && failed === 0) {
    failed++;
    failures.push(`test run: vitest exited with code ${vitestExit} (unhandled errors or a crash; see the log above)`);
  }
}

for (const step of failedSteps) {
  failed++;
  failures.push(`step failed: ${step}`);
}

function firstLine(text) {
  return String(text ?? '')
    .split('\n')[0]
    .trim()
    .slice(0, 200);
}

console.log('');
console.log('==> Summary');
for (const g of Object.values(groups)) {
  console.log(`  ${g.label.padEnd(28)} ${g.passed} passed, ${g.failed} failed, ${g.skipped} skipped`);
}
if (failedSteps.length) console.log(`  ${'failed steps'.padEnd(28)} ${failedSteps.join(', ')}`);
if (failures.length) {
  console.log('  failures:');
  for (const f of failures.slice(0, 100)) console.log(`    - ${f}`);
  if (failures.length > 100) console.log(`    … and ${failures.length - 100} more`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
