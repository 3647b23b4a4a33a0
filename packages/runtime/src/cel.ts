/**
 * The support functions that compiled CEL conditions call (see docs/conditions.md). Generated
 * code is a plain expression over these; nothing here interprets an expression.
 *
 * Values: `null`, `boolean`, `bigint` (CEL int, 64-bit, overflow is an error), `number` (CEL
 * double), `string`, arrays (lists), `Map`s and objects (maps; a field counts when it is the
 * object's own or comes from its own class, never from a built-in prototype: own.ts),
 * {@link CelTimestamp}, {@link CelDuration}, {@link CelType}, and {@link CelError}.
 * Application values are read through {@link val}, {@link sel} and {@link idx}: `undefined`
 * becomes a "no such key" error and a `Date` becomes a timestamp. A JS number is a double unless
 * the declared type says int, in which case generated code converts it with {@link asInt}.
 *
 * Errors are values, never thrown: every function returns a {@link CelError} when an argument is
 * one or when it has no overload for its arguments. Functions taking a last `m` argument spend
 * steps of the condition's cost budget when generated code passes its meter (celbudget.ts).
 */
import { CelDuration, CelTimestamp, durationFromNanos, durationNanos, durationOf, timestampOf } from './celtime.js';
import { timestampPart, type TimePart } from './celzone.js';
import { charge, type Meter } from './celbudget.js';
import { chargeText, textOrder } from './celtext.js';
import { CelError, equal, int64, isMap, mapGet, MAX_INT, MIN_INT, overload, read, time, type V } from './celvalue.js';
import { hasOwnOrClass } from './own.js';

export { CelDuration, CelTimestamp } from './celtime.js';
export { knownZone, localPart, zoneOffset } from './celzone.js';
export { all, exists, existsOne, filter, mapList } from './celmacros.js';
export { CelBudgetExceeded, DEFAULT_BUDGET, isOverBudget, meter, spent, type Meter } from './celbudget.js';
export { matches, matchesSafe, regexProblem } from './celregex.js';
export { safeRegExp } from './celregexsafe.js';
export { contains, dyn, endsWith, size, startsWith, textOrder, toBool, toDouble, toDuration, toInt, toStr, toTimestamp, typeOfValue } from './celtext.js';
export { CelError, CelType, error, has, isError, sel, types, type CelValue } from './celvalue.js';
export { hasOwnOrClass, own } from './own.js';
export { planBool, planCompare, planContains, planEq, planHas, planIn, planSize, planText, planUnknown } from './celplan.js';

/** A top-level variable (`principal`, `resource`, `context`); `name` is for the error message. */
export function val(v: V, name: string): V {
  return v === undefined ? new CelError(`no such attribute: ${name}`) : read(v, name);
}

/** `a[i]` on a list (int index; a whole double is accepted) or `a[k]` on a map. */
export function idx(obj: V, key: V): V {
  if (obj instanceof CelError) return obj;
  if (key instanceof CelError) return key;
  if (Array.isArray(obj)) {
    let i: number;
    if (typeof key === 'bigint') i = Number(key);
    else if (typeof key === 'number' && Number.isInteger(key)) i = key;
    else return overload('_[_]');
    return i >= 0 && i < obj.length ? read(obj[i], String(i)) : new CelError(`index out of range: ${i}`);
  }
  if (isMap(obj)) return mapGet(obj, key);
  return overload('_[_]');
}

/** A declared `int` read from application data: a safe integer number or a bigint. */
export function asInt(v: V): V {
  if (typeof v === 'bigint') return v >= MIN_INT && v <= MAX_INT ? v : new CelError('int out of range');
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : new CelError('not an int');
  return v instanceof CelError ? v : new CelError('not an int');
}

/** `!a` */
export function not(a: V): V {
  return typeof a === 'boolean' ? !a : a instanceof CelError ? a : overload('!_');
}

/** The right side of `a && b` once `a` is known not to be `false`: false wins, then errors. */
export function and(a: V, b: V): V {
  if (b === false) return false;
  if (a === true) return b === true ? true : b instanceof CelError ? b : overload('_&&_');
  return a instanceof CelError ? a : overload('_&&_');
}

/** The right side of `a || b` once `a` is known not to be `true`: true wins, then errors. */
export function or(a: V, b: V): V {
  if (b === true) return true;
  if (a === false) return b === false ? false : b instanceof CelError ? b : overload('_||_');
  return a instanceof CelError ? a : overload('_||_');
}

/** The value of `c ? … : …` when `c` is not a bool. */
export function notBool(c: V): V {
  return c instanceof CelError ? c : overload('_?_:_');
}

