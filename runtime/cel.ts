import {
  CelDuration,
  CelTimestamp,
  durationFromNanos,
  durationNanos,
  durationOf,
  formatDuration,
  formatTimestamp,
  parseDuration,
  parseTimestamp,
  timestampFromDate,
  timestampOf,
  timestampPart,
  type TimePart,
} from './celtime.js';

export { CelDuration, CelTimestamp } from './celtime.js';

/**
 * The support functions that compiled CEL conditions call (see docs/conditions.md). Generated
 * code is a plain expression over these; nothing here interprets an expression.
 *
 * Values: `null`, `boolean`, `bigint` (CEL int, 64-bit, overflow is an error), `number` (CEL
 * double), `string`, arrays (lists), `Map`s and plain objects (maps; an object's own properties
 * only), {@link CelTimestamp}, {@link CelDuration}, {@link CelType}, and {@link CelError}.
 * Application values are read through {@link val}, {@link sel} and {@link idx}: `undefined`
 * becomes a "no such key" error and a `Date` becomes a timestamp. A JS number is a double unless
 * the declared type says int, in which case generated code converts it with {@link asInt}.
 *
 * Errors are values, never thrown: every function returns a {@link CelError} when an argument is
 * one or when it has no overload for its arguments.
 */

/** A CEL evaluation error (missing attribute, overflow, no matching overload …), as a value. */
export class CelError {
  constructor(readonly message: string) {}
}

/** The value of a CEL type (`type(1) == int`). */
export class CelType {
  constructor(readonly name: string) {}
}

/** A CEL value as the runtime represents it. */
export type CelValue =
  | null
  | boolean
  | bigint
  | number
  | string
  | readonly CelValue[]
  | ReadonlyMap<CelValue, CelValue>
  | { readonly [key: string]: CelValue }
  | CelTimestamp
  | CelDuration
  | CelType
  | CelError;

type V = unknown;

/* @__NO_SIDE_EFFECTS__ */
export function error(message: string): CelError {
  return new CelError(message);
}

export function isError(v: V): v is CelError {
  return v instanceof CelError;
}

const overload = (fn: string) => new CelError(`no matching overload for \`${fn}\``);
const OVERFLOW = 'integer overflow';
const MIN_INT = -(2n ** 63n);
const MAX_INT = 2n ** 63n - 1n;

/* @__NO_SIDE_EFFECTS__ */
function typeValues() {
  const of = (name: string) => new CelType(name);
  return {
    int: of('int'),
    uint: of('uint'),
    double: of('double'),
    string: of('string'),
    bool: of('bool'),
    bytes: of('bytes'),
    null_type: of('null_type'),
    list: of('list'),
    map: of('map'),
    type: of('type'),
    timestamp: of('google.protobuf.Timestamp'),
    duration: of('google.protobuf.Duration'),
  } as const;
}

const TYPES = /* @__PURE__ */ typeValues();

/* @__NO_SIDE_EFFECTS__ */
function typeTable(values: ReturnType<typeof typeValues>): Readonly<Record<string, CelType>> {
  return Object.freeze({ ...values, 'google.protobuf.Timestamp': values.timestamp, 'google.protobuf.Duration': values.duration });
}

/** The type values an expression can name (`int`, `list`, `google.protobuf.Timestamp` …). */
export const types = /* @__PURE__ */ typeTable(TYPES);

function isMap(v: V): v is ReadonlyMap<V, V> | Record<string, V> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof CelTimestamp || v instanceof CelDuration || v instanceof CelType || v instanceof CelError);
}

function typeOf(v: V): CelType | undefined {
  switch (typeof v) {
    case 'boolean':
      return TYPES.bool;
    case 'bigint':
      return TYPES.int;
    case 'number':
      return TYPES.double;
    case 'string':
      return TYPES.string;
    case 'object':
      if (v === null) return TYPES.null_type;
      if (Array.isArray(v)) return TYPES.list;
      if (v instanceof CelTimestamp) return TYPES.timestamp;
      if (v instanceof CelDuration) return TYPES.duration;
      if (v instanceof CelType) return TYPES.type;
      if (v instanceof CelError) return undefined;
      return TYPES.map;
    default:
      return undefined;
  }
}

/** Normalises a value read from application data. */
function read(v: V, what: string): V {
  if (v === undefined) return new CelError(`no such key: ${what}`);
  if (v instanceof Date) return timestampFromDate(v) ?? new CelError('timestamp out of range');
  if (typeof v === 'function' || typeof v === 'symbol') return new CelError(`unsupported value for ${what}`);
  return v;
}

