/**
 * Data filtering proven on a real Postgres for random policies and random `when:` conditions:
 * the SQL of every plan returns exactly the records `can` allows (a superset that `can` narrows
 * exactly, for plans to recheck). Example policy sets: test/pglite.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSources as compileTexts } from '../compiler/index.ts';
import type { Principal } from '../packages/runtime/src/index.ts';
import { GROUPS, IDS, obj, PIPELINES, policyArb, policyFiles, SHIFT_NAMES, STAGES, type KindSpec } from './helpers/arbitraries.ts';
import { compare, counts, createTable, prng, usePglite, type Row, type Table } from './helpers/pglite.ts';
import { checkerOf } from './helpers/policy.ts';

usePglite();

// ---------------------------------------------------------------------------------------------
// Random policies

/** Every combination of owner, team and owner role values (strings, near misses, empty, NULL). */
/** Column types and values of a kind's `amount` attribute, by its declared type. */
const EXTRA_COLUMN = { number: 'float8', boolean: 'boolean', 'string[]': 'text[]' } as const;
const EXTRA_VALUES: Readonly<Record<NonNullable<KindSpec['extra']>, Row[string][]>> = {
  number: [3, 100, 100.5, 150, -0, 1e300, -Infinity, null],
  string: ['u1', 'u2x', 'x_%', 'x\\y%', '', null],
  boolean: [true, false, null],
  'string[]': [[], ['g1'], ['g2', 'g1'], null],
};

function crossRows(k: KindSpec, roleNames: readonly string[]): Row[] {
  const axes: [string, Row[string][]][] = [];
  if (k.owner !== null) axes.push([k.owner, [...IDS, 'u9', "u1'--", '', null]]);
  if (k.team !== null) axes.push([k.team, [...GROUPS, 'G1', null]]);
  if (k.ownerRole !== null) axes.push([k.ownerRole, [...roleNames, 'nobody', null]]);
  if (k.organisation !== null) axes.push([k.organisation, ['o1', 'o2', null]]);
  if (k.subscribers !== null) axes.push(['subscribers', [null, [], ['u1'], ['u2', "u1'--", 'u3']]]);
  let rows: Record<string, Row[string]>[] = [{}];
  for (const [a, values] of axes) rows = rows.flatMap((r) => values.map((v) => obj([...Object.entries(r), [a, v]]) as Record<string, Row[string]>));
  // stages and pipelines (R-K5): crossed with the rest while the table is small, else drawn per row
  const more: [string, Row[string][]][] = [
    ...(k.stage ? [['stage', [...STAGES, 'Won', null]] as [string, Row[string][]]] : []),
    ...(k.pipeline ? [['pipeline', [...PIPELINES, 'p3', null]] as [string, Row[string][]]] : []),
    // the attribute `when:` conditions compare (issue 7), of its declared type
    ...(k.extra !== null ? [['amount', EXTRA_VALUES[k.extra]] as [string, Row[string][]]] : []),
  ];
  const rnd = prng(rows.length);
  for (const [a, values] of more) {
    rows = rows.length < 100
      ? rows.flatMap((r) => values.map((v) => obj([...Object.entries(r), [a, v]]) as Record<string, Row[string]>))
      : rows.map((r) => obj([...Object.entries(r), [a, values[rnd(values.length)]!]]) as Record<string, Row[string]>);
  }
  return rows;
}

const principalArb = (roleNames: readonly string[]) =>
  fc.record({
    id: fc.constantFrom(...IDS, 'u9'),
    role: fc.oneof({ arbitrary: fc.constantFrom(...roleNames), weight: 8 }, { arbitrary: fc.constantFrom('nobody', 'REP'), weight: 1 }),
    groups: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 2 },
      { arbitrary: fc.subarray([...GROUPS]), weight: 6 },
      { arbitrary: fc.constantFrom<unknown>('g1', null, 7), weight: 1 },
    ),
    organisation: fc.oneof({ arbitrary: fc.constantFrom('o1', 'o2'), weight: 6 }, { arbitrary: fc.constantFrom<unknown>(undefined, 7), weight: 1 }),
    reports: fc.oneof({ arbitrary: fc.subarray([...IDS, 'u9']), weight: 4 }, { arbitrary: fc.constantFrom<unknown>(undefined, 'u1'), weight: 1 }),
    shift: fc.option(fc.constantFrom(...SHIFT_NAMES)),
    // the declared `principal.limit` of policies with a `principal` section
    limit: fc.option(fc.constantFrom(3.5, 100, 1e300)),
  }).map(({ id, role, groups, organisation, reports, shift, limit }) =>
    obj([
      ['id', id],
      ['role', role],
      ...(groups === undefined ? [] : [['groups', groups] as const]),
      ...(organisation === undefined ? [] : [['organisation', organisation] as const]),
      ...(reports === undefined ? [] : [['reports', reports] as const]),
      ...(shift === null ? [] : [['shift', shift] as const]),
      ...(limit === null ? [] : [['limit', limit] as const]),
    ]) as unknown as Principal,
  );