/** `a == b` with CEL's heterogeneous equality (`1 == 1.0`, different kinds are unequal); comparing lists or maps costs a step per element. */
export function eq(a: V, b: V, m?: Meter): V {
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  if (a instanceof CelError) return a;
  if (b instanceof CelError) return b;
  if (m !== undefined && typeof a === 'object' && a !== null) {
    const over = charge(m, 1 + (Array.isArray(a) ? a.length : a instanceof Map ? a.size : 0));
    if (over) return over;
  }
  return equal(a, b);
}

export function ne(a: V, b: V, m?: Meter): V {
  const e = eq(a, b, m);
  return typeof e === 'boolean' ? !e : e;
}

/** -1, 0, 1, NaN (unordered doubles) or an error. */
function compare(a: V, b: V, op: string): number | CelError {
  const ta = typeof a;
  if (ta === typeof b && (ta === 'bigint' || ta === 'number')) {
    return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : a === b ? 0 : NaN;
  }
  if (ta === 'string' && typeof b === 'string') return textOrder(a as string, b);
  return compareSlow(a, b, op);
}

function compareSlow(a: V, b: V, op: string): number | CelError {
  if (a instanceof CelError) return a;
  if (b instanceof CelError) return b;
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === 'bigint' || ta === 'number') && (tb === 'bigint' || tb === 'number')) {
    if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
    if (ta !== tb) {
      // as CEL does, an int compared with a double is converted to a double (lossy above 2^53)
      a = Number(a);
      b = Number(b);
    }
    return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  }
  if (ta !== tb) return overload(op);
  if (ta === 'boolean') return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  if ((a instanceof CelTimestamp && b instanceof CelTimestamp) || (a instanceof CelDuration && b instanceof CelDuration)) {
    const d = a.seconds - b.seconds || a.nanos - b.nanos;
    return Math.sign(d);
  }
  return overload(op);
}

/** An int read from application data for a comparison: a safe integer or a bigint, kept as is (no conversion). */
export function intValue(v: V): V {
  if (typeof v === 'number' ? Number.isSafeInteger(v) : typeof v === 'bigint' && v >= MIN_INT && v <= MAX_INT) return v;
  return v instanceof CelError ? v : new CelError('not an int');
}

/**
 * Comparisons of two ints (the checker knows both sides are), each a bigint or a safe integer:
 * JS compares a number with a bigint exactly.
 */
export function ltInt(a: V, b: V): V {
  return a instanceof CelError ? a : b instanceof CelError ? b : (a as number) < (b as number);
}
export function leInt(a: V, b: V): V {
  return a instanceof CelError ? a : b instanceof CelError ? b : (a as number) <= (b as number);
}
export function gtInt(a: V, b: V): V {
  return a instanceof CelError ? a : b instanceof CelError ? b : (a as number) > (b as number);
}
export function geInt(a: V, b: V): V {
  return a instanceof CelError ? a : b instanceof CelError ? b : (a as number) >= (b as number);
}
export function eqInt(a: V, b: V): V {
  return a instanceof CelError ? a : b instanceof CelError ? b : a == b; // eslint-disable-line eqeqeq
}
export function neInt(a: V, b: V): V {
  return a instanceof CelError ? a : b instanceof CelError ? b : a != b; // eslint-disable-line eqeqeq
}

export function lt(a: V, b: V): V {
  const c = compare(a, b, '_<_');
  return typeof c === 'number' ? c < 0 : c;
}
export function le(a: V, b: V): V {
  const c = compare(a, b, '_<=_');
  return typeof c === 'number' ? c <= 0 : c;
}
export function gt(a: V, b: V): V {
  const c = compare(a, b, '_>_');
  return typeof c === 'number' ? c > 0 : c;
}
export function ge(a: V, b: V): V {
  const c = compare(a, b, '_>=_');
  return typeof c === 'number' ? c >= 0 : c;
}


/** `a + b`; joining strings or lists costs steps for what is copied (1 per 10 characters, 1 per element). */
export function add(a: V, b: V, m?: Meter): V {
  if (typeof a === 'bigint' && typeof b === 'bigint') return int64(a + b);
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (typeof a === 'string' && typeof b === 'string') return chargeText(m, a.length + b.length) ?? a + b;
  if (Array.isArray(a) && Array.isArray(b)) return (m === undefined ? undefined : charge(m, 1 + a.length + b.length)) ?? [...a, ...b];
  if (a instanceof CelError) return a;
  if (b instanceof CelError) return b;
  if (a instanceof CelDuration && b instanceof CelDuration) return time(durationFromNanos(durationNanos(a) + durationNanos(b)), 'duration');
  if (a instanceof CelTimestamp && b instanceof CelDuration) return time(timestampOf(a.seconds + b.seconds, a.nanos + b.nanos), 'timestamp');
  if (a instanceof CelDuration && b instanceof CelTimestamp) return time(timestampOf(a.seconds + b.seconds, a.nanos + b.nanos), 'timestamp');
  return overload('_+_');
}

