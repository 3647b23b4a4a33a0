/**
 * The fuzz run of `npm run fuzz` (test/helpers/fuzz.ts), small: random and hostile requests
 * against every example set's checker and the reference interpreter — no throw, no disagreement.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FUZZ_SETS, fuzzSet } from './helpers/fuzz.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('fuzz: hostile requests against the example checkers and the reference interpreter', () => {
  it.each(FUZZ_SETS)('R-K1 R-K3 R-Z1 R-Z4 %s: 3,000 requests, 0 throws, 0 disagreements', async (set) => {
    const figures = await fuzzSet(root, set, 3_000, 20261205);
    expect(figures.examples).toEqual([]);
    expect({ throws: figures.throws, disagreements: figures.disagreements }).toEqual({ throws: 0, disagreements: 0 });
    // the generator reaches allowing paths and hostile ones, not only malformed requests
    expect(figures.allowed).toBeGreaterThan(0);
    expect(figures.referenceThrew).toBeGreaterThan(0);
  });
});
