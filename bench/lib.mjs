// Small shared pieces of the benchmarks: a seeded PRNG, medians, loading a compiled checker.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export function prng(seed) {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
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
