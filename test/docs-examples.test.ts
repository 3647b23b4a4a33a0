/**
 * Every example of docs/policy-language.md is a test: each block fenced as ```yaml policy is
 * compiled (as `policy.yaml`) and every line of the ```text decisions block that follows it is
 * checked. The decision line format is described at the top of the page's "Examples" section.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Checker } from '../packages/runtime/src/index.ts';
import { compileSources } from './helpers/policy.ts';

const DOC_PATH = new URL('../docs/policy-language.md', import.meta.url);
const doc = readFileSync(DOC_PATH, 'utf8');

interface Block {
  readonly info: string;
  readonly text: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The nearest heading above the block. */
  readonly heading: string;
}

interface Decision {
  readonly source: string;
  readonly line: number;
  readonly role: string;
  readonly action: string;
  readonly kind: string;
  readonly attributes: Record<string, string>;
  readonly principalId: string;
  readonly groups: string[] | undefined;
  readonly allow: boolean;
  readonly code: string;
}

interface Example {
  readonly heading: string;
  readonly policy: Block;
  readonly decisions: Decision[];
}

function fencedBlocks(markdown: string): Block[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: Block[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const h = /^#{1,6}\s+(.*)$/.exec(l);
    if (h) {
      heading = h[1]!.trim();
      continue;
    }
    const open = /^```(.*)$/.exec(l);
    if (!open) continue;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !/^```\s*$/.test(lines[j]!)) body.push(lines[j++]!);
    if (j >= lines.length) throw new Error(`docs/policy-language.md:${i + 1}: unclosed code fence`);
    blocks.push({ info: open[1]!.trim().replace(/\s+/g, ' '), text: body.join('\n') + '\n', line: i + 1, heading });
    i = j;
  }
  return blocks;
}

const DECISION = /^(\S+) (\S+) (\S+)((?: [^\s=]+=\S*)*) as (\S+)(?: groups=(\S*))? -> (allow|deny) \(([a-z-]+)\)$/;

function parseDecision(source: string, line: number): Decision {
  const m = DECISION.exec(source.trim().replace(/\s+/g, ' '));
  if (!m) throw new Error(`docs/policy-language.md:${line}: not a decision line: ${source}`);
  const attributes: Record<string, string> = {};
  for (const word of m[4]!.trim().split(' ').filter(Boolean)) {
    const eq = word.indexOf('=');
    attributes[word.slice(0, eq)] = word.slice(eq + 1);
  }
  const groups = m[6] === undefined ? undefined : m[6].split(',').filter(Boolean);
  return { source: source.trim(), line, role: m[1]!, action: m[2]!, kind: m[3]!, attributes, principalId: m[5]!, groups, allow: m[7] === 'allow', code: m[8]! };
}

function examples(): Example[] {
  const blocks = fencedBlocks(doc);
  const out: Example[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    if (b.info !== 'yaml policy') {
      if (b.info === 'text decisions') throw new Error(`docs/policy-language.md:${b.line}: a decisions block without a policy block before it`);
      continue;
    }
    const next = blocks[i + 1];
    if (!next || next.info !== 'text decisions') throw new Error(`docs/policy-language.md:${b.line}: a policy block must be followed by a \`\`\`text decisions block`);
    const decisions: Decision[] = [];
    next.text.split('\n').forEach((text, k) => {
      if (text.trim() === '' || text.trim().startsWith('#')) return;
      decisions.push(parseDecision(text, next.line + 1 + k));
    });
    out.push({ heading: b.heading, policy: b, decisions });
    i++;
  }
  return out;
}

const EXAMPLES = examples();

describe('docs/policy-language.md examples', () => {
  it('R-K3 R-K4 R-Z1 the page has worked examples, each naming the requirements it shows', () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(6);
    for (const e of EXAMPLES) {
      expect(e.heading, `example at line ${e.policy.line}`).toMatch(/R-[A-Z]+\d+/);
      expect(e.decisions.length, `example "${e.heading}"`).toBeGreaterThan(0);
    }
  });

  for (const example of EXAMPLES) {
    const ids = [...new Set(example.heading.match(/R-[A-Z]+\d+/g) ?? [])].join(' ');
    const title = example.heading.replace(/\s*\([^)]*R-[A-Z]+\d+[^)]*\)\s*$/, '');
    describe(`${ids} ${title} (docs line ${example.policy.line})`, () => {
      let compiled: Promise<Checker> | undefined;
      const checker = () => (compiled ??= compileSources({ 'policy.yaml': example.policy.text }));

      it(`${ids} the policy of "${title}" compiles`, async () => {
        await expect(checker()).resolves.toBeDefined();
      });

      for (const d of example.decisions) {
        it(`${ids} ${d.source}`, async () => {
          const c = await checker();
          const principal = d.groups === undefined ? { id: d.principalId, role: d.role } : { id: d.principalId, role: d.role, groups: d.groups };
          const decision = c.can(principal, d.action, { kind: d.kind, ...d.attributes });
          expect({ allow: decision.allow, code: decision.code }, `docs/policy-language.md:${d.line}: ${decision.reason}`).toEqual({ allow: d.allow, code: d.code });
        });
      }
    });
  }
});
