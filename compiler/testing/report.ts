/** Reports of a `policyc test` run: readable text, JUnit XML for CI, and JSON. */
import { escapeControls } from '../diagnostics/display.ts';
import type { TestRun } from './tests.ts';

const percent = (covered: number, total: number): number => (total === 0 ? 100 : (100 * covered) / total);

export function cellCoverage(run: TestRun): number {
  return percent(run.coverage.cells.covered, run.coverage.cells.total);
}

function counts(run: TestRun): { passed: number; failed: number } {
  const passed = run.results.filter((r) => r.passed).length;
  return { passed, failed: run.results.length - passed };
}

export function testText(run: TestRun, showUncovered = 20): string {
  const out: string[] = [];
  let file = '';
  for (const r of run.results) {
    if (r.file !== file) {
      file = r.file;
      out.push(escapeControls(file));
    }
    out.push(`  ${r.passed ? '✓' : '✗'} ${escapeControls(r.name)}`);
    for (const e of r.expectations.filter((x) => !x.passed)) {
      const got = e.field !== undefined ? e.actual.code : `${e.actual.allow ? 'allow' : 'deny'} (${e.actual.code})`;
      out.push(`      ${e.action}: expected ${e.expected}, got ${got} at ${r.file}:${r.line}${r.now === undefined ? '' : ` (now ${r.now})`}`);
      out.push(`        ${escapeControls(e.actual.reason)}`);
    }
  }
  const { cells, rules, conditional } = run.coverage;
  out.push('');
  const stages = conditional.total === 0 ? '' : `; stage and pipeline cells: ${conditional.covered}/${conditional.total}`;
  out.push(`coverage: ${cells.covered}/${cells.total} matrix cells (${cellCoverage(run).toFixed(1)}%${stages}), ${rules.covered}/${rules.total} rules (${percent(rules.covered, rules.total).toFixed(1)}%)`);
  if (cells.uncovered.length > 0) {
    out.push(`uncovered cells (role · resource · action${conditional.total === 0 ? '' : ' [stage or pipeline]'}):`);
    for (const cell of cells.uncovered.slice(0, showUncovered)) out.push(`  ${cell}`);
    if (cells.uncovered.length > showUncovered) out.push(`  … and ${cells.uncovered.length - showUncovered} more`);
  }
  const { passed, failed } = counts(run);
  out.push('');
  out.push(`${passed} passed, ${failed} failed`);
  return out.join('\n');
}

/** XML text: controls from policy text escaped visibly (XML 1.0 cannot hold most of them), markup characters as references. */
const xml = (s: string): string => escapeControls(s).replace(/[\ufffe\uffff]/g, '\ufffd').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function testJunit(run: TestRun, suite: string): string {
  const byFile = new Map<string, TestRun['results'][number][]>();
  for (const r of run.results) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
  const { passed, failed } = counts(run);
  const out = [`<?xml version="1.0" encoding="UTF-8"?>`, `<testsuites name="${xml(suite)}" tests="${passed + failed}" failures="${failed}">`];
  for (const [file, results] of byFile) {
    out.push(`  <testsuite name="${xml(file)}" tests="${results.length}" failures="${results.filter((r) => !r.passed).length}">`);
    for (const r of results) {
      out.push(`    <testcase name="${xml(r.name)}" classname="${xml(file)}" file="${xml(file)}" line="${r.line}">`);
      for (const e of r.expectations.filter((x) => !x.passed)) {
        out.push(`      <failure message="${xml(`${e.action}: expected ${e.expected}, got ${e.actual.code}`)}">${xml(e.actual.reason)}</failure>`);
      }
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n');
}

export function testJson(run: TestRun): string {
  const { passed, failed } = counts(run);
  return JSON.stringify({ passed, failed, results: run.results, coverage: run.coverage }, null, 2);
}
