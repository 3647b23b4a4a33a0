import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** tsc's report for a project: empty when it type-checks. */
function tsc(project: string): string {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project, '--noEmit'], { cwd: root, encoding: 'utf8' });
  return (r.stdout + r.stderr).trim();
}

describe('type-check', () => {
  it('the compiler and tests pass tsc under strict, noUncheckedIndexedAccess and exactOptionalPropertyTypes', () => {
    expect(tsc('tsconfig.json')).toBe('');
  });

  it('the runtime type-checks alone, without Node types (it must run anywhere)', () => {
    expect(tsc('packages/runtime/tsconfig.json')).toBe('');
  });
});