describe('random policies: the SQL filter returns exactly what `can` allows', () => {
  it('R-K3 R-K5 R-K8 R-K9 R-Z1 R-Z3 R-Z4 R-Z5 R-Z7 R-Z10 random policies × random principals × every kind and action', async () => {
    const total = counts();
    let runs = 0;
    // conditions read `context.now`: one fixed instant (a Sunday, in the DST change of Europe/Warsaw)
    const context = { now: new Date('2026-03-29T01:30:00Z') };
    await fc.assert(
      fc.asyncProperty(
        policyArb.chain((policy) => fc.tuple(fc.constant(policy), fc.array(principalArb(policy.roleNames), { minLength: 3, maxLength: 10 }))),
        async ([policy, principals]) => {
          const files = policyFiles(policy);
          const result = await compileTexts('random', Object.entries(files).map(([path, text]) => ({ path, text })));
          const checker = await checkerOf(result);
          runs++;
          for (const [i, k] of policy.kinds.entries()) {
            // attribute names may be `__proto__` or `role`: columns are named apart from them
            const attributes = [k.owner, k.team, k.ownerRole, k.organisation, k.subscribers !== null ? 'subscribers' : null, k.stage ? 'stage' : null, k.pipeline ? 'pipeline' : null, k.extra !== null ? 'amount' : null].filter((a): a is string => a !== null);
            const t: Table = {
              name: `random ${i}`,
              kind: k.name,
              mapping: { columns: obj(attributes.map((a) => [a, `col ${a}`])) as Record<string, string> },
              rows: crossRows(k, policy.roleNames),
              types: { subscribers: 'text[]', ...(k.extra === null || k.extra === 'string' ? {} : { amount: EXTRA_COLUMN[k.extra] }) },
            };
            await createTable(t);
            await compare(checker, t, principals, [...new Set(k.actions)], context, total);
          }
        },
      ),
      { numRuns: Number(process.env.PGLITE_RUNS ?? 30) },
    );
    const { queries, filters, overrides, compared, recheck } = total;
    console.log(`pglite property: ${runs} policies, ${queries} SQL queries, ${filters} filtered plans (${overrides} on a stage or pipeline, ${compared} comparing the record in a \`when:\`), ${recheck} plans to recheck`);
    expect(filters).toBeGreaterThan(20);
    expect(overrides).toBeGreaterThan(5);
    // (conditions comparing the record are rare here; the next test generates them)
  });
});

// ---------------------------------------------------------------------------------------------
// `when:` conditions comparing the record (issue 7, docs/conditions.md § Query plans)

/**
 * Random CEL conditions made of the comparisons that query plans express, combined with `!`,
 * `&&`, `||` and `?:`; values include edge cases (`-0`, infinities, LIKE's `%`, `_` and `\`).
 */
