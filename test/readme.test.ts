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

describe('README explain example', () => {
  it('R-Z1 prints exactly what the README shows', async () => {
    const { main } = await import('../compiler/cli.ts');
    const block = readme.split("npx policyc explain policies/zoho-hierarchy --request -\n")[1]!.split('\n```')[0]!;
    let out = '';
    const request = '{ principal: { id: m1, role: sales_manager }, action: view, resource: { kind: deal, owner: r9, ownerRole: sales_trainee } }';
    expect(readme).toContain("echo '{ principal: { id: m1, role: sales_manager }, action: view,\n         resource: { kind: deal, owner: r9, ownerRole: sales_trainee } }'");
    const root = new URL('..', import.meta.url).pathname;
    const code = await main(['explain', 'policies/zoho-hierarchy', '--request', '-'], { out: (t) => (out += t), err: () => {}, cwd: root, color: false, stdin: async () => request });
    expect(code).toBe(0);
    expect(out.trim()).toBe(block.trim());
  });
});
