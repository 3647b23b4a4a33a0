/**
 * The pieces behind the hostile corpus (issue 14), one property each: strict UTF-8 with the first
 * bad byte, escaping of control characters in every format, underlines by display width, the
 * 50-error cutoff of the text format, duplicate keys, configurable limits, and the policy test
 * files read like policy files (a symbolic link is followed).
 */
import { cpSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDir, checkSources } from '../compiler/index.ts';
import { formatGithub, formatSarif } from '../compiler/diagnostics/ci-formats.ts';
import { diagnostic, DiagnosticBag } from '../compiler/diagnostics/diagnostic.ts';
import { escapeControls, frameLine } from '../compiler/diagnostics/display.ts';
import { formatJson, formatText } from '../compiler/diagnostics/format.ts';
import { parseLimits } from '../compiler/diagnostics/limits.ts';
import { decodeUtf8, firstInvalidByte } from '../compiler/load/utf8.ts';
import { testJunit, testText } from '../compiler/testing/report.ts';
import { loadTests, type TestRun } from '../compiler/testing/tests.ts';

const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('strict UTF-8', () => {
  it('finds the first invalid byte exactly where a strict decoder stops accepting', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    const valid = (bytes: Uint8Array): boolean => {
      try {
        strict.decode(bytes);
        return true;
      } catch {
        return false;
      }
    };
    // bytes near the edges of the encoding: overlongs, surrogates, above U+10FFFF, truncations
    const byte = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x80, 0xbf, 0xc0, 0xc2, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0x9f, 0xa0, 0x8f, 0x90));
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 12 }), (list) => {
        const bytes = Uint8Array.from(list);
        const bad = firstInvalidByte(bytes);
        expect(bad === bytes.length).toBe(valid(bytes));
        expect(valid(bytes.subarray(0, bad)), 'everything before the bad byte is valid').toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('gives the offset of the replacement character in the lossy text, after a BOM', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('roles:\n  caf'), Buffer.from([0xe9]), Buffer.from('_x: {}\n')]);
    const d = decodeUtf8(bytes);
    expect(d.badByte).toBe(0xe9);
    expect(d.text[d.badOffset]).toBe('\ufffd');
    expect(d.text.slice(0, d.badOffset)).toBe('roles:\n  caf');
    expect(decodeUtf8(Buffer.from('\ufeffa: 1\n')).text).toBe('a: 1\n');
  });
});

describe('control characters are escaped in every format', () => {
  const hostile = 'x\u001b[2J\u001b[31mok\u0007\u202e\r\n\u2028\u0085y';
  const list = [diagnostic('UnknownRole', { file: 'p.yaml', start: 9, end: 20 }, `unknown role \`${hostile}\``, { help: hostile, related: [{ file: 'p.yaml', start: 9, end: 10, message: hostile }] })];
  const sources = new Map([['p.yaml', `roles: [ ${hostile} ]\n`]]);

  it('text, JSON, GitHub annotations and SARIF show no raw control character', () => {
    for (const out of [formatText(list, sources), formatJson(list, sources), formatGithub(list, sources, (f) => f), formatSarif(list, sources, (f) => f, '1')]) {
      expect(out).not.toMatch(RAW_CONTROL);
      expect(out).toContain('\\u{1b}[2J');
    }
  });

  it('the JUnit and text reports of `policyc test` escape test names and reasons', () => {
    const run = {
      results: [{ file: 'a_test.yaml', line: 3, name: hostile, passed: false, expectations: [{ span: { file: 'a_test.yaml', start: 0, end: 1 }, action: 'view', expected: 'allow', actual: { allow: false, code: 'denied', reason: hostile, rule: undefined }, passed: false }] }],
      coverage: { cells: { covered: 0, total: 0, uncovered: [] }, rules: { covered: 0, total: 0 }, conditional: { covered: 0, total: 0 } },
    } as unknown as TestRun;
    for (const out of [testJunit(run, 'suite'), testText(run)]) {
      expect(out).not.toMatch(RAW_CONTROL);
      expect(out).toContain('\\u{1b}[2J');
    }
  });

  it('escaping is idempotent, so a value escaped twice reads the same', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        const once = escapeControls(s);
        expect(escapeControls(once)).toBe(once);
        expect(once).not.toMatch(RAW_CONTROL);
      }),
      { numRuns: 500 },
    );
  });
});

