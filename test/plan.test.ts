/**
 * Query plans (data filtering): a record satisfies `checker.plan(...)` exactly when
 * `checker.can(...)` allows it. Postgres itself is exercised in test/pglite.test.ts and test/pglite-random.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compileSources as compile } from '../compiler/index.ts';
import { and, eq, oneOf, or, toPredicate, type Checker, type Filter, type QueryPlan } from '../packages/runtime/src/index.ts';
import { ColumnMappingError, quoteIdentifier, toSql } from '../packages/runtime/src/sql.ts';
import { compileSources } from './helpers/policy.ts';

const HIERARCHY = {
  'policy.yaml': `
resources:
  lead:
    actions: [view, edit, delete]
    attributes: { owner: string, team: string, ownerRole: string }
    owner: owner
    team: team
    ownerRole: ownerRole
roles:
  admin: { administrator: true }
  ceo:
    grants: { lead: own }
  manager:
    reportsTo: ceo
    grants: { lead: { view: team, edit: own, delete: red } }
  rep:
    reportsTo: manager
    sharesWithPeers: true
    grants: { lead: { view: own, edit: own } }
`,
};

/** Records covering every branch: owner equal or not, teams in or out, roles above/below/peer, missing and mistyped attributes. */
function records(): Record<string, unknown>[] {
  const values = [undefined, 7, 'u1', 'u2'];
  const teams = [undefined, 'north', 'south'];
  const roles = [undefined, 'ceo', 'manager', 'rep', 'admin', 'nobody'];
  const out: Record<string, unknown>[] = [];
  for (const owner of values) for (const team of teams) for (const ownerRole of roles) out.push({ owner, team, ownerRole });
  return out;
}

const principals = [
  { id: 'u1', role: 'rep' },
  { id: 'u1', role: 'manager', groups: ['north'] },
  { id: 'u1', role: 'manager' },
  { id: 'u1', role: 'manager', groups: 'north' as never },
  { id: 'u1', role: 'manager', groups: [7, 'south'] as never },
  { id: 'u1', role: 'ceo' },
  { id: 'u2', role: 'admin' },
  { id: 'u1', role: 'intern' },
];

describe('query plans match the per-record checker', () => {
  let checker: Checker;
  beforeAll(async () => {
    checker = await compileSources(HIERARCHY);
  });

  it('R-K3 R-Z1 R-Z3 for every principal, action and record: predicate(plan)(record) === can(record).allow', () => {
    for (const p of principals) {
      for (const action of ['view', 'edit', 'delete']) {
        const keep = toPredicate(checker.plan(p, action, 'lead'));
        for (const record of records()) {
          expect(keep(record), `${p.role} ${action} ${JSON.stringify(record)}`).toBe(checker.can(p, action, { kind: 'lead', ...record }).allow);
        }
      }
    }
  });

  it('folds what is known about the principal: always, never, or a filter naming the grant', () => {
    expect(checker.plan({ id: 'a', role: 'admin' }, 'delete', 'lead')).toMatchObject({ result: 'always', filter: { op: 'true' } });
    expect(checker.plan({ id: 'm', role: 'manager' }, 'delete', 'lead')).toMatchObject({ result: 'never', filter: { op: 'false' } });
    expect(checker.plan({ id: 'x', role: 'intern' }, 'view', 'lead').reason).toContain('not defined');
    const rep = checker.plan({ id: 'u1', role: 'rep' }, 'view', 'lead');
    expect(rep.result).toBe('filter');
    expect(rep.reason).toMatch(/^filtered: role `rep` grants `view` on `lead` as own \(yellow\) at policy\.yaml:\d+:\d+$/);
    expect(rep.filter).toEqual({
      op: 'and',
      args: [
        { op: 'present', attribute: 'owner', type: 'string' },
        { op: 'or', args: [{ op: 'eq', attribute: 'owner', value: 'u1' }, { op: 'and', args: [{ op: 'present', attribute: 'ownerRole', type: 'string' }, { op: 'eq', attribute: 'ownerRole', value: 'rep' }] }] },
      ],
    });
  });

  it('fails closed: a malformed principal or kind gives a `never` plan, not an exception', () => {
    expect(checker.plan(null as never, 'view', 'lead').result).toBe('never');
    expect(checker.plan({ id: 'u1', role: 'rep' }, 'view', 42 as never).result).toBe('never');
    expect(checker.plan({ id: 'u1', role: 'rep' }, 'archive', 'lead').result).toBe('never');
  });
});

