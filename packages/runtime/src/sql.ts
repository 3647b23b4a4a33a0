/**
 * Postgres adapter for query plans: a parameterized `WHERE` fragment. Values are always
 * parameters; identifiers come only from the application's column mapping and are quoted,
 * so no string from a policy or a request can change the structure of the query.
 */
import type { Filter, QueryPlan } from './plan.js';

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

/** Thrown when the mapping lacks a column for an attribute the plan needs. */
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

/** Renders a plan as a `WHERE` fragment for Postgres (`= ANY($n)` with a text[] parameter for lists). */
export function toSql(plan: QueryPlan, mapping: ColumnMapping, options: SqlOptions = {}): SqlFragment {
  const params: unknown[] = [];
  const first = options.firstParam ?? 1;
  const param = (value: unknown): string => {
    params.push(value);
    return `$${first + params.length - 1}`;
  };
  const render = (f: Filter, mapping: ColumnMapping): string => {
    const column = (attribute: string): string => {
      const name = Object.hasOwn(mapping.columns, attribute) ? mapping.columns[attribute] : undefined;
      if (typeof name !== 'string') throw new ColumnMappingError(`no column is mapped for attribute \`${attribute}\``);
      return mapping.table === undefined ? quoteIdentifier(name) : `${quoteIdentifier(mapping.table)}.${quoteIdentifier(name)}`;
    };
    switch (f.op) {
      case 'true':
        return 'TRUE';
      case 'false':
        return 'FALSE';
      case 'and':
        return `(${f.args.map((a) => render(a, mapping)).join(' AND ')})`;
      case 'or':
        return `(${f.args.map((a) => render(a, mapping)).join(' OR ')})`;
      case 'present':
        return `${column(f.attribute)} IS NOT NULL`;
      case 'eq':
        return `${column(f.attribute)} = ${param(f.value)}`;
      case 'in':
        return `${column(f.attribute)} = ANY(${param([...f.values])}::${ARRAY_TYPE[typeof f.values[0]] ?? 'text[]'})`;
      case 'lt':
      case 'le':
      case 'gt':
      case 'ge':
        return `${column(f.attribute)} ${COMPARISON[f.op]} ${param(f.value)}`;
      case 'size':
        // the value may be fractional (`size(x) < 1.5`): compared as a double, as CEL does
        return `${f.type === 'string' ? 'char_length' : 'cardinality'}(${column(f.attribute)}) ${COMPARISON[f.compare]} ${param(f.value)}::float8`;
      case 'startsWith':
      case 'endsWith':
      case 'includes': {
        // LIKE with the value escaped (`\` is LIKE's default escape): a prefix can use an index
        const escaped = f.value.replace(/[\\%_]/g, (c) => `\\${c}`);
        return `${column(f.attribute)} LIKE ${param(f.op === 'startsWith' ? `${escaped}%` : f.op === 'endsWith' ? `%${escaped}` : `%${escaped}%`)}`;
      }
      case 'contains':
        // `@>` rather than `= ANY(column)`: a GIN index on the column serves it
        return `${column(f.attribute)} @> ARRAY[${param(f.value)}]::text[]`;
      case 'not':
        // `IS NOT TRUE`, not `NOT`: a comparison with a NULL column is NULL, which must count as "no match" inside too
        return `(${render(f.filter, mapping)}) IS NOT TRUE`;
      case 'record': {
        const nested = mapping.records !== undefined && Object.hasOwn(mapping.records, f.attribute) ? mapping.records[f.attribute] : undefined;
        if (nested === undefined) throw new ColumnMappingError(`no mapping is given for the record in attribute \`${f.attribute}\``);
        return render(f.filter, nested);
      }
    }
  };
  const where = render(plan.filter, mapping);
  return { where, params };
}
