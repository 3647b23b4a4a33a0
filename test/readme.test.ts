import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadChecker } from './helpers/policy.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('R-K3 the opening example shows the decision the Kommo example policy really makes', async () => {
    const checker = await loadChecker(new URL('../policies/kommo-crm/', import.meta.url));
    const d = checker.can({ id: 'u7', role: 'sales_rep', groups: ['north'] }, 'edit', { kind: 'lead', responsible: 'u7', team: 'north' });
    expect(readme).toContain("checker.can({ id: 'u7', role: 'sales_rep', groups: ['north'] }, 'edit', { kind: 'lead', responsible: 'u7', team: 'north' });");
    expect(readme).toContain(`// { allow: ${d.allow}, code: '${d.code}',`);
    expect(readme).toContain(`//   reason: '${d.reason}',`);
    expect(readme).toContain(`file: '${d.rule!.file}', line: ${d.rule!.line}, column: ${d.rule!.column}`);
  });
});