describe('SQL adapter', () => {
  const mapping = { table: 'l', columns: { owner: 'owner_id', team: 'team', ownerRole: 'owner role' } };

  it('renders values as parameters and identifiers quoted from the mapping only', () => {
    const plan = {
      result: 'filter' as const,
      reason: '',
      filter: {
        op: 'and' as const,
        args: [
          { op: 'present' as const, attribute: 'owner', type: 'string' as const },
          {
            op: 'or' as const,
            args: [
              { op: 'eq' as const, attribute: 'owner', value: "u1'; DROP TABLE lead; --" },
              { op: 'in' as const, attribute: 'ownerRole', values: ['rep', '"x"'] },
            ],
          },
        ],
      },
    };
    expect(toSql(plan, mapping)).toEqual({
      where: '("l"."owner_id" IS NOT NULL AND ("l"."owner_id" = $1 OR "l"."owner role" = ANY($2::text[])))',
      params: ["u1'; DROP TABLE lead; --", ['rep', '"x"']],
    });
    expect(toSql(plan, mapping, { firstParam: 3 }).where).toContain('$3');
  });

  it('always and never render as TRUE and FALSE', () => {
    expect(toSql({ result: 'always', reason: '', filter: { op: 'true' } }, mapping)).toEqual({ where: 'TRUE', params: [] });
    expect(toSql({ result: 'never', reason: '', filter: { op: 'false' } }, mapping)).toEqual({ where: 'FALSE', params: [] });
  });

  it('refuses an unmapped attribute instead of guessing a column', () => {
    const plan = { result: 'filter' as const, reason: '', filter: { op: 'eq' as const, attribute: 'constructor', value: 'x' } };
    expect(() => toSql(plan, mapping)).toThrow(ColumnMappingError);
  });

  it('quotes identifiers by doubling quotes', () => {
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
    expect(() => quoteIdentifier('')).toThrow(ColumnMappingError);
  });
});