/** A top-level variable (`principal`, `resource`, `context`); `name` is for the error message. */
export function val(v: V, name: string): V {
  return v === undefined ? new CelError(`no such attribute: ${name}`) : read(v, name);
}

/** `a.b` on a map or object: own properties only, so `__proto__` or `constructor` are just keys. */
export function sel(obj: V, key: string): V {
  if (typeof obj === 'object' && obj !== null && Object.getPrototypeOf(obj) === Object.prototype) {
    // the common case, a plain object from the application
    if (!Object.hasOwn(obj, key)) return new CelError(`no such key: ${key}`);
    const v = (obj as Record<string, V>)[key];
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : read(v, key);
  }
  if (obj instanceof Map) return read(obj.get(key), key);
  if (isMap(obj)) return Object.hasOwn(obj, key) ? read((obj as Record<string, V>)[key], key) : new CelError(`no such key: ${key}`);
  if (obj instanceof CelError) return obj;
  if (obj === undefined) return new CelError(`no such attribute (reading \`${key}\`)`);
  return new CelError(`no such field \`${key}\``);
}

/** `has(a.b)`: whether the map or object has the key. */
export function has(obj: V, key: string): V {
  if (obj instanceof Map) return obj.has(key);
  if (isMap(obj)) return Object.hasOwn(obj, key) && (obj as Record<string, V>)[key] !== undefined;
  if (obj instanceof CelError) return obj;
  return new CelError(`no such field \`${key}\``);
}

function mapKey(key: V): V | CelError {
  if (typeof key === 'number') {
    return Number.isInteger(key) ? BigInt(key) : new CelError('unsupported key type');
  }
  return key;
}

function mapGet(obj: ReadonlyMap<V, V> | Record<string, V>, key: V): V {
  if (obj instanceof Map) {
    if (obj.has(key)) return read(obj.get(key), String(key));
    const k = mapKey(key);
    return obj.has(k) ? read(obj.get(k), String(key)) : new CelError(`no such key: ${String(key)}`);
  }
  if (typeof key !== 'string') {
    if (typeof key === 'bigint' || typeof key === 'number' || typeof key === 'boolean') return new CelError(`no such key: ${String(key)}`);
    return overload('_[_]');
  }
  return Object.hasOwn(obj, key) ? read((obj as Record<string, V>)[key], key) : new CelError(`no such key: ${key}`);
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

function equal(a: V, b: V): boolean | CelError {
  if (a === b) return typeof a !== 'number' || !Number.isNaN(a);
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === 'bigint' || ta === 'number') && (tb === 'bigint' || tb === 'number')) return a == b; // eslint-disable-line eqeqeq
  if (ta !== 'object' || tb !== 'object' || a === null || b === null) return false;
  if (a instanceof Date || b instanceof Date) return equal(read(a, 'value'), read(b, 'value'));
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    let failure: CelError | undefined;
    for (let i = 0; i < a.length; i++) {
      const e = equal(a[i], b[i]);
      if (e === false) return false;
      if (e !== true) failure ??= e;
    }
    return failure ?? true;
  }
  if (a instanceof CelTimestamp || a instanceof CelDuration) {
    return b instanceof a.constructor && a.seconds === (b as CelTimestamp).seconds && a.nanos === (b as CelTimestamp).nanos;
  }
  if (a instanceof CelType) return b instanceof CelType && a.name === b.name;
  if (isMap(a) && isMap(b)) {
    const ka = keys(a);
    if (ka.length !== keys(b).length) return false;
    let failure: CelError | undefined;
    for (const k of ka) {
      const vb = mapGet(b, k);
      if (vb instanceof CelError) return false;
      const e = equal(mapGet(a, k), vb);
      if (e === false) return false;
      if (e !== true) failure ??= e;
    }
    return failure ?? true;
  }
  return false;
}

function keys(m: ReadonlyMap<V, V> | Record<string, V>): V[] {
  return m instanceof Map ? [...m.keys()] : Object.keys(m);
}

/** `a == b` with CEL's heterogeneous equality (`1 == 1.0`, different kinds are unequal). */
export function eq(a: V, b: V): V {
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  if (a instanceof CelError) return a;
  if (b instanceof CelError) return b;
  return equal(a, b);
}

export function ne(a: V, b: V): V {
  const e = eq(a, b);
  return typeof e === 'boolean' ? !e : e;
}

