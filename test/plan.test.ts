/**
 * Query plans (data filtering): a record satisfies `checker.plan(...)` exactly when
 * `checker.can(...)` allows it. Postgres itself is exercised in test/pglite.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { and, eq, oneOf, or, toPredicate, type Checker } from '../runtime/index.ts';
import { ColumnMappingError, quoteIdentifier, toSql } from '../runtime/sql.ts';
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
        { op: 'present', attribute: 'owner' },
        { op: 'or', args: [{ op: 'eq', attribute: 'owner', value: 'u1' }, { op: 'and', args: [{ op: 'present', attribute: 'ownerRole' }, { op: 'eq', attribute: 'ownerRole', value: 'rep' }] }] },
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
          { op: 'present' as const, attribute: 'owner' },
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
    actions: [view, edit]
    attributes: { owner: string, stage: string, tags: 'string[]', amount: number }
    owner: owner
roles:
  rep:
    grants:
      lead:
        view: { level: all, when: 'resource.stage in ["new", "open"] && "vip" in resource.tags || resource.owner == principal.id' }
        edit: { level: all, when: 'resource.amount < 100.0' }
`,
  };

  it('R-K5 equality, membership and contains become filters, with the principal folded in; the plan keeps exactly what can allows', async () => {
    const checker = await compileSources(policy);
    const p = { id: 'u1', role: 'rep' };
    const plan = checker.plan(p, 'view', 'lead');
    expect(plan.filter).toEqual(
      or(and(oneOf('stage', ['new', 'open']), { op: 'contains', attribute: 'tags', value: 'vip' }), eq('owner', 'u1')),
    );
    const keep = toPredicate(plan);
    const records = [
      { kind: 'lead', owner: 'u2', stage: 'new', tags: ['vip'] },
      { kind: 'lead', owner: 'u2', stage: 'won', tags: ['vip'] },
      { kind: 'lead', owner: 'u1', stage: 'won' },
      { kind: 'lead', owner: 'u2', stage: 'open', tags: 'vip' },
      { kind: 'lead', owner: 7, stage: 'open' },
      { kind: 'lead' },
    ];
    for (const r of records) expect(keep(r), JSON.stringify(r)).toBe(checker.can(p, 'view', r as never).allow);
  });

  it('R-K5 a numeric comparison on the record has no filter: the plan is `never`, and says to use `can` per record', async () => {
    const checker = await compileSources(policy);
    const plan = checker.plan({ id: 'u1', role: 'rep' }, 'edit', 'lead');
    expect(plan).toMatchObject({ result: 'never' });
    expect(plan.reason).toContain('reads the record in a way no filter expresses');
  });
});
