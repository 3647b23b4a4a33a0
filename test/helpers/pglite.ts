/**
 * Helpers of the PGlite proofs (test/pglite.test.ts, test/pglite-random.test.ts): one embedded
 * Postgres per test file, tables of generated records, and the comparison of a plan's SQL with
 * `can` row by row. {@link startPglite} also starts the databases of test/docs-examples.test.ts
 * and test/serve/postgres.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, expect } from 'vitest';
import { toPredicate, type Checker, type Context, type Filter, type Principal, type QueryPlan } from '../../packages/runtime/src/index.ts';
import { quoteIdentifier, toSql, type ColumnMapping } from '../../packages/runtime/src/sql.ts';
import { obj } from './arbitraries.ts';

let db: PGlite;

/** The empty database cluster as PGlite dumps it, kept per PGlite version between test runs. */
const clusterFile = (): string => {
  const { version } = JSON.parse(readFileSync(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url), 'utf8')) as { version: string };
  return join(tmpdir(), 'policyc-test-pglite', `cluster-${version}.tar.gz`);
};

/**
 * An embedded Postgres with an empty cluster. Creating the cluster (initdb) is most of the seconds
 * PGlite takes to start, so the first start dumps it and later ones load the dump; a dump that
 * does not load is created afresh.
 */
export async function startPglite(): Promise<PGlite> {
  const file = clusterFile();
  if (existsSync(file)) {
    try {
      const loaded = new PGlite({ loadDataDir: new Blob([readFileSync(file)]) });
      await loaded.waitReady;
      return loaded;
    } catch {
      rmSync(file, { force: true });
    }
  }
  const created = new PGlite();
  await created.waitReady;
  // written under another name first: a file started at the same time never reads half a dump
  mkdirSync(join(file, '..'), { recursive: true });
  const partial = `${file}.${randomUUID()}`;
  writeFileSync(partial, Buffer.from(await (await created.dumpDataDir('gzip')).arrayBuffer()));
  renameSync(partial, file);
  return created;
}

/** Starts one embedded Postgres for the calling test file (starting PGlite takes seconds) and closes it after. */
export function usePglite(): void {
  beforeAll(async () => {
    db = await startPglite();
  });
  afterAll(async () => {
    await db.close();
  });
}

/** The test file's database. */
export const database = (): PGlite => db;

/** A seeded PRNG (LCG): `rnd(n)` is in 0..n-1. */
export function prng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 8) % n;
  };
}

/** A record as stored: attribute → value (a list: a `text[]` column), `null` = missing (a NULL column). */
export type Row = Readonly<Record<string, string | number | boolean | readonly string[] | null>>;

/** A Postgres array literal of strings, quoted. */
const arrayLiteral = (items: readonly string[]): string => `{${items.map((i) => `"${i.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;

/** The record `can` sees: its kind and the attributes that are not NULL (missing, not null). */
function resourceOf(kind: string, row: Row): Record<string, unknown> {
  return obj([['kind', kind], ...Object.entries(row).filter(([, v]) => v !== null)]);
}

/**
 * The records of a table's rows, built once per table: {@link compare} asks `can` and the
 * predicate about every row for every principal × action, and building the records again each
 * time cost more than the decisions themselves.
 */
const records = new WeakMap<Table, readonly Record<string, unknown>[]>();
function recordsOf(t: Table): readonly Record<string, unknown>[] {
  let built = records.get(t);
  if (built === undefined) records.set(t, (built = t.rows.map((row) => resourceOf(t.kind, row))));
  return built;
}

export interface Table {
  readonly name: string;
  readonly kind: string;
  /** Attribute → column; every attribute is a nullable `text` column unless `types` says otherwise. */
  readonly mapping: ColumnMapping;
  readonly rows: readonly Row[];
  /** Attribute → column type: `text[]`, `float8` or `boolean`. */
  readonly types?: Readonly<Record<string, 'text[]' | 'float8' | 'boolean'>>;
}