/** -1, 0, 1, NaN (unordered doubles) or an error. */
function compare(a: V, b: V, op: string): number | CelError {
  const ta = typeof a;
  if (ta === typeof b && (ta === 'bigint' || ta === 'string' || ta === 'number')) {
    return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : a === b ? 0 : NaN;
  }
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
  if (ta === 'string' || ta === 'boolean') return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
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

function int64(n: bigint): V {
  return n < MIN_INT || n > MAX_INT ? new CelError(OVERFLOW) : n;
}

function time(v: CelTimestamp | CelDuration | undefined, what: string): V {
  return v ?? new CelError(`${what} out of range`);
}

export function add(a: V, b: V): V {
  if (typeof a === 'bigint' && typeof b === 'bigint') return int64(a + b);
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
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

/** `a in b`: membership in a list, key presence in a map. */
export function isIn(a: V, b: V): V {
  if (a instanceof CelError) return a;
  if (Array.isArray(b)) {
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
    return typeof a === 'string' && Object.hasOwn(b, a);
  }
  return b instanceof CelError ? b : overload('@in');
}

/** Code points of a string, elements of a list, entries of a map. */
export function size(v: V): V {
  if (typeof v === 'string') {
    let n = 0;
    for (const _ of v) n++;
    return BigInt(n);
  }
  if (Array.isArray(v)) return BigInt(v.length);
  if (v instanceof Map) return BigInt(v.size);
  if (isMap(v)) return BigInt(Object.keys(v).length);
  return v instanceof CelError ? v : overload('size');
}

function notStrings(fn: string, a: V, b: V): V {
  return a instanceof CelError ? a : b instanceof CelError ? b : overload(fn);
}

export function startsWith(a: V, b: V): V {
  return typeof a === 'string' && typeof b === 'string' ? a.startsWith(b) : notStrings('startsWith', a, b);
}
export function endsWith(a: V, b: V): V {
  return typeof a === 'string' && typeof b === 'string' ? a.endsWith(b) : notStrings('endsWith', a, b);
}
export function contains(a: V, b: V): V {
  return typeof a === 'string' && typeof b === 'string' ? a.includes(b) : notStrings('contains', a, b);
}

const regexes = /* @__PURE__ */ new Map<string, RegExp | CelError>();

/**
 * Translates an RE2 pattern to a JS `RegExp` (unicode mode). Leading inline flags `(?i)`,
 * `(?s)`, `(?m)` become JS flags and `(?P<name>` a named group; what RE2 lacks (lookaround,
 * backreferences) or JS cannot express (`\C`, `\z`, other inline flags, POSIX classes `[[:alpha:]]`)
 * is an error.
 */
function compileRegex(pattern: string): RegExp | CelError {
  let source = pattern;
  let flags = 'u';
  const inline = /^\(\?([ims]+)\)/.exec(source);
  if (inline) {
    for (const f of new Set(inline[1])) flags += f;
    source = source.slice(inline[0].length);
  }
  if (/\(\?[=!]|\(\?<[=!]|\\[1-9]|\\[Cz]|\(\?[a-zA-Z-]+[):]|\[\[:/.test(source.replace(/\(\?P?<[A-Za-z_]\w*>/g, '('))) {
    return new CelError(`unsupported regular expression: ${pattern}`);
  }
  source = source.replace(/\(\?P</g, '(?<').replace(/\\A/g, '^');
  try {
    return new RegExp(source, flags);
  } catch {
    return new CelError(`invalid regular expression: ${pattern}`);
  }
}

/** `s.matches(re)`: whether RE2 pattern `re` matches anywhere in `s`. */
export function matches(a: V, b: V): V {
  if (typeof a !== 'string' || typeof b !== 'string') return a instanceof CelError ? a : b instanceof CelError ? b : overload('matches');
  let re = regexes.get(b);
  if (re === undefined) {
    re = compileRegex(b);
    if (regexes.size > 256) regexes.clear();
    regexes.set(b, re);
  }
  return re instanceof CelError ? re : re.test(a);
}

const INT_TEXT = /^[+-]?\d+$/;
const DOUBLE_TEXT = /^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf|infinity|nan)$/i;

/** `int(v)`: from int, double (truncating, range-checked), string, timestamp (Unix seconds). */
export function toInt(v: V): V {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v <= -9223372036854775808 || v >= 9223372036854775807) return new CelError('int conversion out of range');
    return BigInt(Math.trunc(v));
  }
  if (typeof v === 'string') return INT_TEXT.test(v) ? int64(BigInt(v)) : new CelError(`cannot convert \`${v}\` to int`);
  if (v instanceof CelTimestamp) return BigInt(v.seconds);
  return v instanceof CelError ? v : overload('int');
}

export function toDouble(v: V): V {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') {
    if (!DOUBLE_TEXT.test(v)) return new CelError(`cannot convert \`${v}\` to double`);
    const t = v.toLowerCase().replace(/^\+/, '');
    if (t.endsWith('nan')) return NaN;
    if (t.endsWith('inf') || t.endsWith('infinity')) return t.startsWith('-') ? -Infinity : Infinity;
    return Number(v);
  }
  return v instanceof CelError ? v : overload('double');
}

function formatDouble(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  const s = String(n);
  // Go's %g switches to exponents from 1e21 the same way JS does; JS writes `1e+21` like Go
  return s;
}

export function toStr(v: V): V {
  switch (typeof v) {
    case 'string':
      return v;
    case 'bigint':
      return v.toString();
    case 'number':
      return formatDouble(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      if (v instanceof CelTimestamp) return formatTimestamp(v);
      if (v instanceof CelDuration) return formatDuration(v);
      return v instanceof CelError ? v : overload('string');
  }
}

const BOOL_TEXT: Record<string, boolean> = { '1': true, t: true, T: true, TRUE: true, true: true, True: true, '0': false, f: false, F: false, FALSE: false, false: false, False: false };

export function toBool(v: V): V {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return Object.hasOwn(BOOL_TEXT, v) ? BOOL_TEXT[v]! : new CelError(`cannot convert \`${v}\` to bool`);
  return v instanceof CelError ? v : overload('bool');
}

const parsed = /* @__PURE__ */ new Map<string, V>();

/** Timestamps and durations are immutable: a text is parsed once (conditions mostly convert literals). */
function memo(text: string, parse: (text: string) => V): V {
  let v = parsed.get(text);
  if (v === undefined) {
    v = parse(text);
    if (parsed.size > 1024) parsed.clear();
    parsed.set(text, v);
  }
  return v;
}

export function toTimestamp(v: V): V {
  if (v instanceof CelTimestamp) return v;
  if (typeof v === 'string') return memo('t' + v, () => parseTimestamp(v) ?? new CelError(`cannot convert \`${v}\` to timestamp`));
  if (typeof v === 'bigint') return time(timestampOf(Number(v), 0), 'timestamp');
  return v instanceof CelError ? v : overload('timestamp');
}

export function toDuration(v: V): V {
  if (v instanceof CelDuration) return v;
  if (typeof v === 'string') return memo('d' + v, () => parseDuration(v) ?? new CelError(`cannot convert \`${v}\` to duration`));
  return v instanceof CelError ? v : overload('duration');
}

/** `type(v)` */
export function typeOfValue(v: V): V {
  return v instanceof CelError ? v : (typeOf(v) ?? overload('type'));
}

/** `dyn(v)` */
export function dyn(v: V): V {
  return v;
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

function range(v: V, fn: string): readonly V[] | CelError {
  if (Array.isArray(v)) return v;
  if (v instanceof Map) return [...v.keys()];
  if (isMap(v)) return Object.keys(v);
  return v instanceof CelError ? v : overload(fn);
}

/** `r.all(x, p)`: false wins over errors; an error wins over true. */
export function all(r: V, p: (x: V) => V): V {
  const items = range(r, 'all');
  if (items instanceof CelError) return items;
  let failure: V;
  for (const item of items) {
    const v = p(read(item, 'list element'));
    if (v === false) return false;
    if (v !== true) failure ??= v instanceof CelError ? v : overload('all');
  }
  return failure ?? true;
}

/** `r.exists(x, p)`: true wins over errors; an error wins over false. */
export function exists(r: V, p: (x: V) => V): V {
  const items = range(r, 'exists');
  if (items instanceof CelError) return items;
  let failure: V;
  for (const item of items) {
    const v = p(read(item, 'list element'));
    if (v === true) return true;
    if (v !== false) failure ??= v instanceof CelError ? v : overload('exists');
  }
  return failure ?? false;
}

/** `r.exists_one(x, p)`: exactly one element satisfies `p`; any error is the result. */
export function existsOne(r: V, p: (x: V) => V): V {
  const items = range(r, 'exists_one');
  if (items instanceof CelError) return items;
  let n = 0;
  for (const item of items) {
    const v = p(read(item, 'list element'));
    if (v === true) n++;
    else if (v !== false) return v instanceof CelError ? v : overload('exists_one');
  }
  return n === 1;
}

/** `r.map(x, f)` and `r.map(x, p, f)`. */
export function mapList(r: V, f: (x: V) => V, p?: (x: V) => V): V {
  const items = range(r, 'map');
  if (items instanceof CelError) return items;
  const out: V[] = [];
  for (const item of items) {
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
export function filter(r: V, p: (x: V) => V): V {
  const items = range(r, 'filter');
  if (items instanceof CelError) return items;
  const out: V[] = [];
  for (const item of items) {
    const keep = p(read(item, 'list element'));
    if (keep === true) out.push(item);
    else if (keep !== false) return keep instanceof CelError ? keep : overload('filter');
  }
  return out;
}
