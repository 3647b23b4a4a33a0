/**
 * Total functions (docs/policy-language.md, "Failing closed"; issue 13): every public entry of the
 * runtime and of a generated checker answers any input — `null`, primitives, Proxies whose traps
 * throw, throwing getters, cycles, huge and sparse lists, wrong types — with a denial that has a
 * code and a reason, and never throws. Properties over the example sets' checkers, with the
 * hostile shapes of test/helpers/hostile.ts.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileDir } from '../compiler/index.ts';
import { FORMAT_VERSION, loadChecker, PolicyFormatError, reportingDirectory, toPredicate, type Checker, type Decision, type DecisionCode, type Organisation, type QueryPlan, type RoleManagement } from '../packages/runtime/src/index.ts';
import { ColumnMappingError, toSql, type ColumnMapping } from '../packages/runtime/src/sql.ts';
import { realize, requestArb, throwingProxy, valueArb, type HostileRequest, type Vocabulary } from './helpers/hostile.ts';
import { importBundle } from './helpers/policy.ts';
import { vocabularyOf } from './helpers/fuzz.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const RUNS = 250;

const CODES: readonly DecisionCode[] = ['admin', 'all', 'own', 'team', 'hierarchy', 'peer', 'group', 'reports', 'shared', 'public', 'subscriber', 'parent', 'condition', 'denied', 'default-deny', 'not-reached', 'missing-attribute', 'unknown-role', 'unknown-profile', 'unknown-resource', 'unknown-action', 'other-organisation', 'invalid-request', 'field-denied', 'error'];

/** A decision as the runtime promises it: frozen, with a known code and a one-line reason. */
function expectDecision(d: Decision): void {
  expect(Object.isFrozen(d)).toBe(true);
  expect(typeof d.allow).toBe('boolean');
  expect(CODES).toContain(d.code);
  expect(d.reason).toMatch(/^(allowed|denied): [^\n]+$/);
}

function expectPlan(plan: QueryPlan): void {
  expect(['always', 'never', 'filter']).toContain(plan.result);
  expect(typeof plan.reason).toBe('string');
  if (plan.code !== undefined) expect(plan.result).toBe('never');
}

/** A record's kind as a test may read it: whatever reading it gives, even a throw. */
function kindOf(resource: unknown): unknown {
  try {
    return typeof resource === 'object' && resource !== null ? (resource as { kind?: unknown }).kind : resource;
  } catch {
    return undefined;
  }
}

/** Whether the request's principal or resource is not even an object a check could read. */
const notAnObject = (v: unknown): boolean => typeof v !== 'object' || v === null;

