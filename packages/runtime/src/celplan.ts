/**
 * Query-plan filters of conditions reading the record (issue 7), for `plan` of generated
 * checkers: re-exported by cel.ts, which generated code imports as `cel`.
 */
import { and as andFilter, contains, eq as eqFilter, FALSE, not as notFilter, oneOf, present, TRUE, type Filter, type PresentType, type Scalar } from './plan.js';
import { CelError, type V } from './celvalue.js';

/**
 * Query-plan filters of conditions reading the record (issue 7). Each returns the records on
 * which its part of the condition is `want` (`true` or `false`): a record on which the part is
 * an error is in neither, so that `!`, `&&`, `||` and `?:` combine them with CEL's meaning.
 * A comparison matches only attribute values of the attribute's declared type; a value from
 * the principal or the context that is an error or of no comparable type matches no record.
 */

/** A part that does not read the record, decided when the plan is made. */
export function planBool(v: V, want: boolean): Filter {
  return v === want ? TRUE : FALSE;
}

/** The records where the part is `want`, given the records where it is `true` (`hit`) and the attribute's type. */
function polar(hit: Filter, attribute: string, type: PresentType, want: boolean): Filter {
  return want ? hit : andFilter(present(attribute, type), notFilter(hit));
}

/** `v` as a value of the declared type that an attribute value can equal, or undefined when none can. */
function scalar(type: 'string' | 'number' | 'boolean', v: V): Scalar | undefined {
  if (type === 'number') {
    // an int equals a double only when the double is exactly it
    const x = typeof v === 'bigint' ? (BigInt(Number(v)) === v ? Number(v) : NaN) : v;
    return typeof x === 'number' && !Number.isNaN(x) ? x : undefined;
  }
  return typeof v === type ? (v as Scalar) : undefined;
}

/** `resource.f == v` on a string, number or boolean attribute (`!=` is `want = false`). */
export function planEq(attribute: string, type: 'string' | 'number' | 'boolean', v: V, want: boolean): Filter {
  if (v instanceof CelError) return FALSE;
  const x = scalar(type, v);
  return polar(x === undefined ? FALSE : eqFilter(attribute, x), attribute, type, want);
}

/** `resource.f in list` on a string, number or boolean attribute. */
export function planIn(attribute: string, type: 'string' | 'number' | 'boolean', list: V, want: boolean): Filter {
  if (!Array.isArray(list)) return FALSE;
  const values = [...new Set(list.map((v: V) => scalar(type, v)).filter((x) => x !== undefined))];
  return polar(oneOf(attribute, values), attribute, type, want);
}

/** `resource.f < v` (and `<=`, `>`, `>=`) on a number attribute, the attribute on the left. */
export function planCompare(attribute: string, op: 'lt' | 'le' | 'gt' | 'ge', v: V, want: boolean): Filter {
  if (typeof v !== 'number' && typeof v !== 'bigint') return FALSE;
  // as `lt` does, an int compared with a double is converted to a double; NaN is unordered
  const x = Number(v);
  return polar(Number.isNaN(x) ? FALSE : { op, attribute, value: x }, attribute, 'number', want);
}

/** `size(resource.f) == v` (and `<`, `<=`, `>`, `>=`; `!=` is `eq` with `want = false`) on a string or list attribute, the size on the left. */
export function planSize(attribute: string, type: 'string' | 'list', compare: 'eq' | 'lt' | 'le' | 'gt' | 'ge', v: V, want: boolean): Filter {
  if (typeof v !== 'number' && typeof v !== 'bigint') return FALSE;
  // a size is an int: compared with a double as a double; equal to none that is not a whole number
  const x = Number(v);
  const hit = Number.isNaN(x) || (compare === 'eq' && !Number.isInteger(x)) ? FALSE : ({ op: 'size', attribute, type, compare, value: x } as const);
  return polar(hit, attribute, type, want);
}

/** `resource.f.startsWith(v)`, `endsWith(v)`, `contains(v)` on a string attribute. */
export function planText(attribute: string, op: 'startsWith' | 'endsWith' | 'includes', v: V, want: boolean): Filter {
  return typeof v === 'string' ? polar({ op, attribute, value: v }, attribute, 'string', want) : FALSE;
}

/** `v in resource.f` on a list attribute. */
export function planContains(attribute: string, v: V, want: boolean): Filter {
  if (v instanceof CelError) return FALSE;
  return polar(typeof v === 'string' ? contains(attribute, v) : FALSE, attribute, 'list', want);
}

/**
 * A part of a condition that no filter expresses: any record may be one where it is true (or
 * false), so the plan keeps them all and is marked to recheck with `can`.
 */
export function planUnknown(): Filter {
  return TRUE;
}

/** `has(resource.f)`. */
export function planHas(attribute: string, want: boolean): Filter {
  const set = present(attribute, 'any');
  return want ? set : notFilter(set);
}