/** Creates the table (id + one text column per attribute) and loads its rows in one statement. */
export async function createTable(t: Table, indexes: readonly string[] = []): Promise<void> {
  const attributes = Object.keys(t.mapping.columns);
  const type = (a: string) => (t.types !== undefined && Object.hasOwn(t.types, a) ? t.types[a]! : 'text');
  const cols = attributes.map((a) => `${quoteIdentifier(t.mapping.columns[a]!)} ${type(a)}`);
  await db.exec(`DROP TABLE IF EXISTS ${quoteIdentifier(t.name)}; CREATE TABLE ${quoteIdentifier(t.name)} (id integer PRIMARY KEY${cols.map((c) => `, ${c}`).join('')})`);
  // columns travel as arrays of their type; lists as array literals in a text[] parameter, cast back per row
  const arrays = [t.rows.map((_, i) => i), ...attributes.map((a) => t.rows.map((r) => { const v = r[a] ?? null; return Array.isArray(v) ? arrayLiteral(v) : v; }))];
  const casts = ['$1::integer[]', ...attributes.map((a, i) => `$${i + 2}::${type(a) === 'text[]' ? 'text' : type(a)}[]`)];
  const names = ['id', ...attributes.map((a) => t.mapping.columns[a]!)].map(quoteIdentifier);
  const selected = ['c0', ...attributes.map((a, i) => (type(a) === 'text[]' ? `c${i + 1}::text[]` : `c${i + 1}`))];
  await db.query(
    `INSERT INTO ${quoteIdentifier(t.name)} (${names.join(', ')}) SELECT ${selected.join(', ')} FROM unnest(${casts.join(', ')}) AS u(${['c0', ...attributes.map((_, i) => `c${i + 1}`)].join(', ')})`,
    arrays,
  );
  for (const a of indexes) await db.exec(`CREATE INDEX ON ${quoteIdentifier(t.name)} (${quoteIdentifier(t.mapping.columns[a]!)})`);
}

/**
 * Answers of SQL already run on a table, by statement and parameters: principals of the same role
 * often get the very same SQL, and the same query on the same rows returns the same ids, so
 * it runs once (each principal's rows are still compared with what `can` allows for it).
 */
const answered = new WeakMap<Table, Map<string, readonly number[]>>();

