import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { main } from '../compiler/cli.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('sample GitHub Actions workflow', () => {
  it('is valid YAML and each of its policyc commands runs on an example policy set', async () => {
    const text = readFileSync(join(root, '.github/workflows/policies.yml'), 'utf8');
    const workflow = parse(text) as { jobs: Record<string, { steps: { run?: string }[] }> };
    const runs = Object.values(workflow.jobs).flatMap((j) => j.steps.map((s) => s.run ?? ''));
    const commands = runs.join('\n').match(/npx policyc [^;>|\n]+/g) ?? [];
    expect(commands.length).toBeGreaterThanOrEqual(6);
    const out = mkdtempSync(join(tmpdir(), 'policyc-workflow-'));
    for (const command of commands) {
      const argv = command
        .replace('npx policyc ', '')
        .replace('"origin/${{ github.base_ref }}"', 'HEAD')
        .replace('"$set"', 'policies/kommo-crm')
        .trim()
        .split(/\s+/);
      if (argv[0] === 'build') argv.push('--out', out);
      const code = await main(argv, { out: () => {}, err: () => {}, cwd: root, color: false });
      // a diff may find widening in a working tree being edited; nothing may be a usage error
      if (argv[0] === 'diff') expect(code, command).not.toBe(2);
      else expect(code, command).toBe(0);
    }
  });
});
