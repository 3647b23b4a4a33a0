/**
 * Own data only (docs/policy-language.md, "Own data only"; issue 13): polluting `Object.prototype`
 * or `Array.prototype` never changes a decision, a field mask, a plan, its SQL or a guard result.
 *
 * The names polluted are not a hand list: they are every attribute the policy model says a check
 * may read, plus every key the checker actually asked for while answering the example sets'
 * decision tables through recording Proxies (so `kind`, `role`, `id`, `groups`, `reports`,
 * `organisation`, `now`, `length`, `0`… come from the runtime itself). Each is set, in turn, to
 * every string the tables use (ids, roles, groups, stages…), every role and group of the policy,
 * a list of them all, numbers, `true`, a date and a record of each kind, and every table is
 * answered again.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileDir, type PolicyModel } from '../compiler/index.ts';
import { DiagnosticBag } from '../compiler/diagnostics/diagnostic.ts';
import { loadTests } from '../compiler/testing/tests.ts';
import type { Checker, Organisation } from '../packages/runtime/src/index.ts';
import { toSql, type ColumnMapping } from '../packages/runtime/src/sql.ts';
import { compileSources, importBundle } from './helpers/policy.ts';
import { keysOfModel, polluted, recorder, stringsIn, withHoles } from './helpers/pollution.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Request {
  readonly principal: unknown;
  readonly resource: unknown;
  readonly context: Readonly<Record<string, unknown>> | undefined;
  readonly actions: readonly string[];
}

/** Everything a checker answers for the requests, as one comparable string per request. */
function answers(checker: Checker, model: PolicyModel, requests: readonly Request[]): string[] {
  const mapping = columnMapping(model);
  return requests.map(({ principal, resource, context, actions }) => {
    const p = principal as never;
    const r = resource as never;
    const kind = (resource as { kind?: unknown } | null)?.kind as never;
    const out: unknown[] = [];
    for (const action of actions) {
      const d = checker.can(p, action as never, r, context);
      out.push([d.allow, d.code, d.rule?.id, d.reason]);
      const plan = checker.plan(p, action as never, kind, context);
      let sql: unknown;
      try {
        sql = toSql(plan, mapping);
      } catch (error) {
        sql = String(error);
      }
      out.push(plan, sql);
    }
    out.push(checker.fields(p, r, context), checker.redact(p, r, context));
    const w = checker.canWrite(p, r, {} as never, context);
    out.push([w.allow, w.code]);
    return serialize(out);
  });
}

/** JSON in which a hole of a list is written as such: `JSON.stringify` itself would read `Array.prototype` through it. */
const serialize = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (Array.isArray(v) ? Array.from({ length: v.length }, (_, i) => (Object.hasOwn(v, i) ? (v[i] as unknown) : '<hole>')) : v));

/** Every attribute of every kind mapped to a column of the same name; parent records likewise. */
function columnMapping(model: PolicyModel): ColumnMapping {
  const columns = Object.fromEntries([['kind', 'kind'], ...model.resources.flatMap((r) => r.attributes.map((a) => [a.name, a.name] as const))]);
  const parents = model.resources.flatMap((r) => (r.parent ? [r.parent.attribute] : []));
  return { columns, records: Object.fromEntries(parents.map((a) => [a, { table: a, columns }])) };
}

/** The values each polluted name takes. */
function valuesFor(model: PolicyModel, requests: readonly Request[]): unknown[] {
  const strings = new Set([...stringsIn(requests.flatMap((r) => [r.principal, r.resource, r.context])), ...model.roles.map((r) => r.name), ...model.groups.map((g) => g.name)]);
  return [...strings, [...strings], 1e15, -1, true, new Date('2026-03-02T10:30:00Z'), ...model.resources.map((r) => ({ kind: r.name }))];
}

const SETS = ['kommo-crm', 'zoho-hierarchy', 'zoho-reporting', 'gtg-marketing'];

