/**
 * The golden-file comparison of test/golden.test.ts and test/hostile.test.ts: a missing file is
 * written, `UPDATE_SNAPSHOTS=1` rewrites, otherwise the text must match byte for byte.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';

export const updateSnapshots = process.env.UPDATE_SNAPSHOTS === '1';

export function golden(file: string, actual: string): void {
  if (updateSnapshots || !existsSync(file)) {
    writeFileSync(file, actual);
    return;
  }
  expect(actual, `golden ${file} (UPDATE_SNAPSHOTS=1 to rewrite)`).toBe(readFileSync(file, 'utf8'));
}
