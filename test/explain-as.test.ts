/**
 * `policyc explain <dir> --as <user> --directory FILE` (issue 16): the principal of an explain
 * request is a user of the directory, found by id, email or key, after the directory is checked
 * against the policy. (compiler/cli.ts declares the flags; this runs the command's module.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explainCommand, type ExplainFlags } from '../compiler/cli/explain.ts';
import { UsageError } from '../compiler/cli/io.ts';
import { root } from './helpers/cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'policyc-explain-as-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const reporting = join(tmp, 'reporting.jsonl');
writeFileSync(
  reporting,
  [
    { id: 'ceo', role: 'manager', email: 'ceo@acme.test' },
    { id: 'vp', role: 'manager', reportsTo: 'ceo' },
    { id: 'rep', role: 'member', reportsTo: 'vp' },
  ]
    .map((u) => JSON.stringify(u))
    .join('\n'),
);

async function explain(dir: string, request: string, flags: Partial<ExplainFlags>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { out: (t: string) => (out += t), err: (t: string) => (err += t), cwd: root, color: false, stdin: async () => request };
  const code = await explainCommand(dir, { request: '-', format: 'text', ...flags }, io);
  return { code, out, err };
}

describe('explain --as: the principal comes from the user directory', () => {
  it('R-Z4 a manager found by email reaches a deal of someone two levels below, through the directory\'s reportsTo', async () => {
    const r = await explain('policies/zoho-reporting', 'action: view\nresource: { kind: deal, owner: rep, amount: 5 }\n', { as: 'ceo@acme.test', directory: reporting });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^allowed \(reports\):/);
    const denied = await explain('policies/zoho-reporting', 'action: view\nresource: { kind: deal, owner: ceo, amount: 5 }\n', { as: 'rep', directory: reporting });
    expect(denied.out).toMatch(/^denied \(/);
  });

  it('a user with several roles is decided by any role, and the trace follows the role that allowed', async () => {
    const directory = join(root, 'policies/authzen-todo/directory.json');
    const r = await explain('policies/authzen-todo', 'action: can_update_todo\nresource: { kind: todo, ownerID: beth@the-smiths.com }\n', { as: 'rick@the-citadel.com', directory, format: 'json' });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { decision: { allow: boolean; rule: { role: string } } };
    expect(json.decision.allow).toBe(true);
    expect(json.decision.rule.role).toBe('evil_genius');
    // the directory's users carry a display name no condition reads: warnings, printed, not fatal
    expect(r.err).toMatch(/warning PC7003: user `rick@the-citadel.com` holds the unknown attribute `name`/);
  });

  it('the field access of a directory user (R-K6, R-Z9)', async () => {
    const r = await explain('policies/zoho-reporting', 'field: amount\nresource: { kind: deal, owner: rep, amount: 5 }\n', { as: 'vp', directory: reporting });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^read-write: field `amount`/);
  });

  it('a directory with errors is reported and nothing is explained', async () => {
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ id: 'ceo', role: 'manger' }]));
    const r = await explain('policies/zoho-reporting', 'action: view\nresource: { kind: deal, owner: x }\n', { as: 'ceo', directory: bad });
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/bad\.json:1:\d+: error PC7003: user `ceo` holds the unknown role `manger`/);
  });

  it('usage errors: an unknown user, --as without --directory, a request that also names a principal', async () => {
    const request = 'action: view\nresource: { kind: deal, owner: x }\n';
    await expect(explain('policies/zoho-reporting', request, { as: 'nobody', directory: reporting })).rejects.toThrow(new UsageError("no user `nobody` in the directory: give a user's id, email or key"));
    await expect(explain('policies/zoho-reporting', request, { as: 'ceo' })).rejects.toThrow(UsageError);
    await expect(explain('policies/zoho-reporting', request, { directory: reporting })).rejects.toThrow(UsageError);
    await expect(explain('policies/zoho-reporting', `principal: { id: ceo, role: manager }\n${request}`, { as: 'ceo', directory: reporting })).rejects.toThrow(/write one/);
  });
});
