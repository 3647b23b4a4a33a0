// Small shared pieces of the benchmarks: a seeded PRNG, medians, loading a compiled checker.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** A seeded PRNG (mulberry32): `rnd(n)` is an integer in [0, n). Deterministic across runs. */
export function prng(seed) {
  let s = seed >>> 0;
  return (n) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Imports a bundled checker (the `bundle` output of the compiler). */
export async function importBundle(bundle) {
  const file = join(mkdtempSync(join(tmpdir(), 'policyc-bench-')), 'checker.mjs');
  writeFileSync(file, bundle);
  return import(pathToFileURL(file).href);
}

/**
 * Imports what an application imports of a compiled checker (`compileDir(dir, { lean: true })`):
 * the lean `checker.js`, with the whole `checker.full.cjs` beside it; the bundle of a compiler
 * that writes no lean module (the baseline) as it is.
 */
export async function importBuilt(output) {
  if (output.lean === undefined) return importBundle(output.bundle);
  const dir = mkdtempSync(join(tmpdir(), 'policyc-bench-'));
  writeFileSync(join(dir, 'checker.full.cjs'), output.bundleCjs);
  writeFileSync(join(dir, 'checker.mjs'), output.lean.esm);
  return import(pathToFileURL(join(dir, 'checker.mjs')).href);
}

/**
 * The commit before this project's hardening and on-demand CLI: its compiler emitted checkers
 * that read request values as plain properties, and its CLI imported every library at start-up.
 * The benchmarks compare with it side by side.
 */
export const BASELINE = '6a0634b';

/** BASELINE checked out and built once in a temporary git worktree (reused by later runs), or undefined. */
export function baselineCheckout(log = () => {}) {
  const root = new URL('..', import.meta.url).pathname;
  const dir = join(tmpdir(), `policyc-baseline-${BASELINE}`);
  if (existsSync(join(dir, 'dist', 'compiler', 'cli.js'))) return dir;
  try {
    log(`building the baseline (${BASELINE}) in ${dir}`);
    if (!existsSync(dir)) execFileSync('git', ['worktree', 'add', '--detach', dir, BASELINE], { cwd: root, stdio: 'ignore' });
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'ignore' });
    return dir;
  } catch (error) {
    log(`no baseline: ${error.message.split('\n')[0]}`);
    return undefined;
  }
}
