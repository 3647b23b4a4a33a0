/**
 * Postgres adapter for query plans: a parameterized `WHERE` fragment. Values are always
 * parameters; identifiers come only from the application's column mapping and are quoted,
 * so no string from a policy or a request can change the structure of the query.
 */
import { isObject, own, ownElements } from './own.js';
import { MAX_FILTER_NODES, type QueryPlan } from './plan.js';

export interface ColumnMapping {
  /** Table alias or name to qualify columns with (quoted), if any. */
  readonly table?: string;
  /** Record attribute → column name. Every attribute the plan reads must be mapped. */
  readonly columns: { readonly [attribute: string]: string };
  /**
   * For an attribute holding a parent record (R-Z11): the mapping of the parent's attributes,
   * usually columns of a joined table (its `kind` too).
   */
  readonly records?: { readonly [attribute: string]: ColumnMapping };
}

export interface SqlFragment {
  /** A boolean SQL expression, e.g. `("owner" = $1 OR "team" = ANY($2))`. */
  readonly where: string;
  readonly params: readonly unknown[];
}

export interface SqlOptions {
  /** Number of the first parameter (`$1` by default), to append to a query that has some. */
  readonly firstParam?: number;
}

/**
 * Thrown when the mapping (the application's configuration) lacks a column for an attribute the
 * plan needs, or cannot be read. The only exception `toSql` throws: a plan it cannot render — not
 * one `plan` made, or hostile — renders as `FALSE`, which no row matches.
 */
export class ColumnMappingError extends Error {
  override readonly name = 'ColumnMappingError';
}

const COMPARISON = { eq: '=', lt: '<', le: '<=', gt: '>', ge: '>=' } as const;
const ARRAY_TYPE: { readonly [type: string]: string } = { string: 'text[]', number: 'float8[]', boolean: 'boolean[]' };

/** Quotes an SQL identifier: wrapped in `"`, with inner `"` doubled. */
export function quoteIdentifier(name: string): string {
  if (name.length === 0 || name.includes('\u0000')) throw new ColumnMappingError('an SQL identifier cannot be empty or contain NUL');
  return `"${name.replace(/"/g, '""')}"`;
}

/** What a malformed or hostile plan renders as: no row matches. */
const NOTHING: SqlFragment = Object.freeze({ where: 'FALSE', params: Object.freeze([]) });

/** Raised inside `toSql` for a plan it cannot render; turned into {@link NOTHING}. */
class MalformedPlan extends Error {}

const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean';

/**
 * Renders a plan as a `WHERE` fragment for Postgres (`= ANY($n)` with a text[] parameter for
 * lists). Never throws but {@link ColumnMappingError}: see there.
 */
