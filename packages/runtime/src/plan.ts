/**
 * Query plans: "which records may this principal list?" answered from the same policy as
 * `can`, as a filter over record attributes with everything known about the principal
 * already folded in. A record satisfies the plan exactly when `can` allows it.
 *
 * No dependencies; imports nothing from the compiler.
 */
import { EXHAUSTED } from './failure.js';
import { isObject, listIncludes, own, someElement } from './own.js';

/** A value a filter compares an attribute with. */
export type Scalar = string | number | boolean;

/**
 * What `present` asks of an attribute: to hold a string, a number, a boolean, a list, or
 * anything at all (`any`: CEL's `has()`). In SQL each is `IS NOT NULL`: a column's type is the
 * attribute's.
 */
export type PresentType = 'string' | 'number' | 'boolean' | 'list' | 'any';

/**
 * A condition over one record's attributes. Every comparison matches only values of its own
 * type (`eq` with a string value only strings), which is what `can` requires before comparing.
 */
export type Filter =
  | { readonly op: 'true' }
  | { readonly op: 'false' }
  | { readonly op: 'and'; readonly args: readonly Filter[] }
  | { readonly op: 'or'; readonly args: readonly Filter[] }
  | { readonly op: 'present'; readonly attribute: string; readonly type: PresentType }
  | { readonly op: 'eq'; readonly attribute: string; readonly value: Scalar }
  /** Equal to one of `values` (all of one type). */
  | { readonly op: 'in'; readonly attribute: string; readonly values: readonly Scalar[] }
  /** A number attribute compared with `value` (`when:` conditions, issue 7). */
  | { readonly op: 'lt' | 'le' | 'gt' | 'ge'; readonly attribute: string; readonly value: number }
  /** A string attribute that starts with, ends with or includes `value` (`when:` conditions). */
  | { readonly op: 'startsWith' | 'endsWith' | 'includes'; readonly attribute: string; readonly value: string }
  /** The size of a string (in code points) or list attribute compared with `value` (`when:` conditions). */
  | { readonly op: 'size'; readonly attribute: string; readonly type: 'string' | 'list'; readonly compare: 'eq' | 'lt' | 'le' | 'gt' | 'ge'; readonly value: number }
  /** The attribute is a list that contains `value` (R-K9 subscribers). */
  | { readonly op: 'contains'; readonly attribute: string; readonly value: string }
  /** `filter` does not match (a record on which it cannot be decided does not match it either). */
  | { readonly op: 'not'; readonly filter: Filter }
  /** The attribute holds a record (a parent record, R-Z11) that satisfies `filter`. */
  | { readonly op: 'record'; readonly attribute: string; readonly filter: Filter };

export interface QueryPlan {
  /** `always`: every record of the kind; `never`: none; `filter`: those matching `filter`. */
  readonly result: 'always' | 'never' | 'filter';
  readonly filter: Filter;
  /** Why, in the words of the decision that `can` would give (for `filter`: the grant). */
  readonly reason: string;
  /**
   * Set when a `when:` condition reads the record in a way no filter expresses (PC5006): the
   * filter then keeps every record the rest of the policy allows, a superset — check each record
   * it returns with `can`. Absent when the filter is exact.
   */
  readonly recheck?: true;
  /** Set on a `never` plan for a request that could not be planned: malformed, or a read that threw. */
  readonly code?: 'invalid-request' | 'error';
}

/** Most filter nodes one evaluation or rendering of a plan visits (`plan` makes plans of a few dozen). */
export const MAX_FILTER_NODES = 100_000;

export const TRUE: Filter = Object.freeze({ op: 'true' });
export const FALSE: Filter = Object.freeze({ op: 'false' });

/** Conjunction, folding constants: `and()` is true, any false argument makes it false; a `present` test is kept once. */
export function and(...args: Filter[]): Filter {
  const kept: Filter[] = [];
  const keep = (a: Filter): void => {
    if (a.op === 'present' && kept.some((k) => k.op === 'present' && k.attribute === a.attribute && k.type === a.type)) return;
    if (a.op !== 'true') kept.push(a);
  };
  for (const a of args) {
    if (a.op === 'false') return FALSE;
    if (a.op === 'and') a.args.forEach(keep);
    else keep(a);
  }
  return kept.length === 0 ? TRUE : kept.length === 1 ? kept[0]! : { op: 'and', args: kept };
}

/** Disjunction, folding constants: `or()` is false, any true argument makes it true. */
export function or(...args: Filter[]): Filter {
  const kept: Filter[] = [];
  for (const a of args) {
    if (a.op === 'true') return TRUE;
    if (a.op === 'or') kept.push(...a.args);
    else if (a.op !== 'false') kept.push(a);
  }
  return kept.length === 0 ? FALSE : kept.length === 1 ? kept[0]! : { op: 'or', args: kept };
}

/** The attribute holds a value of `type` (a string unless said). */
export function present(attribute: string, type: PresentType = 'string'): Filter {
  return { op: 'present', attribute, type };
}