/** A parameter as a key that tells apart what JSON would merge (`-0` and `0`, infinities and `null`, `"1"` and `1`). */
const paramKey = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(paramKey).join(',')}]` : typeof v === 'number' ? `n${Object.is(v, -0) ? '-0' : String(v)}` : `${typeof v}${JSON.stringify(v) ?? String(v)}`;

/** The ids the SQL filter of the plan returns, sorted. */
async function sqlIds(t: Table, plan: QueryPlan): Promise<readonly number[]> {
  const { where, params } = toSql(plan, t.mapping);
  const statement = `SELECT id FROM ${quoteIdentifier(t.name)} WHERE ${where} ORDER BY id`;
  let cache = answered.get(t);
  if (cache === undefined) answered.set(t, (cache = new Map()));
  const key = `${statement}\u0000${params.map(paramKey).join('\u0000')}`;
  let ids = cache.get(key);
  if (ids === undefined) cache.set(key, (ids = (await db.query<{ id: number }>(statement, [...params])).rows.map((r) => r.id)));
  return ids;
}

/** The ids of the rows `can` allows, sorted. */
function allowedIds(checker: Checker, t: Table, principal: Principal, action: string, context?: Context): number[] {
  const ids: number[] = [];
  recordsOf(t).forEach((record, id) => {
    if (checker.can(principal, action as never, record as never, context).allow) ids.push(id);
  });
  return ids;
}

/**
 * The shape docs/data-filtering.md promises: `true`/`false` only as the whole filter, no `and`
 * directly in an `and` (nor `or` in `or`), `in` never empty. Returns what is wrong, or undefined.
 */
function misshapen(f: Filter, top = true): string | undefined {
  switch (f.op) {
    case 'true':
    case 'false':
      return top ? undefined : `nested ${f.op}`;
    case 'and':
    case 'or':
      if (f.args.length < 2) return `${f.op} of ${f.args.length}`;
      for (const a of f.args) {
        if (a.op === f.op) return `${f.op} in ${f.op}`;
        const wrong = misshapen(a, false);
        if (wrong !== undefined) return wrong;
      }
      return undefined;
    case 'in':
      return f.values.length === 0 ? 'empty in' : undefined;
    default:
      return undefined;
  }
}

/**
 * Compares the SQL filter with `can` for every principal × action on the table; returns how many
 * rows were allowed in all. A plan to recheck (a condition reading the record in a way no filter
 * expresses) must return a superset that `can` narrows to exactly the allowed rows; counted.
 */
export async function compare(
  checker: Checker,
  t: Table,
  principals: readonly Principal[],
  actions: readonly string[],
  context?: Context,
  into: Counts = counts(),
): Promise<Counts> {
  for (const p of principals) {
    for (const action of actions) {
      const plan = checker.plan(p, action as never, t.kind as never, context);
      const want = allowedIds(checker, t, p, action, context);
      if (plan.recheck) {
        // a condition no filter expresses: the SQL returns a superset, which `can` narrows exactly
        const rows = await sqlIds(t, plan);
        expect(rows.filter((id) => checker.can(p, action as never, recordsOf(t)[id] as never, context).allow)).toEqual(want);
        into.recheck++;
        continue;
      }
      expect(misshapen(plan.filter), JSON.stringify(plan)).toBeUndefined();
      const got = await sqlIds(t, plan);
      // a mismatch prints the request and the plan, the minimal reproduction
      expect(got, `${JSON.stringify(p)} ${action} ${t.kind}: plan ${JSON.stringify(plan)}`).toEqual(want);
      // the in-memory predicate agrees too
      const keep = toPredicate(plan);
      const kept: number[] = [];
      recordsOf(t).forEach((record, id) => {
        if (keep(record)) kept.push(id);
      });
      expect(kept).toEqual(want);
      into.queries++;
      into.allowed += want.length;
      if (plan.result === 'filter') into.filters++;
      if (/"attribute":"(stage|pipeline)"/.test(JSON.stringify(plan.filter))) into.overrides++;
      // a `when:` comparing the record: a number, text, size or `has` test, or one on `amount`
      if (/"op":"(lt|le|gt|ge|startsWith|endsWith|includes|size)"|"type":"any"|"attribute":"amount"/.test(JSON.stringify(plan.filter))) into.compared++;
    }
  }
  return into;
}

/** What {@link compare} counted: SQL queries compared, rows allowed, filtered plans and which, plans to recheck. */
export interface Counts {
  queries: number;
  allowed: number;
  filters: number;
  recheck: number;
  /** Plans filtering on a stage or pipeline (R-K5). */
  overrides: number;
  /** Plans with a filter from a `when:` comparing the record. */
  compared: number;
}

export const counts = (): Counts => ({ queries: 0, allowed: 0, filters: 0, recheck: 0, overrides: 0, compared: 0 });

/** Generated records: `pick[attribute]` lists the values to draw from (`null` = missing). */
export function generate(seed: number, count: number, pick: Readonly<Record<string, readonly Row[string][]>>): Row[] {
  const rnd = prng(seed);
  return Array.from({ length: count }, () => Object.fromEntries(Object.entries(pick).map(([a, values]) => [a, values[rnd(values.length)]!])));
}

/** Principal variants for a role: ids that own records or not, groups absent, empty, one, two, or malformed. */
export function principalsFor(roles: readonly string[], groups: readonly string[]): Principal[] {
  const out: Principal[] = [];
  for (const role of roles) {
    out.push(
      { id: 'u1', role },
      { id: 'u2', role, groups: [groups[0]!] },
      { id: 'u3', role, groups: [groups[1]!, groups[2]!] },
      { id: 'nobody-owns-this', role, groups: [] },
      { id: 'u4', role, groups: groups[0] as never }, // malformed: not a list
    );
  }
  return out;
}

export const ACTIONS = ['create', 'view', 'edit', 'delete', 'export'];