describe.each(SETS)('own data only: polluting prototypes never changes what the %s checker answers', (set) => {
  let checker: Checker;
  let model: PolicyModel;
  let requests: Request[];
  let keys: string[];

  beforeAll(async () => {
    const dir = join(root, 'policies', set);
    const result = await compileDir(dir);
    model = result.model!;
    checker = (await importBundle(result.output!.bundle)).checker as Checker;
    const { tests } = loadTests(dir, new DiagnosticBag());
    requests = tests.map((t) => ({ principal: t.principal, resource: t.resource, context: t.context, actions: [...t.expect.keys()] }));
    // the names: from the model, and every key the checker reads while answering the tables
    const seen = recorder();
    answers(checker, model, requests.map((r) => ({ ...r, principal: seen.wrap(r.principal), resource: seen.wrap(r.resource), context: seen.wrap(r.context) })));
    keys = [...new Set([...keysOfModel(model), ...seen.keys, '0', '1', 'length'])].sort();
  });

  it('R-K3 R-K8 R-Z1 the tables are answered through recording Proxies exactly as without them, reading the names expected', () => {
    const seen = recorder();
    const wrapped = requests.map((r) => ({ ...r, principal: seen.wrap(r.principal), resource: seen.wrap(r.resource), context: seen.wrap(r.context) }));
    expect(answers(checker, model, wrapped)).toEqual(answers(checker, model, requests));
    expect([...seen.keys]).toEqual(expect.arrayContaining(['kind', 'role', 'id']));
    expect(keys.length).toBeGreaterThan(8);
  });

  it.each([
    ['Object.prototype', Object.prototype],
    ['Array.prototype', Array.prototype],
  ] as const)('R-K1 R-K3 R-K6 R-Z4 every name the checker reads, set on %s to every value, changes no answer', (_name, target) => {
    // arrays get a hole at index 0, where a polluted Array.prototype[0] would show through
    const variants = target === Array.prototype ? requests.map((r) => ({ ...r, principal: withHoles(r.principal), resource: withHoles(r.resource) })) : requests;
    const expected = answers(checker, model, variants);
    const differences: string[] = [];
    for (const key of keys) {
      if (Object.hasOwn(target, key)) continue; // a built-in of the prototype (`length` of Array.prototype): replacing it is not pollution
      for (const value of valuesFor(model, requests)) {
        const got = polluted(target, key, value, () => answers(checker, model, variants));
        got.forEach((g, i) => {
          if (g !== expected[i] && differences.length < 10) differences.push(`${key} = ${JSON.stringify(value)}: request ${i} ${JSON.stringify(variants[i])}\n  expected ${expected[i]}\n  got      ${g}`);
        });
      }
    }
    expect(differences).toEqual([]);
  });

  it("R-K1 R-K3 R-Z2 names of the runtime's own objects (a decision's, a checker's, a plan's), set on Object.prototype, change no answer, for the requests the entries hand on too", () => {
    // the requests of the tables, and each as the entries hand it to the runtime's checker:
    // several roles, a profile, a class instance
    class Member {
      constructor(fields: object) {
        Object.assign(this, fields);
      }
    }
    const handedOn = requests.flatMap((r) => {
      const p = r.principal as Record<string, unknown> | null;
      if (typeof p !== 'object' || p === null || typeof p['role'] !== 'string') return [];
      const { role, ...rest } = p;
      return [
        { ...r, principal: { ...rest, roles: [role] } },
        { ...r, principal: new Member(p) },
        ...model.profiles.slice(0, 1).map((profile) => ({ ...r, principal: { ...p, profile } })),
      ];
    });
    const all = [...requests, ...handedOn];
    const expected = answers(checker, model, all);
    const names = ['allow', 'code', 'reason', 'rule', 'can', 'kinds', 'plan', 'fields', 'redact', 'canWrite', 'checker', 'policyHash', 'result', 'filter', 'recheck', 'effects', 'mask'];
    const differences: string[] = [];
    for (const key of names) {
      for (const value of [true, 'admin', 1, { allow: true, code: 'admin' }]) {
        const got = polluted(Object.prototype, key, value, () => answers(checker, model, all));
        got.forEach((g, i) => {
          if (g !== expected[i] && differences.length < 10) differences.push(`${key} = ${JSON.stringify(value)}: request ${i} ${JSON.stringify(all[i])}\n  expected ${expected[i]}\n  got      ${g}`);
        });
      }
    }
    expect(handedOn.length).toBeGreaterThan(requests.length);
    expect(differences).toEqual([]);
  });
});

