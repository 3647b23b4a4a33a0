import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileDir, compileSources as compileTexts } from '../compiler/index.ts';
import { definePolicy, FORMAT_VERSION, loadChecker, PolicyFormatError, reportingDirectory, toPredicate, type Checker } from '../packages/runtime/src/index.ts';
import { checkerOf, compileSources, importBundle } from './helpers/policy.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

const POLICY = {
  'policy.yaml': `
resources:
  lead:
    actions: [view, edit]
    attributes: { responsible: string, team: string, responsibleRole: string }
    owner: responsible
    team: team
    ownerRole: responsibleRole
roles:
  manager:
    grants: { lead: { view: blue, edit: yellow } }
  rep:
    reportsTo: manager
    grants: { lead: yellow }
`,
};

describe('runtime: fails closed', () => {
  let checker: Checker;
  const manager = { id: 'm1', role: 'manager', groups: ['north'] };

  beforeAll(async () => {
    checker = await compileSources(POLICY);
  });

  it('a malformed principal or resource is a denial, never an exception', () => {
    const lead = { kind: 'lead', responsible: 'm1' };
    for (const principal of [null, undefined, 42, 'm1', {}, { id: 'm1' }, { role: 'manager' }, { id: 1, role: 'manager' }]) {
      const d = checker.can(principal as never, 'view', lead);
      expect(d).toMatchObject({ allow: false, code: 'invalid-request' });
    }
    for (const resource of [null, undefined, 'lead', {}, { kind: 7 }]) {
      expect(checker.can(manager, 'view', resource as never)).toMatchObject({ allow: false, code: 'invalid-request' });
    }
  });

  it('unknown roles, kinds and actions are denials with their own codes', () => {
    expect(checker.can({ id: 'x', role: 'intern' }, 'view', { kind: 'lead', responsible: 'x' }).code).toBe('unknown-role');
    expect(checker.can(manager, 'view', { kind: 'invoice' }).code).toBe('unknown-resource');
    expect(checker.can(manager, 'archive', { kind: 'lead', responsible: 'm1' }).code).toBe('unknown-action');
    expect(checker.can({ id: 'x', role: '__proto__' }, 'view', { kind: 'lead', responsible: 'x' }).code).toBe('unknown-role');
    expect(checker.can(manager, 'toString', { kind: 'constructor' }).code).toBe('unknown-resource');
  });

  it('a missing or wrongly typed attribute is a denial naming the attribute role, never an allow', () => {
    const missingOwner = checker.can(manager, 'view', { kind: 'lead' });
    expect(missingOwner).toMatchObject({ allow: false, code: 'missing-attribute' });
    expect(missingOwner.reason).toContain('owner attribute');
    expect(checker.can(manager, 'view', { kind: 'lead', responsible: 42 }).code).toBe('missing-attribute');
    expect(checker.can(manager, 'view', { kind: 'lead', responsible: 'u2' }).reason).toContain('team attribute');
    expect(checker.can(manager, 'view', { kind: 'lead', responsible: 'u2', team: 'south' }).reason).toContain('owner-role attribute');
    expect(checker.can(manager, 'view', { kind: 'lead', responsible: 'u2', team: 'south', responsibleRole: 'rep' })).toMatchObject({ allow: true, code: 'hierarchy' });
  });

  it('`groups` that is not a list is an invalid request when the decision needs it', () => {
    const d = checker.can({ id: 'm1', role: 'manager', groups: 'north' as never }, 'view', { kind: 'lead', responsible: 'u2', team: 'north' });
    expect(d).toMatchObject({ allow: false, code: 'invalid-request' });
  });

  it('an attribute getter that throws is a denial with the error in the reason', () => {
    const record = {
      kind: 'lead',
      get responsible(): string {
        throw new Error('database connection lost');
      },
    };
    const d = checker.can(manager, 'view', record);
    expect(d).toMatchObject({ allow: false, code: 'error' });
    expect(d.reason).toContain('database connection lost');
  });

  it('a decision is one shared frozen object per rule and outcome (a check allocates nothing)', () => {
    const a = checker.can(manager, 'view', { kind: 'lead', responsible: 'm1' });
    const b = checker.can(manager, 'view', { kind: 'lead', responsible: 'm1' });
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.rule)).toBe(true);
  });
});