describe('plans of conditions reading the record (issue 3, issue 7)', () => {
  const policy = {
    'policy.yaml': `resources:
  lead:
    actions: [view, edit, delete, export, archive]
    attributes: { owner: string, stage: string, tags: 'string[]', amount: number, hot: boolean, email: string }
    owner: owner
roles:
  rep:
    grants:
      lead:
        view: { level: all, when: 'resource.stage in ["new", "open"] && "vip" in resource.tags || resource.owner == principal.id' }
        edit: { level: all, when: 'resource.amount < 100.0' }
        delete: { level: all, when: '!(resource.amount >= 1000) || resource.owner == principal.id' }
        archive: { level: all, when: 'resource.hot ? resource.email.endsWith("@acme.com") : !has(resource.email)' }
        export: { level: all, when: 'resource.tags.exists(t, t.startsWith("v"))' }
`,
  };
  const p = { id: 'u1', role: 'rep' };
  // declared types, absent attributes, and edge values: -0, infinities, empty strings, LIKE's `%` and `_`
  const records = [
    { kind: 'lead', owner: 'u2', stage: 'new', tags: ['vip'], amount: 99.5, hot: true, email: 'a@acme.com' },
    { kind: 'lead', owner: 'u2', stage: 'won', tags: ['vip', 'x', 'y'], amount: 100, hot: false, email: '' },
    { kind: 'lead', owner: 'u1', stage: 'won', amount: 1000 },
    { kind: 'lead', owner: 'u2', stage: 'open', tags: [], amount: -0, hot: true, email: 'a@acme.com.evil' },
    { kind: 'lead', owner: 'u2', amount: -Infinity, hot: false },
    { kind: 'lead', owner: 'u2', amount: 999.999, email: '%_@acme.com' },
    { kind: 'lead', hot: true },
    { kind: 'lead' },
  ];
  const same = (checker: Checker, action: string) => {
    const keep = toPredicate(checker.plan(p, action as never, 'lead'));
    for (const r of records) expect(keep(r), `${action} ${JSON.stringify(r)}`).toBe(checker.can(p, action as never, r as never).allow);
  };

  it('R-K5 equality, membership and contains become filters, with the principal folded in; the plan keeps exactly what can allows', async () => {
    const checker = await compileSources(policy);
    expect(checker.plan(p, 'view', 'lead').filter).toEqual(
      or(and(oneOf('stage', ['new', 'open']), { op: 'contains', attribute: 'tags', value: 'vip' }), eq('owner', 'u1')),
    );
    same(checker, 'view');
    // values of another type than declared: the plan lists none of them, and `can` allows none here either
    const keep = toPredicate(checker.plan(p, 'view', 'lead'));
    for (const r of [{ kind: 'lead', owner: 'u2', stage: 'open', tags: 'vip' }, { kind: 'lead', owner: 7, stage: 'open' }]) {
      expect(keep(r)).toBe(false);
      expect(checker.can(p, 'view', r as never).allow).toBe(false);
    }
  });

  it('R-K5 a numeric comparison is a filter, and its SQL compares the column with a parameter', async () => {
    const checker = await compileSources(policy);
    const plan = checker.plan(p, 'edit', 'lead');
    expect(plan.filter).toEqual({ op: 'lt', attribute: 'amount', value: 100 });
    expect(toSql(plan, { columns: { amount: 'amount' } })).toEqual({ where: '"amount" < $1', params: [100] });
    same(checker, 'edit');
  });

  it('R-K5 `!` holds where its operand is false, not where it cannot be evaluated: a lead without an amount is kept only through its owner', async () => {
    const checker = await compileSources(policy);
    const plan = checker.plan(p, 'delete', 'lead');
    expect(plan.filter).toEqual(or(and({ op: 'present', attribute: 'amount', type: 'number' }, { op: 'not', filter: { op: 'ge', attribute: 'amount', value: 1000 } }), eq('owner', 'u1')));
    expect(toSql(plan, { columns: { amount: 'amount', owner: 'owner' } }).where).toBe('(("amount" IS NOT NULL AND ("amount" >= $1) IS NOT TRUE) OR "owner" = $2)');
    same(checker, 'delete');
    expect(checker.can(p, 'delete', { kind: 'lead', owner: 'u2' } as never).allow).toBe(false);
  });

  it('R-K5 `c ? a : b`, a boolean attribute, `has` and `endsWith` are filters too', async () => {
    const checker = await compileSources(policy);
    same(checker, 'archive');
    const { where, params } = toSql(checker.plan(p, 'archive', 'lead'), { columns: { hot: 'hot', email: 'email' } });
    expect(where).toBe('(("hot" = $1 AND "email" LIKE $2) OR ("hot" IS NOT NULL AND ("hot" = $3) IS NOT TRUE AND ("email" IS NOT NULL) IS NOT TRUE))');
    expect(params).toEqual([true, '%@acme.com', true]);
  });

  it('R-K5 a use of the record that no filter expresses: the compiler warns (PC5006), and the plan keeps a superset marked `recheck` that `can` narrows exactly', async () => {
    const result = await compile('plan', [{ path: 'policy.yaml', text: policy['policy.yaml'] }]);
    // placed at the part of the condition that reads the record
    expect(result.diagnostics.map((d) => [d.code, d.severity, policy['policy.yaml'].slice(d.start, d.end), d.message])).toEqual([
      ['PC5006', 'warning', 'resource.tags.exists(t, t.startsWith("v"))', 'no query-plan filter expresses `resource.tags.exists(t, t.startsWith("v"))`: plans keep every record the rest of the condition allows, marked `recheck`'],
    ]);
    const checker = await compileSources(policy);
    const plan = checker.plan(p, 'export', 'lead');
    // the grant is green: without its condition every lead, so the plan is every lead, to recheck
    expect(plan).toMatchObject({ result: 'filter', filter: { op: 'true' }, recheck: true });
    expect(plan.reason).toContain('recheck each record with `can`: no filter expresses all of `resource.tags.exists(t, t.startsWith("v"))`');
    const keep = toPredicate(plan);
    for (const r of records) {
      const allowed = checker.can(p, 'export', r as never).allow;
      expect(keep(r) && allowed, JSON.stringify(r)).toBe(allowed);
    }
    expect(records.some((r) => checker.can(p, 'export', r as never).allow)).toBe(true);
  });

  it('R-K5 the parts of a condition that filters express still narrow a plan to recheck', async () => {
    const mixed = { 'policy.yaml': policy['policy.yaml'].replace(`'resource.tags.exists(t, t.startsWith("v"))'`, `'resource.owner == principal.id && resource.tags.exists(t, t.startsWith("v"))'`) };
    const checker = await compileSources(mixed);
    const plan = checker.plan(p, 'export', 'lead');
    expect(plan).toMatchObject({ result: 'filter', filter: eq('owner', 'u1'), recheck: true });
    // exact plans carry no `recheck`
    expect(checker.plan(p, 'edit', 'lead')).not.toHaveProperty('recheck');
  });
});

