// Importing a checker builds only what its first decision needs (issue 17): the runtime's checker
// behind `plan`, field security and the role-management guards are made on first use, by
// packages/runtime/src/lazy.ts. What a user relies on stays: the same frozen objects with the same
// members, and the same answers whether the lazy part was built before or by the call.
import { describe, expect, it } from 'vitest';
import { compileSources as compileTexts } from '../compiler/index.ts';
import { FORMAT_VERSION, lazyChecker, lazyEntries, onFirstUse, wholeModule, type Checker, type CoreChecker, type Decision, type Principal, type RoleManagement } from '../packages/runtime/src/index.ts';
import { importBundle } from './helpers/policy.ts';

const ROLES = `
roles:
  ceo:
    top: true
    grants:
      lead: { view: green, edit: green }
      setup: { manage_roles: green }
  sales_rep:
    reportsTo: ceo
    grants:
      lead: { view: yellow, edit: yellow }
      plan: { view: green }
    fields:
      lead: { amount: read-only }
`;
const RESOURCES = `
resources:
  lead:
    actions: [view, edit]
    attributes: { owner: string, amount: number }
    owner: owner
  plan:
    actions: [view]
modules:
  setup:
    permissions: [manage_roles]
roleManagement:
  permission: setup.manage_roles
`;

/** A fresh module of the bundle: every import of it starts with nothing built. */
async function freshModule(): Promise<Record<string, unknown>> {
  const result = await compileTexts('lazy', [{ path: 'roles.yaml', text: ROLES }, { path: 'resources.yaml', text: RESOURCES }]);
  if (result.output === undefined) throw new Error(result.diagnostics.map((d) => d.message).join('\n'));
  // a comment that changes the text, so that the module is not one an earlier test imported
  return importBundle(`${result.output.bundle}\n// ${Math.random()}\n`);
}

describe('onFirstUse', () => {
  it('builds nothing when made, once on the first call of any method, and forwards arguments and results', () => {
    let builds = 0;
    const made = onFirstUse(() => {
      builds++;
      return { twice: (n: number) => n * 2, join: (a: string, b: string) => `${a}${b}`, name: 'built' };
    }, ['twice', 'join'], { name: 'at hand' });
    expect(builds).toBe(0);
    expect(made.name).toBe('at hand');
    expect(Object.isFrozen(made)).toBe(true);
    expect(made.twice(21)).toBe(42);
    expect(made.join('a', 'b')).toBe('ab');
    expect(made.twice(1)).toBe(2);
    expect(builds).toBe(1);
  });
});

describe('lazyEntries and lazyChecker', () => {
  const decision = (code: string): Decision => Object.freeze({ allow: false, code: code as Decision['code'], reason: code, rule: undefined });
  const kind = Object.freeze({ can: () => decision('kind') });
  const built = { can: () => decision('can'), plan: () => ({ result: 'never' }), kinds: Object.freeze({ lead: kind }), lead: kind } as unknown as CoreChecker;

  it('lazyEntries hands `can` and each kind`s `can` to the built checker, built on the first request only', () => {
    let builds = 0;
    const rare = lazyEntries(() => (builds++, built), ['lead']);
    expect(builds).toBe(0);
    expect(rare.can({ id: 'u', role: 'r' }, 'view', { kind: 'lead' }).code).toBe('can');
    expect(rare.kinds['lead']!.can({ id: 'u', role: 'r' }, 'view', {}).code).toBe('kind');
    expect(builds).toBe(2); // the generated builder caches: here each call asks it again
  });

  it('lazyChecker: the generated entries at hand, the rest built once on first use; a kind named like a member is in `kinds` only', () => {
    let builds = 0;
    const entry = () => decision('entry');
    const members = { plan: () => 'plan', fields: () => 'fields', redact: () => 'redact', canWrite: () => 'canWrite' };
    const checker = lazyChecker<Record<string, unknown> & { kinds: Record<string, { can: unknown }> }>(
      { formatVersion: FORMAT_VERSION, policyName: 'p', policyHash: 'h', can: entry as never, kinds: [['lead', entry as never], ['plan', entry as never]] },
      () => (builds++, members as never),
    );
    expect(Object.keys(checker)).toEqual(['formatVersion', 'policyName', 'policyHash', 'can', 'plan', 'lead', 'kinds', 'fields', 'redact', 'canWrite']);
    expect(Object.keys(checker.kinds)).toEqual(['lead', 'plan']);
    expect(checker['can']).toBe(entry);
    expect(Object.isFrozen(checker) && Object.isFrozen(checker.kinds) && Object.isFrozen(checker.kinds['lead'])).toBe(true);
    expect(builds).toBe(0);
    for (const name of ['plan', 'fields', 'redact', 'canWrite']) expect((checker[name] as () => string)()).toBe(name);
    expect(builds).toBe(1);
  });
});