describe('runtime: format version', () => {
  it('refuses policy data of another format with a clear error', () => {
    const data = { format: FORMAT_VERSION + 1, name: 'crm', hash: 'x', files: [], roles: [], resources: [], actions: [], names: [], rules: [] };
    expect(() => definePolicy(data)).toThrow(PolicyFormatError);
    expect(() => definePolicy(data)).toThrow(new RegExp(`compiled for format ${FORMAT_VERSION + 1}, but this runtime reads format ${FORMAT_VERSION}; rebuild`));
  });

  it('a bundle generated for another format refuses to load', async () => {
    const result = await compileTexts('crm', [{ path: 'policy.yaml', text: POLICY['policy.yaml'] }]);
    // the bundle is minified: `format:7,` in the policy data
    const tampered = result.output!.bundle.replace(new RegExp(`format: ?${FORMAT_VERSION},`), 'format:99,');
    expect(tampered).not.toBe(result.output!.bundle);
    await expect(importBundle(tampered)).rejects.toThrow(/compiled for format 99/);
  });

  it('loadChecker accepts a generated module and rejects anything else', async () => {
    const result = await compileTexts('crm', [{ path: 'policy.yaml', text: POLICY['policy.yaml'] }]);
    const mod = await importBundle(result.output!.bundle);
    expect(loadChecker(mod).policyName).toBe('crm');
    expect(loadChecker(mod).policyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(() => loadChecker({})).toThrow(/does not export a `checker`/);
    expect(() => loadChecker({ checker: { ...(mod.checker as object), formatVersion: 0 } })).toThrow(PolicyFormatError);
  });
});

describe('runtime: fence', () => {
  it('imports nothing but its own files and re2js (no compiler, no Node built-ins, no other package)', () => {
    const dir = new URL('../packages/runtime/src/', import.meta.url);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(new URL(file, dir), 'utf8');
      const specifiers = [...source.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'/gm)].map((m) => m[1]);
      expect(source, file).not.toMatch(/require\(|import\(/);
      // the one package: RE2 for CEL `matches` (issue 13), bundled only into checkers whose patterns need it
      for (const specifier of specifiers) if (!(file === 'celregex.ts' && specifier === 're2js')) expect(specifier, `${file} imports ${specifier}`).toMatch(/^\.\/[a-z]+\.js$/);
    }
  });
});

describe('R-Z4 reportingDirectory: the reporting chain from the application directory, cached, failing closed', () => {
  const set = async () => {
    const result = await compileDir(join(root, 'policies', 'zoho-reporting'));
    return checkerOf(result);
  };
  const chart: Record<string, string[]> = { ana: ['bo'], bo: ['cy', 'di'], cy: [], di: ['ana'] }; // a cycle in the data: di → ana

  it('fills `reports` transitively, once per manager until invalidated, and a cycle cannot loop', async () => {
    const checker = await set();
    let calls = 0;
    const directory = reportingDirectory({ directReports: (id) => (calls++, chart[id] ?? []) });
    const ana = directory.withReports({ id: 'ana', role: 'manager' });
    expect([...(ana.reports ?? [])].sort()).toEqual(['bo', 'cy', 'di']);
    expect(checker.can(ana, 'edit', { kind: 'deal', owner: 'cy' })).toMatchObject({ allow: true, code: 'reports' });
    const first = calls;
    directory.withReports({ id: 'ana', role: 'manager' });
    expect(calls).toBe(first);
    directory.invalidate('cy');
    directory.withReports({ id: 'ana', role: 'manager' });
    expect(calls).toBeGreaterThan(first);
  });

  it('a failing directory gives no `reports`: checks that need the chain deny with a reason, own records stay allowed', async () => {
    const checker = await set();
    const errors: unknown[] = [];
    const directory = reportingDirectory({ directReports: () => { throw new Error('LDAP is down'); } }, { onError: (e) => errors.push(e) });
    const ana = directory.withReports({ id: 'ana', role: 'manager', reports: ['cy'] });
    expect('reports' in ana).toBe(false);
    expect(errors).toHaveLength(1);
    expect(checker.can(ana, 'view', { kind: 'deal', owner: 'cy' })).toMatchObject({ allow: false, code: 'invalid-request', reason: expect.stringContaining('no `reports` list') });
    expect(checker.can(ana, 'view', { kind: 'deal', owner: 'ana' })).toMatchObject({ allow: true, code: 'own' });
    // the plan keeps only the principal's own deals
    expect(checker.plan(ana, 'view', 'deal').filter).toEqual({ op: 'and', args: [{ op: 'present', attribute: 'owner', type: 'string' }, { op: 'eq', attribute: 'owner', value: 'ana' }] });
  });
});

describe('stage and pipeline rules through `extends` (R-K4, R-K5)', () => {
  const POLICY = {
    'policy.yaml': `resources:
  lead:
    actions: [view, edit, export]
    attributes: { owner: string, stage: string, pipeline: string }
    owner: owner
    stage: stage
    pipeline: pipeline
roles:
  rep:
    grants: { lead: { view: own, edit: own } }
    stages: { lead: { won: { edit: red }, lost: red } }
    pipelines: { lead: { partners: red } }
  vip_rep:
    grants: { lead: { view: own, edit: own } }
    stages: { lead: { won: { edit: own } } }
  senior:
    extends: rep
    grants: { lead: { export: all } }
    stages: { lead: { lost: { view: own } } }
  lead_rep:
    extends: [rep, vip_rep]
`,
  };
  const p = (role: string) => ({ id: 'u1', role });
  const lead = (stage: string, pipeline = 'main') => ({ kind: 'lead', owner: 'u1', stage, pipeline });

  it('R-K4 R-K5 a role inherits its parent\'s stage and pipeline rules; its own rule for a stage replaces the inherited one, action by action', async () => {
    const checker = await compileSources(POLICY);
    // inherited: won leads stay read-only, the partners pipeline closed
    expect(checker.can(p('senior'), 'edit', lead('won') as never)).toMatchObject({ allow: false, code: 'denied' });
    expect(checker.can(p('senior'), 'view', lead('won') as never)).toMatchObject({ allow: true, code: 'own' });
    expect(checker.can(p('senior'), 'view', lead('new', 'partners') as never)).toMatchObject({ allow: false, code: 'denied' });
    // its own `lost: { view: own }` opens viewing lost leads; editing them is still the inherited red
    expect(checker.can(p('senior'), 'view', lead('lost') as never)).toMatchObject({ allow: true, code: 'own' });
    expect(checker.can(p('senior'), 'edit', lead('lost') as never)).toMatchObject({ allow: false, code: 'denied' });
    // the rule names where it was written
    expect(checker.can(p('senior'), 'edit', lead('won') as never).rule).toMatchObject({ role: 'senior', declaredIn: 'rep', line: 11 });
    // the plan keeps the inherited stage out
    const keep = toPredicate(checker.plan(p('senior'), 'edit', 'lead'));
    expect([keep(lead('new')), keep(lead('won')), keep(lead('lost')), keep(lead('new', 'partners'))]).toEqual([true, false, false, false]);
  });

  it('R-K4 R-K5 with two parents, the widest rule for a stage wins, as for grants', async () => {
    const checker = await compileSources(POLICY);
    // rep says red for editing won leads, vip_rep own: own wins
    expect(checker.can(p('lead_rep'), 'edit', lead('won') as never)).toMatchObject({ allow: true, code: 'own' });
    expect(checker.can(p('lead_rep'), 'edit', lead('won') as never).rule).toMatchObject({ declaredIn: 'vip_rep' });
    // only rep writes `lost`: its red applies
    expect(checker.can(p('lead_rep'), 'view', lead('lost') as never)).toMatchObject({ allow: false, code: 'denied' });
  });
});
