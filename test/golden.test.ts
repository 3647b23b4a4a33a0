/**
 * Golden cases, one folder each (STYLE.md): `compile/<case>/policy/` with the expected
 * generated files beside it, and `diagnostics/<case>/` with the expected report, code frames
 * and underlines included. `UPDATE_SNAPSHOTS=1 npm test` rewrites them; review the diff.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkDir, compileDir } from '../compiler/index.ts';
import { formatText } from '../compiler/diagnostics/format.ts';
import { golden } from './helpers/golden.ts';
import { tsc } from './helpers/tsc.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const cases = (dir: string): string[] => readdirSync(join(here, 'golden', dir)).filter((n) => !n.includes('.')).sort();

describe('generated code goldens', () => {
  for (const name of cases('compile')) {
    it(`${name}: checker.ts and checker.d.ts match the golden files`, async () => {
      const dir = join(here, 'golden', 'compile', name);
      const result = await compileDir(join(dir, 'policy'));
      expect(result.diagnostics).toEqual([]);
      mkdirSync(join(dir, 'expected'), { recursive: true });
      golden(join(dir, 'expected', 'checker.ts'), result.output!.checkerTs);
      golden(join(dir, 'expected', 'checker.d.ts'), result.output!.declarations);
    });
  }

  it('every golden checker type-checks under strict, noUncheckedIndexedAccess and exactOptionalPropertyTypes', () => {
    expect(tsc(join(here, 'golden', 'tsconfig.json')), 'tsc report').toBe('');
  });

  it('the same policy compiles to byte-identical output twice (deterministic)', async () => {
    const dir = join(here, 'golden', 'compile', 'hierarchy', 'policy');
    const [a, b] = [await compileDir(dir), await compileDir(dir)];
    expect(a.output!.checkerTs).toBe(b.output!.checkerTs);
    expect(a.output!.bundle).toBe(b.output!.bundle);
  });
});

describe('diagnostic goldens', () => {
  for (const name of cases('diagnostics')) {
    it(`${name}: the report matches diagnostics.txt`, () => {
      const dir = join(here, 'golden', 'diagnostics', name);
      const result = checkDir(dir);
      const text = formatText(result.diagnostics, result.sources) + '\n';
      golden(join(dir, 'diagnostics.txt'), text);
      expect(result.diagnostics.length).toBeGreaterThan(0);
    });
  }
});

describe('diagnostic catalogue', () => {
  it('docs/diagnostics.md lists every code with its name and meaning', async () => {
    const { CODES } = await import('../compiler/diagnostics/codes.ts');
    const docs = readFileSync(join(here, '..', 'docs', 'diagnostics.md'), 'utf8');
    for (const [name, { code, title }] of Object.entries(CODES)) expect(docs).toContain(`| ${code} | ${name} | ${title} |`);
    const codes = Object.values(CODES).map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
  });
});