export function eq(attribute: string, value: Scalar): Filter {
  return { op: 'eq', attribute, value };
}

/** Negation, folding constants. */
export function not(filter: Filter): Filter {
  return filter.op === 'true' ? FALSE : filter.op === 'false' ? TRUE : { op: 'not', filter };
}

/** The list attribute contains `value`. */
export function contains(attribute: string, value: string): Filter {
  return { op: 'contains', attribute, value };
}

/** The attribute is a record satisfying `filter`; a false filter is false. */
export function record(attribute: string, filter: Filter): Filter {
  return filter.op === 'false' ? FALSE : { op: 'record', attribute, filter };
}

/** Membership; an empty list is false. */
export function oneOf(attribute: string, values: readonly Scalar[]): Filter {
  return values.length === 0 ? FALSE : values.length === 1 ? eq(attribute, values[0]!) : { op: 'in', attribute, values };
}

/** A plan of `filter`; `recheck` when the filter may keep records `can` denies (an empty filter never does). */
export function planOf(filter: Filter, reason: string, recheck = false): QueryPlan {
  if (filter.op === 'false') return { result: 'never', filter, reason };
  if (recheck) return { result: 'filter', filter, reason, recheck: true };
  return { result: filter.op === 'true' ? 'always' : 'filter', filter, reason };
}

/**
 * Whether a plan says to recheck its records: its own `recheck`, never one a polluted
 * `Object.prototype` lends a plan that has none (most have none).
 */
export function rechecks(plan: QueryPlan): boolean {
  return Object.hasOwn(plan, 'recheck') && plan.recheck === true;
}

/** The plan of a request that failed at the very edge of the call stack: `never`, the reason of {@link EXHAUSTED}. */
export const EXHAUSTED_PLAN: QueryPlan = /* @__PURE__ */ Object.freeze({ ...planOf(FALSE, EXHAUSTED.reason), code: 'error' as const });

/**
 * A plain JavaScript predicate for in-memory lists. It reads attributes as `can` does (own or
 * own-class properties; `present` checks the value's type, `any` an own property that is set).
 * It never throws: a record it cannot read, or a plan that is not one, matches nothing.
 */
export function toPredicate(plan: QueryPlan): (record: Row) => boolean {
  let nodes = 0;
  const test = (f: Filter, r: object): boolean => {
    // a plan that is not one `plan` made may share subtrees exponentially: past the budget it matches nothing
    if (++nodes > MAX_FILTER_NODES) throw new RangeError('the plan is too large');
    // a plan that is not one `plan` made may hold anything: nothing here converts a value to a
    // string or a number (a sparse list of length 2^32 - 1 would take minutes to join)
    const attribute = Object.hasOwn(f, 'attribute') ? (f as { attribute: unknown }).attribute : undefined;
    const v = typeof attribute === 'string' ? own(r, attribute) : undefined;
    switch (f.op) {
      case 'true':
        return true;
      case 'false':
        return false;
      case 'and':
        return Array.isArray(f.args) && !someElement(f.args, (a) => !test(a as Filter, r));
      case 'or':
        return Array.isArray(f.args) && someElement(f.args, (a) => test(a as Filter, r));
      case 'present':
        return f.type === 'any' ? Object.hasOwn(r, f.attribute) && v !== undefined : f.type === 'list' ? Array.isArray(v) : typeof v === f.type;
      case 'eq':
        return v === f.value;
      case 'in':
        return listIncludes(f.values, v);
      case 'lt':
      case 'le':
      case 'gt':
      case 'ge':
        return typeof v === 'number' && typeof f.value === 'number' && compare(v, f.op, f.value);
      case 'size': {
        const n = f.type === 'string' ? (typeof v === 'string' ? [...v].length : undefined) : Array.isArray(v) ? v.length : undefined;
        return n !== undefined && typeof f.value === 'number' && compare(n, f.compare, f.value);
      }
      case 'startsWith':
      case 'endsWith':
      case 'includes':
        return typeof v === 'string' && typeof f.value === 'string' && v[f.op](f.value);
      case 'contains':
        return Array.isArray(v) && listIncludes(v, f.value);
      case 'not':
        return !test(f.filter, r);
      case 'record':
        return isObject(v) && test(f.filter, v);
    }
  };
  let filter: Filter | undefined;
  try {
    filter = isObject(plan) ? (own(plan, 'filter') as Filter) : undefined;
  } catch {
    filter = undefined;
  }
  return (record) => {
    nodes = 0;
    try {
      return filter !== undefined && isObject(record) && test(filter, record) === true;
    } catch {
      return false;
    }
  };
}

function compare(a: number, op: 'eq' | 'lt' | 'le' | 'gt' | 'ge', b: number): boolean {
  return op === 'eq' ? a === b : op === 'lt' ? a < b : op === 'le' ? a <= b : op === 'gt' ? a > b : a >= b;
}

/** A record as the predicate reads it. */
type Row = { readonly [attribute: string]: unknown };
