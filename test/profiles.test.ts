/**
 * Role and profile apart (issue 16; R-Z2, R-Z8, R-Z9): `principal.profile` decides what a user
 * may do, `principal.role` whose records they reach. Decision tables of the Zoho example cover
 * the seed's scenarios; this file covers plans, fields, hostile profile values and the review
 * tools (matrix, diff, coverage). The differential test compares all of it with the reference
 * interpreter on random policies.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toPredicate } from '../packages/runtime/src/index.ts';
import { compileSources as compileModel } from '../compiler/index.ts';
import { diffModels } from '../compiler/review/diff.ts';
import { matrixMarkdown } from '../compiler/review/matrix.ts';
import { checkerOf } from './helpers/policy.ts';
import { runCli } from './helpers/cli.ts';

const POLICY = `
resources:
  lead:
    actions: [view, edit]
    attributes: { owner: string, ownerRole: string, email: string }
    owner: owner
    ownerRole: ownerRole
profiles:
  standard:
    grants: { lead: own }
  read_only:
    grants: { lead: { view: own } }
    fields: { lead: { email: hidden } }
roles:
  manager: { profile: standard }
  agent: { profile: standard, reportsTo: manager }
`;

const compile = async (text: string) => {
  const result = await compileModel('profiles', [{ path: 'policy.yaml', text }]);
  if (result.model === undefined) throw new Error(JSON.stringify(result.diagnostics));
  return { model: result.model, checker: await checkerOf(result) };
};

describe('R-Z2 R-Z9 the profile a principal carries', () => {
  it('R-Z2 a role getter that answers another role on each read never escapes the profile: read once per decision', async () => {
    // agent's own profile is read_only, manager's standard: a principal carrying read_only may not
    // edit whichever of the two roles it holds
    const { checker } = await compile(POLICY.replace('agent: { profile: standard', 'agent: { profile: read_only'));
    class Toggling {
      readonly id = 'u1';
      readonly profile = 'read_only';
      private reads = 0;
      get role(): string {
        return this.reads++ % 2 === 0 ? 'agent' : 'manager';
      }
    }
    const mine = { kind: 'lead', owner: 'u1', ownerRole: 'agent' };
    for (let i = 0; i < 4; i++) {
      const principal = new Toggling() as unknown as { id: string; role: string };
      for (let skip = 0; skip < i; skip++) void principal.role;
      expect(checker.can(principal, 'edit', mine).allow).toBe(false);
      expect(checker.can(principal, 'view', mine).allow).toBe(true);
    }
    expect(checker.can({ id: 'u1', role: 'manager' }, 'edit', mine).allow).toBe(true);
  });

  it('R-Z2 plans follow the profile: the read-only manager lists the leads below for view, none for edit', async () => {
    const { checker } = await compile(POLICY);
    const manager = { id: 'm1', role: 'manager', profile: 'read_only' };
    const below = { kind: 'lead', owner: 'a1', ownerRole: 'agent' };
    expect(toPredicate(checker.plan(manager, 'view', 'lead'))(below)).toBe(true);
    expect(checker.plan(manager, 'edit', 'lead').result).toBe('never');
    expect(toPredicate(checker.plan({ id: 'm1', role: 'manager' }, 'edit', 'lead'))(below)).toBe(true);
  });

  it('R-Z9 field masks follow the profile, and a profile the policy lacks hides every field', async () => {
    const { checker } = await compile(POLICY);
    const mine = { kind: 'lead', owner: 'a1', ownerRole: 'agent', email: 'x@example.com' };
    expect(checker.fields({ id: 'a1', role: 'agent' }, mine)).toMatchObject({ email: 'read-write' });
    expect(checker.fields({ id: 'a1', role: 'agent', profile: 'read_only' }, mine)).toMatchObject({ email: 'hidden', owner: 'read-write' });
    expect(checker.fields({ id: 'a1', role: 'agent', profile: 'nope' }, mine)).toMatchObject({ email: 'hidden', owner: 'hidden' });
    expect(checker.redact({ id: 'a1', role: 'agent', profile: 'read_only' }, mine)).toEqual({ kind: 'lead', owner: 'a1', ownerRole: 'agent' });
  });

  it('R-Z2 fail closed: hostile profile values are denied, never thrown, and never fall back to the role', async () => {
    const { checker } = await compile(POLICY);
    const mine = { kind: 'lead', owner: 'a1', ownerRole: 'agent' };
    for (const profile of ['__proto__', 'constructor', 'toString', 'Standard', '', 'standard ', 'read_only\u0000']) {
      expect(checker.can({ id: 'a1', role: 'agent', profile }, 'view', mine), profile).toMatchObject({ allow: false, code: 'unknown-profile' });
      expect(checker.plan({ id: 'a1', role: 'agent', profile }, 'view', 'lead').result, profile).toBe('never');
    }
    for (const profile of [7, null, ['standard'], { toString: () => 'standard' }, true]) {
      expect(checker.can({ id: 'a1', role: 'agent', profile } as never, 'view', mine), String(profile)).toMatchObject({ allow: false, code: 'invalid-request' });
    }
    // a profile inherited from Object.prototype does not count (the own-data rule)
    const proto = Object.prototype as { profile?: unknown };
    proto.profile = 'read_only';
    try {
      expect(checker.can({ id: 'a1', role: 'agent' }, 'edit', mine).code).toBe('own');
    } finally {
      delete proto.profile;
    }
    // a throwing getter is an error decision
    const throwing = Object.defineProperty({ id: 'a1', role: 'agent' }, 'profile', { get: () => { throw new Error('boom'); }, enumerable: true });
    expect(checker.can(throwing, 'view', mine)).toMatchObject({ allow: false, code: 'error' });
  });

  it('R-Z2 a policy without profiles denies any profile a principal carries (fail closed), after nothing else', async () => {
    const { checker } = await compile(`
resources:
  lead: { actions: [view], attributes: { owner: string }, owner: owner }
roles:
  rep: { grants: { lead: all } }
`);
    expect(checker.can({ id: 'u1', role: 'rep' }, 'view', { kind: 'lead' }).code).toBe('all');
    expect(checker.can({ id: 'u1', role: 'rep', profile: 'standard' }, 'view', { kind: 'lead' })).toMatchObject({ allow: false, code: 'unknown-profile' });
  });

  it('R-Z2 the matrix has a row per role and profile, and coverage counts those rows as cells of their own', async () => {
    const { model } = await compile(POLICY);
    const markdown = matrixMarkdown(model);
    expect(markdown).toContain('| agent (profile read\\_only) | 🟨 | 🟥 |');
    expect(markdown).toContain('| agent | 🟨 | 🟨 |');
    // the role's own profile is the role's row: no `agent (profile standard)`
    expect(markdown).not.toContain('profile standard');
    const coverage = async (principals: readonly string[]) => {
      const dir = mkdtempSync(join(tmpdir(), 'policyc-profiles-'));
      writeFileSync(join(dir, 'policy.yaml'), POLICY);
      const tests = principals.map((p, i) => `  - { name: test ${i}, principal: ${p}, resource: { kind: lead, owner: a1 }, expect: { view: own } }`);
      writeFileSync(join(dir, 'lead_test.yaml'), `tests:\n${tests.join('\n')}\n`);
      const r = await runCli('test', dir, '--format', 'json');
      expect(r.code, r.err).toBe(0);
      return (JSON.parse(r.out) as { coverage: { cells: { covered: number; total: number; uncovered: string[] } } }).coverage.cells;
    };
    const base = await coverage(['{ id: a1, role: agent }']);
    const withProfile = await coverage(['{ id: a1, role: agent }', '{ id: a1, role: agent, profile: read_only }']);
    expect(base.total).toBe(8); // manager, agent, and each with read_only: 4 rows × 2 actions
    expect(withProfile.covered).toBe(base.covered + 1);
    expect(base.uncovered).toContain('agent (profile read_only) · lead · view');
    expect(withProfile.uncovered).not.toContain('agent (profile read_only) · lead · view');
  });

  it('R-Z2 diff: a change to a profile shows for the roles whose users may carry it', async () => {
    const before = (await compile(POLICY)).model;
    const after = (await compile(POLICY.replace('grants: { lead: { view: own } }', 'grants: { lead: { view: own, edit: own } }'))).model;
    const changes = diffModels(before, after).filter((c) => c.kind === 'cell');
    expect(changes.map((c) => c.kind === 'cell' && `${c.role} ${c.action} ${c.before}→${c.after}`).sort()).toEqual([
      'agent (profile read_only) edit deny→own',
      'manager (profile read_only) edit deny→own',
    ]);
  });
});