const conditionArb: fc.Arbitrary<string> = fc.letrec<{ cond: string }>((tie) => ({
  cond: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: fc.oneof(
      fc.tuple(fc.constantFrom('==', '!=', '<', '<=', '>', '>='), fc.constantFrom('3', '3.0', '100.5', '-1', '1e300', '-0.0'), fc.boolean()).map(([op, v, flip]) => (flip ? `${v} ${op} resource.n` : `resource.n ${op} ${v}`)),
      fc.tuple(fc.constantFrom('==', '!='), fc.constantFrom('"a"', '""', '"%"', 'principal.id'), fc.constantFrom('resource.s', 'resource["s"]', 'resource.`s`')).map(([op, v, s]) => `${s} ${op} ${v}`),
      fc.tuple(fc.constantFrom('startsWith', 'endsWith', 'contains'), fc.constantFrom('"a"', '""', '"%"', '"_x"', '"a\\\\"')).map(([f, v]) => `resource.s.${f}(${v})`),
      fc.constantFrom('resource.s in ["a", "b%"]', 'resource.n in [3, 100.5]', 'resource.b', 'resource.b == (principal.id == "u1")', '"x" in resource.tags', 'principal.id in resource.tags'),
      fc.constantFrom('has(resource.n)', 'has(resource.tags)', 'resource.owner == principal.id', 'principal.id == "u1"'),
      fc.constantFrom('size(resource.s) > 1', 'resource.s.size() == 0', '2 >= size(resource.tags)', 'size(resource.tags) != 1', 'size(resource.s) < 1.5'),
    ), weight: 12 },
    // now and then a part no filter expresses: the plan keeps a superset to recheck with `can`
    fc.constantFrom('resource.s.matches("^a")', 'resource.tags.exists(t, t.startsWith("u"))'),
    tie('cond').map((a) => `!(${a})`),
    fc.tuple(tie('cond'), fc.constantFrom('&&', '||'), tie('cond')).map(([a, op, b]) => `(${a}) ${op} (${b})`),
    fc.tuple(tie('cond'), tie('cond'), tie('cond')).map(([c, a, b]) => `(${c}) ? (${a}) : (${b})`),
  ),
})).cond;

describe('`when:` conditions comparing the record: the SQL filter returns exactly what `can` allows', () => {
  it('R-K5 random conditions of number, text, boolean and list comparisons under `!`, `&&`, `||` and `?:` × a table crossing every edge value', async () => {
    const values: Record<string, Row[string][]> = {
      n: [null, 3, 100.5, -1, 0, 1e300, -Infinity],
      s: [null, 'a', '', '%', 'ab', '_x', 'a\\', 'u1', '😀'],
      b: [null, true, false],
      tags: [null, [], ['x'], ['u1', 'x']],
      owner: [null, 'u1', 'u2'],
    };
    let rows: Row[] = [{}];
    for (const [a, vs] of Object.entries(values)) rows = rows.flatMap((r) => vs.map((v) => ({ ...r, [a]: v })));
    const t: Table = {
      name: 'conditions',
      kind: 'item',
      mapping: { columns: { n: 'n', s: 's', b: 'b', tags: 'tags', owner: 'owner' } },
      rows,
      types: { n: 'float8', b: 'boolean', tags: 'text[]' },
    };
    await createTable(t);
    let queries = 0;
    let filters = 0;
    let recheck = 0;
    await fc.assert(
      fc.asyncProperty(conditionArb, async (when) => {
        const text = `resources:\n  item:\n    actions: [view]\n    attributes: { n: number, s: string, b: boolean, tags: 'string[]', owner: string }\n    owner: owner\nroles:\n  r:\n    grants:\n      item:\n        view: { level: all, when: ${JSON.stringify(when)} }\n`;
        const result = await compileTexts('conditions', [{ path: 'policy.yaml', text }]);
        // a PC5006 warning exactly for the parts no filter expresses, and then plans to recheck
        const unplannable = /matches\(|exists\(/.test(when);
        expect(result.diagnostics.map((d) => d.code), when).toEqual(unplannable ? expect.arrayContaining(['PC5006']) : []);
        const r = await compare(await checkerOf(result), t, [{ id: 'u1', role: 'r' }, { id: 'u2', role: 'r' }], ['view']);
        if (!unplannable) expect(r.recheck).toBe(0);
        queries += r.queries;
        filters += r.filters;
        recheck += r.recheck;
      }),
      // two conditions with a part no filter expresses first, so that the plans to recheck are
      // always exercised (random runs alone missed them about once in 70)
      { numRuns: Number(process.env.PGLITE_RUNS ?? 40), examples: [['resource.s.matches("^a")'], ['(resource.n > 3) || (resource.tags.exists(t, t.startsWith("u")))']] },
    );
    console.log(`pglite conditions: ${queries} SQL queries over ${rows.length} rows, ${filters} filtered plans, ${recheck} to recheck`);
    expect(filters).toBeGreaterThan(queries / 4);
    expect(recheck).toBeGreaterThan(0);
  });
});