export function sub(a: V, b: V): V {
  if (typeof a === 'bigint' && typeof b === 'bigint') return int64(a - b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (a instanceof CelError) return a;
  if (b instanceof CelError) return b;
  if (a instanceof CelDuration && b instanceof CelDuration) return time(durationFromNanos(durationNanos(a) - durationNanos(b)), 'duration');
  if (a instanceof CelTimestamp && b instanceof CelDuration) return time(timestampOf(a.seconds - b.seconds, a.nanos - b.nanos), 'timestamp');
  if (a instanceof CelTimestamp && b instanceof CelTimestamp) return time(durationOf(a.seconds - b.seconds, a.nanos - b.nanos), 'duration');
  return overload('_-_');
}

export function mul(a: V, b: V): V {
  if (typeof a === 'bigint' && typeof b === 'bigint') return int64(a * b);
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  return a instanceof CelError ? a : b instanceof CelError ? b : overload('_*_');
}

export function div(a: V, b: V): V {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if (b === 0n) return new CelError('division by zero');
    return int64(a / b);
  }
  if (typeof a === 'number' && typeof b === 'number') return a / b;
  return a instanceof CelError ? a : b instanceof CelError ? b : overload('_/_');
}

export function mod(a: V, b: V): V {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if (b === 0n) return new CelError('modulus by zero');
    return a % b;
  }
  return a instanceof CelError ? a : b instanceof CelError ? b : overload('_%_');
}

export function neg(a: V): V {
  if (typeof a === 'bigint') return int64(-a);
  if (typeof a === 'number') return -a;
  if (a instanceof CelDuration) return time(durationOf(-a.seconds, -a.nanos), 'duration');
  return a instanceof CelError ? a : overload('-_');
}

/** `[a, b]`: a list literal is an error when an element is. */
export function list(items: V[]): V {
  for (const item of items) if (item instanceof CelError) return item;
  return items;
}

/** `{k: v}`: keys are int, string or bool, unique. */
export function map(entries: [V, V][]): V {
  const m = new Map<V, V>();
  for (const [k, v] of entries) {
    if (k instanceof CelError) return k;
    if (v instanceof CelError) return v;
    if (typeof k !== 'bigint' && typeof k !== 'string' && typeof k !== 'boolean') return new CelError('unsupported key type');
    if (m.has(k)) return new CelError(`repeated key: ${String(k)}`);
    m.set(k, v);
  }
  return m;
}

/** `a in b`: membership in a list (a step per element), key presence in a map (own or own-class keys of an object). */
export function isIn(a: V, b: V, m?: Meter): V {
  if (a instanceof CelError) return a;
  if (Array.isArray(b)) {
    if (m !== undefined) {
      const over = charge(m, 1 + b.length);
      if (over) return over;
    }
    let failure: CelError | undefined;
    for (const item of b) {
      const e = equal(a, item);
      if (e === true) return true;
      if (e !== false) failure ??= e;
    }
    return failure ?? false;
  }
  if (isMap(b)) {
    if (b instanceof Map) return b.has(a) || (typeof a === 'number' && Number.isInteger(a) && b.has(BigInt(a))) || (typeof a === 'bigint' && b.has(Number(a)));
    return typeof a === 'string' && hasOwnOrClass(b, a);
  }
  return b instanceof CelError ? b : overload('@in');
}

const DURATION_PARTS: Record<string, bigint> = { Hours: 3600000000000n, Minutes: 60000000000n, Seconds: 1000000000n, Milliseconds: 1000000n };

/** `t.getHours()`, `t.getHours("Europe/Warsaw")`, `d.getMinutes()` … */
export function timePart(v: V, part: TimePart, zone?: V): V {
  if (v instanceof CelError) return v;
  if (zone instanceof CelError) return zone;
  if (v instanceof CelTimestamp) {
    if (zone !== undefined && typeof zone !== 'string') return overload(`get${part}`);
    const n = timestampPart(v, part, zone);
    return n === undefined ? new CelError(`unknown time zone \`${String(zone)}\``) : BigInt(n);
  }
  if (v instanceof CelDuration && zone === undefined && Object.hasOwn(DURATION_PARTS, part)) {
    const nanos = durationNanos(v);
    return part === 'Milliseconds' ? (nanos % 1000000000n) / 1000000n : nanos / DURATION_PARTS[part]!;
  }
  return overload(`get${part}`);
}