export function toSql(plan: QueryPlan, mapping: ColumnMapping, options: SqlOptions = {}): SqlFragment {
  const params: unknown[] = [];
  let nodes = 0;
  const param = (value: unknown): string => {
    params.push(value);
    return `$${first + params.length - 1}`;
  };
  /** A property of the plan (by the own-data rule); anything else is a malformed plan. */
  const read = (o: unknown, key: string): unknown => (isObject(o) ? own(o, key) : undefined);
  const str = (o: unknown, key: string): string => {
    const v = read(o, key);
    if (typeof v !== 'string') throw new MalformedPlan();
    return v;
  };
  const scalar = (o: unknown, key: string): string | number | boolean => {
    const v = read(o, key);
    if (!isScalar(v)) throw new MalformedPlan();
    return v;
  };
  const num = (o: unknown, key: string): number => {
    const v = read(o, key);
    if (typeof v !== 'number' || Number.isNaN(v)) throw new MalformedPlan();
    return v;
  };
  const list = (o: unknown, key: string): unknown[] => {
    const v = read(o, key);
    if (!Array.isArray(v)) throw new MalformedPlan();
    return ownElements(v);
  };
  const render = (f: unknown, mapping: Mapping): string => {
    if (++nodes > MAX_FILTER_NODES) throw new MalformedPlan(); // shared subtrees could take exponential time
    const column = (attribute: string): string => {
      const name = mapped(mapping.columns, attribute);
      if (typeof name !== 'string') throw new ColumnMappingError(`no column is mapped for attribute \`${attribute}\``);
      return mapping.table === undefined ? quoteIdentifier(name) : `${quoteIdentifier(mapping.table)}.${quoteIdentifier(name)}`;
    };
    const op = read(f, 'op');
    switch (op) {
      case 'true':
        return 'TRUE';
      case 'false':
        return 'FALSE';
      case 'and':
      case 'or': {
        const args = list(f, 'args');
        if (args.length === 0) return op === 'and' ? 'TRUE' : 'FALSE';
        return `(${args.map((a) => render(a, mapping)).join(op === 'and' ? ' AND ' : ' OR ')})`;
      }
      case 'present':
        return `${column(str(f, 'attribute'))} IS NOT NULL`;
      case 'eq':
        return `${column(str(f, 'attribute'))} = ${param(scalar(f, 'value'))}`;
      case 'in': {
        const values = list(f, 'values');
        if (values.length === 0 || !values.every((v) => isScalar(v) && typeof v === typeof values[0])) throw new MalformedPlan();
        return `${column(str(f, 'attribute'))} = ANY(${param(values)}::${ARRAY_TYPE[typeof values[0]] ?? 'text[]'})`;
      }
      case 'lt':
      case 'le':
      case 'gt':
      case 'ge':
        return `${column(str(f, 'attribute'))} ${COMPARISON[op]} ${param(num(f, 'value'))}`;
      case 'size': {
        // the value may be fractional (`size(x) < 1.5`): compared as a double, as CEL does
        const type = read(f, 'type');
        const compare = read(f, 'compare');
        if ((type !== 'string' && type !== 'list') || typeof compare !== 'string' || !Object.hasOwn(COMPARISON, compare)) throw new MalformedPlan();
        return `${type === 'string' ? 'char_length' : 'cardinality'}(${column(str(f, 'attribute'))}) ${COMPARISON[compare as keyof typeof COMPARISON]} ${param(num(f, 'value'))}::float8`;
      }
      case 'startsWith':
      case 'endsWith':
      case 'includes': {
        // LIKE with the value escaped (`\` is LIKE's default escape): a prefix can use an index
        const escaped = str(f, 'value').replace(/[\\%_]/g, (c) => `\\${c}`);
        return `${column(str(f, 'attribute'))} LIKE ${param(op === 'startsWith' ? `${escaped}%` : op === 'endsWith' ? `%${escaped}` : `%${escaped}%`)}`;
      }
      case 'contains':
        // `@>` rather than `= ANY(column)`: a GIN index on the column serves it
        return `${column(str(f, 'attribute'))} @> ARRAY[${param(str(f, 'value'))}]::text[]`;
      case 'not':
        // `IS NOT TRUE`, not `NOT`: a comparison with a NULL column is NULL, which must count as "no match" inside too
        return `(${render(read(f, 'filter'), mapping)}) IS NOT TRUE`;
      case 'record': {
        const attribute = str(f, 'attribute');
        const nested = mapping.records === undefined ? undefined : mapped(mapping.records, attribute);
        if (nested === undefined) throw new ColumnMappingError(`no mapping is given for the record in attribute \`${attribute}\``);
        return render(read(f, 'filter'), mappingOf(nested));
      }
      default:
        throw new MalformedPlan();
    }
  };
  const first = firstParam(options);
  const root = mappingOf(mapping);
  try {
    const where = render(read(plan, 'filter'), root);
    return { where, params };
  } catch (error) {
    if (error instanceof ColumnMappingError) throw error;
    // a malformed plan, a read of it that threw, or a plan too deep for the stack: nothing matches
    return NOTHING;
  }
}

/** A column mapping as read by the own-data rule: a polluted `Object.prototype.table` must not qualify every column. */
interface Mapping {
  readonly table: string | undefined;
  readonly columns: { readonly [attribute: string]: unknown };
  readonly records: { readonly [attribute: string]: unknown } | undefined;
}

/** Reads the application's mapping; anything unreadable or misshapen is a {@link ColumnMappingError}. */
function mappingOf(mapping: unknown): Mapping {
  try {
    if (!isObject(mapping)) throw new ColumnMappingError('the column mapping must be an object');
    const table = own(mapping, 'table');
    const columns = own(mapping, 'columns');
    const records = own(mapping, 'records');
    if (table !== undefined && typeof table !== 'string') throw new ColumnMappingError('the mapping\'s `table` must be a string');
    if (!isObject(columns)) throw new ColumnMappingError('the mapping\'s `columns` must be an object of attribute → column');
    if (records !== undefined && !isObject(records)) throw new ColumnMappingError('the mapping\'s `records` must be an object of attribute → mapping');
    return { table, columns: columns as Mapping['columns'], records: records as Mapping['records'] };
  } catch (error) {
    if (error instanceof ColumnMappingError) throw error;
    throw new ColumnMappingError('the column mapping cannot be read');
  }
}

/** The mapping's own entry for `attribute`; a mapping that throws when read is a {@link ColumnMappingError}. */
function mapped(table: { readonly [attribute: string]: unknown }, attribute: string): unknown {
  try {
    return own(table, attribute);
  } catch {
    throw new ColumnMappingError(`the column mapping cannot be read for attribute \`${attribute}\``);
  }
}

function firstParam(options: unknown): number {
  let first: unknown;
  try {
    first = isObject(options) ? own(options, 'firstParam') : undefined;
  } catch {
    first = undefined;
  }
  return typeof first === 'number' && Number.isSafeInteger(first) && first >= 1 ? first : 1;
}