describe.each(['kommo-crm', 'zoho-hierarchy', 'zoho-reporting', 'gtg-marketing'])('total functions: the %s checker', (set) => {
  let checker: Checker;
  let vocabulary: Vocabulary;
  let columns: Record<string, string>;

  beforeAll(async () => {
    const dir = join(root, 'policies', set);
    const result = await compileDir(dir);
    // through loadChecker, as an application loads it: its result is what must be total
    checker = loadChecker(await importBundle(result.output!.bundle), { policyHash: result.model!.hash });
    vocabulary = vocabularyOf(result.model!, dir);
    columns = Object.fromEntries(['kind', ...vocabulary.attributes].map((a) => [a, a]));
  });

  it('R-K1 R-K3 `can` never throws: any request is a decision with a code and a reason, and a request that is not objects is `invalid-request`', () => {
    fc.assert(
      fc.property(requestArb(vocabulary), (recipe) => {
        const { principal, action, resource, context } = realize(recipe) as HostileRequest;
        const d = checker.can(principal as never, action as never, resource as never, context as never);
        expectDecision(d);
        // not objects: malformed, unless reading the other part threw first
        if (notAnObject(principal) || notAnObject(resource)) {
          expect(d.allow).toBe(false);
          expect(['invalid-request', 'error']).toContain(d.code);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('R-K3 a principal or record that is a Proxy whose every trap throws is denied with `error`, naming what was thrown', () => {
    const p = { id: 'u1', role: vocabulary.roles[0]! };
    for (const action of vocabulary.actions) {
      for (const kind of vocabulary.kinds) {
        const d = checker.can(throwingProxy() as never, action as never, { kind } as never);
        expect(d).toMatchObject({ allow: false, code: 'error', reason: expect.stringContaining('HostileError: hostile trap') });
        expect(checker.can(p, action as never, throwingProxy() as never)).toMatchObject({ allow: false, code: 'error' });
      }
    }
  });

  it('`plan`, `toPredicate` and `toSql` never throw: a hostile request is a `never` plan with a code, and the SQL of any plan renders', () => {
    fc.assert(
      fc.property(requestArb(vocabulary), (recipe) => {
        const { principal, action, resource, context } = realize(recipe) as HostileRequest;
        const kind = kindOf(resource);
        let plan: QueryPlan;
        try {
          plan = checker.plan(principal as never, action as never, kind as never, context as never);
        } catch (error) {
          throw new Error(`plan threw ${String(error)}`);
        }
        expectPlan(plan);
        if (notAnObject(principal)) expect(plan).toMatchObject({ result: 'never', code: 'invalid-request' });
        if (plan.code === 'error') expect(plan.reason).toMatch(/^denied: the check failed with /);
        expect(typeof toPredicate(plan)(resource as never)).toBe('boolean');
        // a mapping for records inside records too: a message's chat has a card (R-K7, R-Z11)
        const mapping: { columns: typeof columns; records?: Record<string, unknown> } = { columns };
        mapping.records = Object.fromEntries(vocabulary.attributes.map((a) => [a, mapping]));
        expect(typeof toSql(plan, mapping as never).where).toBe('string');
      }),
      { numRuns: RUNS },
    );
  });

  it('R-K6 R-Z9 `fields`, `redact` and `canWrite` never throw: masks hide, redaction drops, writes are decisions', () => {
    fc.assert(
      fc.property(requestArb(vocabulary), valueArb(vocabulary), (recipe, changesRecipe) => {
        const { principal, resource, context } = realize(recipe) as HostileRequest;
        const changes = realize(changesRecipe);
        const mask = checker.fields(principal as never, resource as never, context as never);
        expect(Object.isFrozen(mask)).toBe(true);
        for (const access of Object.values(mask)) expect(['hidden', 'read-only', 'read-write']).toContain(access);
        if (notAnObject(principal)) expect(Object.values(mask).every((a) => a === 'hidden')).toBe(true);
        const redacted = checker.redact(principal as never, resource as never, context as never);
        expect(typeof redacted).toBe('object');
        const w = checker.canWrite(principal as never, resource as never, changes as never, context as never);
        expectDecision(w);
        if (notAnObject(changes) && w.allow) expect.unreachable('a write with changes that are not an object was allowed');
      }),
      { numRuns: RUNS },
    );
  });
});

describe('total functions: organisation guards (R-O1..R-O6)', () => {
  let org: Organisation;
  let vocabulary: Vocabulary;
  beforeAll(async () => {
    const result = await compileDir(join(root, 'policies', 'org-admin'));
    org = (await importBundle(result.output!.bundle)).organisation as Organisation;
    const roles = result.model!.organisation!.roles.map((r) => r.name);
    vocabulary = { roles, kinds: ['member'], actions: ['users.manage'], strings: ['a', 't', 'w1', 'users.manage', ...roles], attributes: ['workspaces'] };
  });

  it('R-O2 R-O3 R-O4 R-O5 every guard answers any members, states, roles and workspaces with a decision, never an exception', () => {
    const member = requestArb(vocabulary).map((r) => r.principal);
    const any = valueArb(vocabulary);
    fc.assert(
      fc.property(member, member, any, any, any, (...recipes) => {
        const [actor, target, role, state, list] = recipes.map(realize);
        const results = [
          org.has(actor as never, role as never),
          org.addUser(actor as never, role as never),
          org.deleteUser(actor as never, target as never, state as never),
          org.changeRole(actor as never, target as never, role as never, state as never),
          org.assignWorkspaces(actor as never, target as never, list as never, state as never),
          org.reachesWorkspace(actor as never, role as never),
          // R-Z13: the organisation the request names, whatever it is
          org.deleteUser(actor as never, target as never, { roleCounts: { admin: 2 }, organisation: list } as never),
          org.addUser(actor as never, role as never, state as never),
        ];
        for (const g of results) {
          expect(Object.isFrozen(g)).toBe(true);
          expect(['allowed', 'not-allowed', 'self', 'last-keeper', 'too-many-workspaces', 'unknown-workspace', 'unknown-role', 'other-organisation', 'unknown-organisation', 'invalid-request', 'error']).toContain(g.code);
          expect(g.allow).toBe(g.code === 'allowed');
          expect(g.reason).toMatch(/^(allowed|denied): [^\n]+$/);
        }
        if (notAnObject(actor)) expect(results.every((g) => g.code === 'invalid-request')).toBe(true);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});

describe('total functions: role-management guards (R-Z12)', () => {
  let roles: RoleManagement;
  let vocabulary: Vocabulary;
  beforeAll(async () => {
    const result = await compileDir(join(root, 'policies', 'zoho-hierarchy'));
    roles = (await importBundle(result.output!.bundle)).roleManagement as RoleManagement;
    const names = result.model!.roles.map((r) => r.name);
    vocabulary = { roles: names, kinds: ['setup'], actions: ['manage_roles'], strings: ['a', 'ceo', 'sales_rep', 'userCounts', ...names], attributes: ['userCounts'] };
  });

  it('R-Z12 every guard answers any actor, names, parents and states with a decision, never an exception', () => {
    const actor = requestArb(vocabulary).map((r) => r.principal);
    const any = valueArb(vocabulary);
    fc.assert(
      fc.property(actor, any, any, any, any, (...recipes) => {
        const [who, name, parent, state, transfer] = recipes.map(realize);
        // an administrator, so that the hierarchy rules are reached, and the random actor
        for (const actor of [{ id: 'a1', role: 'administrator' }, who]) {
          const results = [
            roles.createRole(actor as never, name as never, parent as never),
            roles.renameRole(actor as never, name as never, parent as never),
            roles.moveRole(actor as never, name as never, parent as never),
            roles.deleteRole(actor as never, name as never, state as never, transfer as never),
          ];
          for (const g of results) {
            expect(Object.isFrozen(g)).toBe(true);
            expect(['allowed', 'not-allowed', 'duplicate-name', 'unknown-role', 'top-role', 'cycle', 'still-assigned', 'invalid-request', 'error']).toContain(g.code);
            expect(g.allow).toBe(g.code === 'allowed');
            expect(g.reason).toMatch(/^(allowed|denied): [^\n]+$/);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('total functions: the runtime\'s helpers', () => {
  const any = valueArb({ roles: ['admin'], kinds: ['lead'], actions: ['view'], strings: ['u1', 'owner', 'and', 'eq', 'in'], attributes: ['owner'] });
  /** Plans made of anything: plausible filter nodes with hostile parts, cycles and shared subtrees. */
  const filterArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      any,
      fc.record({ op: fc.constantFrom('true', 'false', 'present', 'eq', 'in', 'lt', 'size', 'startsWith', 'contains', 'bogus'), attribute: fc.oneof(fc.constant('owner'), any), value: any, values: any, type: any, compare: any }),
      fc.record({ op: fc.constantFrom('and', 'or'), args: fc.oneof(fc.array(tie('node'), { maxLength: 3 }), any) }),
      fc.record({ op: fc.constantFrom('not', 'record'), attribute: fc.constant('owner'), filter: tie('node') }),
    ),
  })).node;

  it('`toSql` renders any plan — malformed, hostile, cyclic or exponentially shared — as SQL or `FALSE`; it throws only `ColumnMappingError`, for the mapping', () => {
    // a parent record's parent maps as the record does, at any depth
    const mapping: { columns: Record<string, string>; records?: Record<string, ColumnMapping> } = { columns: { owner: 'owner_id' } };
    mapping.records = { owner: mapping };
    fc.assert(
      fc.property(filterArb, (recipe) => {
        const filter = realize(recipe);
        // an attribute the mapping lacks is the one error the contract allows
        try {
          expect(typeof toSql({ result: 'filter', filter, reason: '' } as never, mapping).where).toBe('string');
        } catch (error) {
          expect(error).toBeInstanceOf(ColumnMappingError);
        }
        expect(toPredicate({ result: 'filter', filter, reason: '' } as never)({ owner: 'u1' })).toBeTypeOf('boolean');
      }),
      { numRuns: RUNS * 2 },
    );
    const cyclic: Record<string, unknown> = { op: 'and' };
    cyclic.args = [cyclic, cyclic];
    let shared: unknown = { op: 'eq', attribute: 'owner', value: 'u1' };
    for (let i = 0; i < 60; i++) shared = { op: 'or', args: [shared, shared] }; // 2^60 leaves if walked naively
    for (const filter of [cyclic, shared, throwingProxy()]) expect(toSql({ result: 'filter', filter, reason: '' } as never, mapping)).toEqual({ where: 'FALSE', params: [] });
    // toPredicate: the same plans match nothing, and a sparse list of 2^32 - 1 arguments costs its one element
    const sparse: unknown[] = [];
    sparse.length = 2 ** 32 - 1;
    sparse[3] = { op: 'eq', attribute: 'owner', value: 'u1' };
    // a sparse list where a string or a number is expected is never converted (joining it would take minutes)
    for (const op of ['eq', 'lt', 'startsWith', 'size', 'in', 'contains']) {
      const filter = { op, attribute: sparse, value: sparse, values: sparse, type: 'string', compare: 'lt' };
      expect(toPredicate({ result: 'filter', filter, reason: '' } as never)({ owner: 'u1' })).toBe(false);
      expect(toPredicate({ result: 'filter', filter: { ...filter, attribute: 'owner' }, reason: '' } as never)({ owner: 'u1' })).toBe(false);
    }
    for (const filter of [cyclic, shared, throwingProxy(), { op: 'and', args: [{ op: 'true' }, { op: 'or', args: sparse }] }]) {
      expect(toPredicate({ result: 'filter', filter, reason: '' } as never)({ owner: 'nobody' })).toBe(false);
    }
    expect(toPredicate({ result: 'filter', filter: { op: 'or', args: sparse }, reason: '' } as never)({ owner: 'u1' })).toBe(true);
    // the mapping is the application's configuration: a bad one is a ColumnMappingError, nothing else
    const plan = { result: 'filter', filter: { op: 'eq', attribute: 'owner', value: 'u1' }, reason: '' } as QueryPlan;
    for (const bad of [null, 7, {}, { columns: throwingProxy() }, throwingProxy(), { columns: {} }, { columns: { owner: 'o' }, table: 5 }]) {
      expect(() => toSql(plan, bad as never)).toThrow(ColumnMappingError);
    }
  });

  it('R-Z4 `reportingDirectory` never throws: a hostile principal, directory or error handler leaves the principal without `reports`', () => {
    fc.assert(
      fc.property(any, any, (...recipes) => {
        const [principal, answer] = recipes.map(realize);
        const directory = reportingDirectory({ directReports: () => answer as never }, { onError: () => { throw new Error('handler failed'); } });
        const filled = directory.withReports(principal as never);
        expect(Object.is(filled, principal) || typeof filled === 'object').toBe(true);
        expect(() => reportingDirectory(throwingProxy() as never, throwingProxy() as never).withReports({ id: 'u1' })).not.toThrow();
      }),
      { numRuns: RUNS },
    );
  });

  it('`loadChecker` refuses a module of another policy, format or shape at load time, with a clear error', async () => {
    const result = await compileDir(join(root, 'policies', 'kommo-crm'));
    const mod = await importBundle(result.output!.bundle);
    const hash = result.model!.hash;
    expect(loadChecker(mod, { policyHash: hash }).policyHash).toBe(hash);
    expect(loadChecker(mod, { policyHash: `sha256:${hash}` }).policyName).toBe(result.model!.name);
    expect(() => loadChecker(mod, { policyHash: 'sha256:' + '0'.repeat(64) })).toThrow(PolicyFormatError);
    expect(() => loadChecker(mod, { policyHash: '0'.repeat(64) })).toThrow(new RegExp(`compiled from policy sha256:${hash}, but sha256:0{64} was expected`));
    for (const bad of [null, 7, {}, { checker: null }, { checker: { can: 'x' } }, throwingProxy(), { checker: throwingProxy() }]) {
      expect(() => loadChecker(bad)).toThrow(TypeError);
    }
    expect(() => loadChecker({ checker: { ...(mod.checker as object), formatVersion: 5 } })).toThrow(`has format 5, but this runtime reads format ${FORMAT_VERSION};`);
  });
});