describe('own data only: polluting prototypes never changes an organisation guard (R-O1..R-O6)', () => {
  let org: Organisation;
  let model: PolicyModel;
  beforeAll(async () => {
    const result = await compileDir(join(root, 'policies', 'org-admin'));
    model = result.model!;
    org = (await importBundle(result.output!.bundle)).organisation as Organisation;
  });

  /** Every guard for every pair of organisation roles, as comparable strings. */
  const guardAnswers = (wrap: <T>(v: T) => T = (v) => v): string[] => {
    const roles = model.organisation!.roles.map((r) => r.name);
    const out: string[] = [];
    for (const a of roles) {
      const actor = wrap({ id: 'a', role: a, workspaces: ['w1'] });
      out.push(JSON.stringify([org.has(actor, 'users.manage'), org.reachesWorkspace(actor, 'w1'), org.reachesWorkspace(actor, 'w2')]));
      for (const b of roles) {
        const target = wrap({ id: 't', role: b, workspaces: [] });
        const state = wrap({ roleCounts: { [b]: 1 } });
        out.push(JSON.stringify([org.addUser(actor, b), org.deleteUser(actor, target, state), org.assignWorkspaces(actor, target, wrap(['w1', 'w2']), { roleCounts: {}, workspaces: ['w1', 'w2'] })]));
        for (const c of roles) out.push(JSON.stringify(org.changeRole(actor, target, c, state)));
      }
    }
    return out;
  };

  it('R-O1 R-O2 R-O3 R-O5 every name a guard reads, set on either prototype, changes no guard result', () => {
    const seen = recorder();
    const expected = guardAnswers();
    expect(guardAnswers(seen.wrap)).toEqual(expected);
    const names = [...new Set([...seen.keys, 'id', 'role', 'roleCounts', 'workspaces', 'technical', '0', ...model.organisation!.roles.map((r) => r.name)])];
    const values = [...model.organisation!.roles.map((r) => r.name), 'a', 't', 'w2', ['w1', 'w2'], 5, true, { admin: 9 }];
    const differences: string[] = [];
    for (const target of [Object.prototype, Array.prototype]) {
      for (const key of names) {
        if (Object.hasOwn(target, key)) continue;
        for (const value of values) {
          const got = polluted(target, key, value, () => guardAnswers());
          got.forEach((g, i) => {
            if (g !== expected[i] && differences.length < 10) differences.push(`${key} = ${JSON.stringify(value)}: ${g} instead of ${expected[i]}`);
          });
        }
      }
    }
    expect(differences).toEqual([]);
  });
});

describe('own data only: the gadgets of issue 13, one by one', () => {
  const POLICY = {
    'policy.yaml': `
resources:
  lead:
    actions: [view, edit]
    attributes: { responsible: string, team: string }
    owner: responsible
    team: team
roles:
  admin:
    administrator: true
  rep:
    grants: { lead: { view: blue, edit: yellow } }
`,
  };
  let checker: Checker;
  beforeAll(async () => {
    checker = await compileSources(POLICY);
  });

  it('R-K1 after `Object.prototype.role = "admin"`, a principal without a role is malformed, not an administrator', () => {
    const d = polluted(Object.prototype, 'role', 'admin', () => checker.can({ id: 'u1' } as never, 'edit', { kind: 'lead', responsible: 'u9' }));
    expect(d).toMatchObject({ allow: false, code: 'invalid-request' });
    expect(polluted(Object.prototype, 'role', 'admin', () => checker.plan({ id: 'u1' } as never, 'edit', 'lead'))).toMatchObject({ result: 'never', code: 'invalid-request' });
  });

  it('R-K3 `Object.prototype.responsible` makes no record own, and `Object.prototype.kind` no shapeless object a record', () => {
    const rep = { id: 'u1', role: 'rep' };
    expect(polluted(Object.prototype, 'responsible', 'u1', () => checker.can(rep, 'edit', { kind: 'lead' }))).toMatchObject({ allow: false, code: 'missing-attribute' });
    expect(polluted(Object.prototype, 'kind', 'lead', () => checker.can(rep, 'edit', { responsible: 'u1' } as never))).toMatchObject({ allow: false, code: 'invalid-request' });
    expect(polluted(Object.prototype, 'team', 'north', () => checker.can({ ...rep, groups: ['north'] }, 'view', { kind: 'lead', responsible: 'u2' }))).toMatchObject({ allow: false, code: 'missing-attribute' });
    expect(polluted(Object.prototype, 'groups', ['north'], () => checker.can(rep, 'view', { kind: 'lead', responsible: 'u2', team: 'north' }))).toMatchObject({ allow: false, code: 'not-reached' });
  });

  it('R-K8 a hole in `groups` is no group, whatever `Array.prototype[0]` holds', () => {
    const holey = { id: 'u1', role: 'rep', groups: [, 'south'] as string[] };
    const d = polluted(Array.prototype, '0', 'north', () => checker.can(holey, 'view', { kind: 'lead', responsible: 'u2', team: 'north' }));
    expect(d).toMatchObject({ allow: false, code: 'not-reached' });
    expect(checker.can(holey, 'view', { kind: 'lead', responsible: 'u2', team: 'south' })).toMatchObject({ allow: true, code: 'team' });
  });

  it('R-K3 getters of a class instance and values of a non-built-in prototype still count: they are the object\'s own class', () => {
    class User {
      get id(): string {
        return 'u1';
      }
      get role(): string {
        return 'rep';
      }
    }
    class Lead {
      readonly kind = 'lead';
      get responsible(): string {
        return 'u1';
      }
    }
    expect(checker.can(new User() as never, 'edit', new Lead() as never)).toMatchObject({ allow: true, code: 'own' });
    expect(checker.can(Object.create({ id: 'u1', role: 'rep' }) as never, 'edit', { kind: 'lead', responsible: 'u1' })).toMatchObject({ allow: true, code: 'own' });
    expect(checker.redact(new User() as never, new Lead() as never)).toEqual({ kind: 'lead', responsible: 'u1' });
  });
});