describe('code frames underline by display width', () => {
  it('counts CJK and emoji as two columns, combining marks as none', () => {
    expect(frameLine('営業: x', 4, 5)).toEqual({ text: '営業: x', pad: 6, width: 1 });
    expect(frameLine('🚀 a', 3, 4)).toEqual({ text: '🚀 a', pad: 3, width: 1 });
    expect(frameLine('e\u0301 b', 3, 4)).toEqual({ text: 'e\u0301 b', pad: 2, width: 1 });
  });

  it('cuts a long line around the span, the caret still under the span', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 1, max: 30 }), (start, length) => {
        const line = 'ab'.repeat(1000) + 'TARGET' + 'cd'.repeat(1000);
        const at = Math.min(start, 1999);
        const withTarget = line.slice(0, at) + 'TARGET' + line.slice(at + 6);
        const shown = frameLine(withTarget, at, at + Math.min(length, 6));
        expect(shown.text.length).toBeLessThanOrEqual(162);
        expect(shown.text.slice(shown.pad, shown.pad + 6)).toBe('TARGET');
      }),
      { numRuns: 300 },
    );
  });
});

describe('the text format stops after 50 errors', () => {
  const bag = new DiagnosticBag();
  for (let i = 0; i < 60; i++) bag.report('UnknownRole', { file: 'p.yaml', start: i, end: i + 1 }, `unknown role \`r${i}\``);
  bag.report('EmptyFile', { file: 'q.yaml', start: 0, end: 0 }, '`q.yaml` is empty', { severity: 'warning' });
  const sources = new Map([['p.yaml', 'x'.repeat(80)]]);

  it('prints 50, counts the rest, and keeps the totals', () => {
    const text = formatText(bag.items, sources);
    expect(text.match(/error PC3001/g)).toHaveLength(50);
    expect(text).toContain('… and 11 more (`--format json` lists them all)');
    expect(text).toMatch(/60 errors, 1 warning$/);
  });

  it('JSON, GitHub and SARIF keep every diagnostic', () => {
    expect((JSON.parse(formatJson(bag.items, sources)) as { diagnostics: unknown[] }).diagnostics).toHaveLength(61);
    expect(formatGithub(bag.items, sources, (f) => f).split('\n')).toHaveLength(61);
  });
});

describe('YAML keys and limits', () => {
  it('a key written twice is reported once with the first place, also when one is quoted (`1` and `"1"` are one key to JavaScript)', () => {
    const r = checkSources('p', [{ path: 'p.yaml', text: 'roles:\n  1: {}\n  "1": {}\n' }]);
    expect(r.diagnostics.map((d) => [d.code, d.message, d.related.length])).toEqual([['PC1004', 'key `1` appears twice in this mapping', 1]]);
  });

  it('a BOM read from a file does not shift columns', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policyc-bom-'));
    try {
      writeFileSync(join(dir, 'p.yaml'), '\ufeffroles: { sales: { grants: { lead: green } } }\n');
      const r = checkDir(dir);
      expect(formatText(r.diagnostics, r.sources)).toMatch(/^p\.yaml:1:29: error PC3002: unknown resource or module `lead`\n  \|\n1 \| roles: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('limits come from `name=value` words (the CLI flag) and refuse anything else', () => {
    expect(parseLimits(['maxRoles=20_000', 'maxYamlDepth=50'])).toEqual({ limits: { maxRoles: 20_000, maxYamlDepth: 50 } });
    for (const bad of ['maxRoles', 'maxRoles=-1', 'maxRoles=1e9', 'toString=1', '__proto__=1', 'maxroles=5']) expect(parseLimits([bad])).toHaveProperty('error');
  });

  it('limits can be raised or lowered per call', () => {
    const text = 'resources:\n  lead: { actions: [view] }\nroles:\n  a: {}\n  b: {}\n  c: {}\n';
    expect(checkSources('p', [{ path: 'p.yaml', text }], { limits: { maxRoles: 2 } }).diagnostics.map((d) => d.code)).toEqual(['PC1015']);
    expect(checkSources('p', [{ path: 'p.yaml', text }], { limits: { maxRules: 2 } }).diagnostics.map((d) => d.code)).toEqual(['PC1016']);
    expect(checkSources('p', [{ path: 'p.yaml', text }], { limits: { maxYamlDepth: 2 } }).diagnostics.map((d) => d.code)).toEqual(['PC1009']);
    expect(checkSources('p', [{ path: 'p.yaml', text }]).diagnostics).toEqual([]);
  });
});

describe('policy test files are read like policy files', () => {
  it('a `*_test.yaml` that is a symbolic link is followed, so `policyc test` runs its tests', () => {
    const source = fileURLToPath(new URL('../policies/kommo-crm', import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), 'policyc-linked-test-'));
    try {
      cpSync(source, dir, { recursive: true, filter: (p) => !p.includes('generated') });
      renameSync(join(dir, 'kommo_test.yaml'), join(dir, 'tests.txt'));
      symlinkSync('tests.txt', join(dir, 'kommo_test.yaml'));
      const bag = new DiagnosticBag();
      const { tests } = loadTests(dir, bag);
      expect(bag.items).toEqual([]);
      expect(tests.length).toBeGreaterThan(10);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