describe('issue 17: what is built on first use fails closed when building throws (a lean checker without checker.full.cjs)', () => {
  const missing = (): never => {
    throw new Error("Cannot find module './checker.full.cjs'");
  };

  it('onFirstUse: a guard denies with code `error` naming the cause, and the next call builds again', () => {
    let fail = true;
    const guards = onFirstUse<{ createRole: () => unknown }>(() => (fail ? missing() : { createRole: () => 'built' }), ['createRole']);
    expect(guards.createRole()).toEqual({ allow: false, code: 'error', reason: "denied: the check failed with Error: Cannot find module './checker.full.cjs'", rule: undefined, effects: [] });
    fail = false;
    expect(guards.createRole()).toBe('built');
  });

  it('lazyEntries: `can` and each kind`s `can` deny with code `error`', () => {
    const rare = lazyEntries(missing, ['lead']);
    for (const decision of [rare.can({ id: 'u', role: 'r' }, 'view', { kind: 'lead' }), rare.kinds['lead']!.can({ id: 'u', role: 'r' }, 'view', {})]) {
      expect([decision.allow, decision.code, decision.reason.includes('checker.full.cjs')]).toEqual([false, 'error', true]);
    }
  });

  it('lazyChecker: a plan that matches nothing, masks and copies that show nothing, a denial to write', () => {
    const entry = () => ({ allow: true, code: 'all', reason: 'at hand', rule: undefined });
    const checker = lazyChecker<Checker>({ formatVersion: FORMAT_VERSION, policyName: 'p', policyHash: 'h', can: entry as never, kinds: [] }, missing);
    const rep = { id: 'u1', role: 'sales_rep' };
    expect(checker.can(rep, 'view', { kind: 'lead' }).allow).toBe(true);
    const plan = checker.plan(rep, 'view', 'lead');
    expect([plan.result, plan.code, plan.reason.includes('checker.full.cjs')]).toEqual(['never', 'error', true]);
    expect(checker.fields(rep, { kind: 'lead', owner: 'u1' })).toEqual({});
    expect(checker.redact(rep, { kind: 'lead', owner: 'u1' })).toEqual({});
    expect([checker.canWrite(rep, { kind: 'lead' }, { owner: 'u2' }).allow, checker.canWrite(rep, { kind: 'lead' }, { owner: 'u2' }).code]).toEqual([false, 'error']);
  });

  it('wholeModule: the cached module when it is this policy; else the file read again; else an error naming both hashes', () => {
    const of = (hash: string) => ({ checker: { policyHash: hash } });
    const loads: boolean[] = [];
    const loader = (cached: unknown, file: unknown) => (fresh: boolean) => (loads.push(fresh), fresh ? file : cached);
    expect(wholeModule(loader(of('a'.repeat(64)), undefined), 'a'.repeat(64))).toEqual(of('a'.repeat(64)));
    expect(loads).toEqual([false]);
    expect(wholeModule(loader(of('b'.repeat(64)), of('a'.repeat(64))), 'a'.repeat(64))).toEqual(of('a'.repeat(64)));
    expect(loads).toEqual([false, false, true]);
    expect(() => wholeModule(loader(of('b'.repeat(64)), of('b'.repeat(64))), 'a'.repeat(64))).toThrow(
      'checker.full.cjs is not the policy of this module (policy hash bbbbbbbbbbbb…, not aaaaaaaaaaaa…): deploy the files of one `policyc build` together',
    );
    expect(() => wholeModule(loader(undefined, {}), 'a'.repeat(64))).toThrow('policy hash missing…');
  });
});

describe('a generated checker built on first use', () => {
  const rep = { id: 'u1', role: 'sales_rep' };
  const lead = { kind: 'lead', owner: 'u1', amount: 5 };

  it('R-K3 plans, field masks and several roles answer the same whether `can` ran first or not', async () => {
    const first = (await freshModule()).checker as Checker;
    const second = (await freshModule()).checker as Checker;
    // `first` decides before anything else; `second` is asked for a plan before any decision
    expect(first.can(rep, 'view', lead).code).toBe('own');
    const planned = second.plan(rep, 'view', 'lead');
    expect(first.plan(rep, 'view', 'lead')).toEqual(planned);
    expect(second.can(rep, 'view', lead)).toEqual(first.can(rep, 'view', lead));
    expect(second.fields(rep, lead)).toEqual(first.fields(rep, lead));
    expect(first.fields(rep, lead)).toEqual({ owner: 'read-write', amount: 'read-only' });
    expect(first.canWrite(rep, lead, { amount: 6 }).allow).toBe(false);
    // several roles and a class instance: requests the entries leave to the runtime's checker
    const several = { id: 'u1', roles: ['sales_rep', 'ceo'] } as unknown as Principal;
    expect(second.can(several, 'edit', { kind: 'lead', owner: 'u2' }).code).toBe('all');
    class Lead {
      readonly kind = 'lead';
      readonly owner = 'u1';
    }
    expect(first.kinds['lead']!.can(rep, 'edit', new Lead() as unknown as Record<string, unknown>).code).toBe('own');
    expect(Object.keys(first)).toEqual(Object.keys(second));
    // as the checker built at import had them (a kind named `plan` is in `kinds` only)
    expect(Object.keys(first)).toEqual(['formatVersion', 'policyName', 'policyHash', 'can', 'plan', 'lead', 'setup', 'kinds', 'fields', 'redact', 'canWrite']);
    expect(Object.keys(first.kinds)).toEqual(['lead', 'plan', 'setup']);
  });

  it('R-Z12 the role-management guards are the same frozen object of four guards, built by their first call', async () => {
    const roles = (await freshModule()).roleManagement as RoleManagement;
    expect(Object.isFrozen(roles)).toBe(true);
    expect(Object.keys(roles)).toEqual(['createRole', 'renameRole', 'moveRole', 'deleteRole']);
    expect(roles.createRole({ id: 'c', role: 'ceo' }, 'field_sales').code).toBe('allowed');
    expect(roles.createRole({ id: 'c', role: 'ceo' }, 'sales_rep').code).toBe('duplicate-name');
    expect(roles.moveRole({ id: 'r', role: 'sales_rep' }, 'sales_rep', 'ceo').code).toBe('not-allowed');
  });
});
