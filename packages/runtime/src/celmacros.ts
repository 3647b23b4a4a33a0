import { charge, type Meter } from './celbudget.js';
import { CelError, isMap, overload, read, type V } from './celvalue.js';
import { ownElements } from './own.js';

/**
 * The comprehension macros of compiled conditions: `all`, `exists`, `exists_one`, `map`,
 * `filter`. Generated code passes the condition's meter (celbudget.ts): each element visited
 * costs one step, so nested comprehensions spend the product of their ranges' sizes.
 */

function range(v: V, fn: string): readonly V[] | CelError {
  // a hole is no element: `Array.prototype` or `Object.prototype` values at its index never count (own.ts)
  if (Array.isArray(v)) return ownElements(v);
  if (v instanceof Map) return [...v.keys()];
  if (isMap(v)) return Object.keys(v);
  return v instanceof CelError ? v : overload(fn);
}

/** One step for the next element: the budget's error once it is spent. */
const step = (m: Meter | undefined): CelError | undefined => (m === undefined ? undefined : charge(m, 1));

/**
 * `all` and `exists`: the `decisive` value (false for `all`, true for `exists`) wins over errors;
 * an error wins over the other value.
 */
function quantifier(r: V, p: (x: V) => V, m: Meter | undefined, decisive: boolean, name: 'all' | 'exists'): V {
  const items = range(r, name);
  if (items instanceof CelError) return items;
  let failure: V;
  for (const item of items) {
    const over = step(m);
    if (over) return over;
    const v = p(read(item, 'list element'));
    if (v === decisive) return decisive;
    if (v !== !decisive) failure ??= v instanceof CelError ? v : overload(name);
  }
  return failure ?? !decisive;
}

/** `r.all(x, p)`: false wins over errors; an error wins over true. */
export function all(r: V, p: (x: V) => V, m?: Meter): V {
  return quantifier(r, p, m, false, 'all');
}

/** `r.exists(x, p)`: true wins over errors; an error wins over false. */
export function exists(r: V, p: (x: V) => V, m?: Meter): V {
  return quantifier(r, p, m, true, 'exists');
}

/** `r.exists_one(x, p)`: exactly one element satisfies `p`; any error is the result. */
export function existsOne(r: V, p: (x: V) => V, m?: Meter): V {
  const items = range(r, 'exists_one');
  if (items instanceof CelError) return items;
  let n = 0;
  for (const item of items) {
    const over = step(m);
    if (over) return over;
    const v = p(read(item, 'list element'));
    if (v === true) n++;
    else if (v !== false) return v instanceof CelError ? v : overload('exists_one');
  }
  return n === 1;
}

/** `r.map(x, f)` and `r.map(x, p, f)`. */
export function mapList(r: V, f: (x: V) => V, p?: (x: V) => V, m?: Meter): V {
  const items = range(r, 'map');
  if (items instanceof CelError) return items;
  const out: V[] = [];
  for (const item of items) {
    const over = step(m);
    if (over) return over;
    if (p) {
      const keep = p(read(item, 'list element'));
      if (keep === false) continue;
      if (keep !== true) return keep instanceof CelError ? keep : overload('map');
    }
    const v = f(read(item, 'list element'));
    if (v instanceof CelError) return v;
    out.push(v);
  }
  return out;
}

/** `r.filter(x, p)` */
export function filter(r: V, p: (x: V) => V, m?: Meter): V {
  const items = range(r, 'filter');
  if (items instanceof CelError) return items;
  const out: V[] = [];
  for (const item of items) {
    const over = step(m);
    if (over) return over;
    const keep = p(read(item, 'list element'));
    if (keep === true) out.push(item);
    else if (keep !== false) return keep instanceof CelError ? keep : overload('filter');
  }
  return out;
}