describe('SQL of the filters of conditions (issue 7)', () => {
  const plan = (filter: Filter): QueryPlan => ({ result: 'filter', reason: '', filter });
  const mapping = { columns: { name: 'name', n: 'n', b: 'b', s: 's' } };

  it('text tests are LIKE patterns with `%`, `_` and `\\` escaped, in a parameter', () => {
    expect(toSql(plan({ op: 'startsWith', attribute: 'name', value: '50%_a\\' }), mapping)).toEqual({ where: '"name" LIKE $1', params: ['50\\%\\_a\\\\%'] });
    expect(toSql(plan({ op: 'endsWith', attribute: 'name', value: 'x' }), mapping).params).toEqual(['%x']);
    expect(toSql(plan({ op: 'includes', attribute: 'name', value: '' }), mapping).params).toEqual(['%%']);
  });

  it('sizes count code points of text (char_length) and elements of lists (cardinality)', () => {
    expect(toSql(plan({ op: 'size', attribute: 'name', type: 'string', compare: 'ge', value: 3 }), mapping).where).toBe('char_length("name") >= $1::float8');
    expect(toSql(plan({ op: 'size', attribute: 'n', type: 'list', compare: 'eq', value: 0 }), mapping).where).toBe('cardinality("n") = $1::float8');
    const keep = toPredicate(plan({ op: 'size', attribute: 'name', type: 'string', compare: 'eq', value: 1 }));
    expect([keep({ name: '😀' }), keep({ name: 'ab' }), keep({ name: ['a'] })]).toEqual([true, false, false]);
  });

  it('membership casts the parameter to the array type of its values', () => {
    expect(toSql(plan({ op: 'in', attribute: 'n', values: [1, 2.5] }), mapping).where).toBe('"n" = ANY($1::float8[])');
    expect(toSql(plan({ op: 'in', attribute: 'b', values: [true] }), mapping).where).toBe('"b" = ANY($1::boolean[])');
    expect(toSql(plan({ op: 'in', attribute: 's', values: ['a', 'b'] }), mapping).where).toBe('"s" = ANY($1::text[])');
  });
});

describe('declared principal attributes in conditions (issue 3, issue 7)', () => {
  const policy = {
    'policy.yaml': `principal:
  approvalLimit: number
  regions: 'string[]'
resources:
  deal:
    actions: [view, approve]
    attributes: { owner: string, amount: number, region: string }
    owner: owner
roles:
  approver:
    grants:
      deal:
        view: { level: all, when: 'resource.region in principal.regions' }
        approve: { level: all, when: 'resource.amount <= principal.approvalLimit' }
`,
  };

  it('R-K5 a principal attribute declared under `principal:` is read by `can` and folded into the plan', async () => {
    const checker = await compileSources(policy);
    const ana = { id: 'ana', role: 'approver', approvalLimit: 5000, regions: ['eu', 'uk'] };
    const deals = [{ kind: 'deal', amount: 4999.5, region: 'eu' }, { kind: 'deal', amount: 5000, region: 'us' }, { kind: 'deal', amount: 5001, region: 'uk' }, { kind: 'deal' }];
    expect(deals.map((d) => checker.can(ana, 'approve', d as never).allow)).toEqual([true, true, false, false]);
    const plan = checker.plan(ana, 'approve', 'deal');
    expect(plan.filter).toEqual({ op: 'le', attribute: 'amount', value: 5000 });
    expect(toSql(plan, { columns: { amount: 'amount' } })).toEqual({ where: '"amount" <= $1', params: [5000] });
    expect(checker.plan(ana, 'view', 'deal').filter).toEqual(oneOf('region', ['eu', 'uk']));
    for (const action of ['view', 'approve'] as const) {
      const keep = toPredicate(checker.plan(ana, action, 'deal'));
      for (const d of deals) expect(keep(d), `${action} ${JSON.stringify(d)}`).toBe(checker.can(ana, action, d as never).allow);
    }
    // without the attribute the condition cannot be evaluated: nothing is approved, and the plan says so
    expect(checker.can({ id: 'bo', role: 'approver' }, 'approve', deals[0] as never)).toMatchObject({ allow: false, code: 'condition' });
    expect(checker.plan({ id: 'bo', role: 'approver' }, 'approve', 'deal').result).toBe('never');
  });

  it('a built-in principal attribute cannot be declared (PC3013), and an undeclared one is an unknown name (PC5002)', async () => {
    const bad = policy['policy.yaml'].replace('  approvalLimit: number\n', '  approvalLimit: number\n  role: number\n').replace('principal.approvalLimit', 'principal.aprovalLimit');
    const result = await compile('plan', [{ path: 'policy.yaml', text: bad }]);
    expect(result.diagnostics.map((d) => [d.code, d.message, d.help])).toEqual([
      ['PC3013', '`principal.role` is built in: it cannot be declared', 'its type is fixed; declare other attributes (built in: `id`, `role`, `groups`, `organisation`, `technical`, `shift`, `reports`)'],
      ['PC5002', '`principal` has no field `aprovalLimit`', 'did you mean `approvalLimit`?'],
    ]);
  });
});
