/**
 * The example of docs/directory.md is a test: the ```yaml policy block is the policy, the
 * ```yaml users.yaml block the directory, and the ```text check block the first line of each
 * diagnostic `policyc check <dir> --directory users.yaml` prints, in order.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { checkCommand } from '../compiler/cli/check.ts';
import { fencedBlocks } from './helpers/markdown.ts';

const page = readFileSync(new URL('../docs/directory.md', import.meta.url), 'utf8');
const blocks = fencedBlocks(page, 'docs/directory.md');
const tmp = mkdtempSync(join(tmpdir(), 'policyc-directory-docs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

it('docs/directory.md: the example directory gives exactly the diagnostics the page shows (R-O2, R-O5, R-Z4)', () => {
  const block = (info: string): string => {
    const found = blocks.find((b) => b.info === info);
    expect(found, `a \`\`\`${info} block`).toBeDefined();
    return found!.text;
  };
  mkdirSync(join(tmp, 'policy'));
  writeFileSync(join(tmp, 'policy', 'policy.yaml'), block('yaml policy'));
  writeFileSync(join(tmp, 'users.yaml'), block('yaml users.yaml'));
  let out = '';
  let err = '';
  const code = checkCommand('policy', { format: 'text', directory: 'users.yaml' }, { out: (t) => (out += t), err: (t) => (err += t), cwd: tmp, color: false });
  expect(code).toBe(1);
  expect(out).toBe('');
  const firstLines = err.split('\n').filter((l) => /^\S+:\d+:\d+: (error|warning) PC\d{4}:/.test(l));
  expect(firstLines.join('\n') + '\n').toBe(block('text check'));
  expect(err).toContain('help: did you mean `north`?');
});
