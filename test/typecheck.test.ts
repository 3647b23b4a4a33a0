import { describe, expect, it } from 'vitest';
import { tsc } from './helpers/tsc.ts';

describe('type-check', () => {
  it('the compiler and tests pass tsc under strict, noUncheckedIndexedAccess and exactOptionalPropertyTypes', () => {
    expect(tsc('tsconfig.json')).toBe('');
  });

  it('the runtime type-checks alone, without Node types (it must run anywhere)', () => {
    expect(tsc('packages/runtime/tsconfig.json')).toBe('');
  });
});
