/**
 * The fast path for policy YAML (compiler/load/fast-yaml.ts) against `yaml` itself: on every file
 * it accepts, the same value and, for every key and value, the same span — what diagnostics and
 * rule positions are made of; anything outside its subset is left to `yaml`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { fastParseYaml } from '../compiler/load/fast-yaml.ts';
import { DEFAULT_LIMITS } from '../compiler/diagnostics/limits.ts';
import { policyArb, policyFiles } from './helpers/arbitraries.ts';

/** Every node's path, kind, value and [start, end] — the parts of a range that spans use. */
function outline(doc: Document.Parsed | Document): string[] {
  const out: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (isMap(node)) {
      out.push(`${path} map ${node.range?.[0]}-${node.range?.[1]}`);
      for (const pair of node.items) {
        const key = pair.key;
        out.push(`${path} key ${isScalar(key) ? JSON.stringify(key.value) : '?'} ${isScalar(key) ? `${key.range?.[0]}-${key.range?.[1]}` : ''}`);
        walk(pair.value, `${path}/${isScalar(key) ? String(key.value) : '?'}`);
      }
    } else if (isSeq(node)) {
      out.push(`${path} list ${node.range?.[0]}-${node.range?.[1]}`);
      node.items.forEach((item, i) => walk(item, `${path}/${i}`));
    } else if (isScalar(node)) {
      out.push(`${path} scalar ${JSON.stringify(node.value)} ${node.range?.[0]}-${node.range?.[1]}`);
    } else out.push(`${path} other`);
  };
  walk(doc.contents, '');
  return out;
}

function sameAsYaml(text: string): boolean {
  const fast = fastParseYaml(text, DEFAULT_LIMITS.maxYamlDepth);
  if (fast === undefined) return false;
  const doc = parseDocument(text, { uniqueKeys: false, strict: true });
  expect(doc.errors, text).toEqual([]);
  expect(fast.value, text).toEqual(doc.toJS());
  expect(outline(fast.doc), text).toEqual(outline(doc));
  return true;
}

describe('fast YAML path: the same values and spans as `yaml`', () => {
  it('every bundled policy file it reads', () => {
    const root = new URL('../policies/', import.meta.url);
    let read = 0;
    let files = 0;
    for (const set of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      for (const f of readdirSync(new URL(`${set.name}/`, root)).filter((n) => n.endsWith('.yaml'))) {
        files++;
        if (sameAsYaml(readFileSync(new URL(`${set.name}/${f}`, root), 'utf8'))) read++;
      }
    }
    // most are read by the fast path; the rest (descriptions with punctuation, block lists of mappings) by `yaml`
    expect(files).toBeGreaterThan(10);
    expect(read).toBeGreaterThan(0);
  });

  it('random policies (test/helpers/arbitraries.ts)', () => {
    let read = 0;
    fc.assert(
      fc.property(policyArb, (policy) => {
        for (const text of Object.values(policyFiles(policy))) if (sameAsYaml(text)) read++;
      }),
      { numRuns: 150 },
    );
    expect(read).toBeGreaterThan(50);
  });

  it('the shapes it reads, with comments, blank lines and lists at the indentation of their key', () => {
    const texts = [
      'a: 1\n',
      'a: b\nc: d',
      'roles:\n  rep:\n    grants:\n      lead: { view: red, \'*\': green }  # c\n      x: [a, b]\n\n    # note\n    top: true\n  b: plain text here   # comment\nother: "q"\n',
      'a:\n- x\n- "y"\n- [1, 2]\nb: { c: [d, { e: f }], g: {} , h: [] }\n',
      'a:\n  - x   # one\n  - y\n\n# end\n',
      "k: 'it is'\n\"q k\": -5\nn: null\nt: True\n",
      'a:\n  b:\n    c: 1\n  # mid comment\n  d: 2\n',
      'a:\n  b:\n    c: 1\n# top comment\n  d: 2\n',
      'a:\n  b: Zażółć gęślą, jaźń - no; x#y, [z]\n',
    ];
    for (const text of texts) expect(sameAsYaml(text), text).toBe(true);
  });

  it('anything else is left to `yaml`', () => {
    const texts = [
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: |\n  text\n',
      'a: >\n  text\n',
      'a: one\n  two\n',
      'a:\tb\n',
      'a: 1\na: 2\n',
      'a: 1.5\n',
      'a: 007\n',
      'a: [b, c,]\n',
      'a: [b,\n  c]\n',
      "a: 'it''s'\n",
      'a: "x\\ny"\n',
      '- a: b\n',
      'a:\n  - b: c\n',
      '---\na: b\n',
      '? a\n: b\n',
      'a: b: c\n',
      '__proto__: x\n',
      'a:\n',
      '# only a comment\n',
      '',
      'a: 2026-01-01\n',
      'a: b # c\n  d: e\n',
      'a:\n  b: 1\n c: 2\n',
      '1: a\n',
      'a: [b: c]\n',
      'a:\n  b:\n    c: 1\n      # deeper comment\n  d: 2\n',
      'a:\n  b:\n    c: 1\n    # deep comment\n',
    ];
    for (const text of texts) expect(fastParseYaml(text, DEFAULT_LIMITS.maxYamlDepth), JSON.stringify(text)).toBeUndefined();
  });

  it('nesting past the limit is left to `yaml`, which reports it', () => {
    const deep = (n: number) => Array.from({ length: n }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' v\n';
    expect(fastParseYaml(deep(5), 5)).toBeDefined();
    expect(fastParseYaml(deep(6), 5)).toBeUndefined();
    expect(fastParseYaml('a: [[[[[1]]]]]\n', 5)).toBeUndefined();
    expect(fastParseYaml('a: [[[1]]]\n', 5)).toBeDefined();
  });
});
