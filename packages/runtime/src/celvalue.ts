import { CelDuration, CelTimestamp, timestampFromDate } from './celtime.js';
import { hasOwnOrClass } from './own.js';

/**
 * The values of compiled conditions and the helpers every part of the CEL runtime shares:
 * errors as values, type values, reading application data, equality.
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

export type V = unknown;

/* @__NO_SIDE_EFFECTS__ */
export function error(message: string): CelError {
  return new CelError(message);
}

export function isError(v: V): v is CelError {
  return v instanceof CelError;
}

export const overload = (fn: string) => new CelError(`no matching overload for \`${fn}\``);
export const OVERFLOW = 'integer overflow';
export const MIN_INT = -(2n ** 63n);
export const MAX_INT = 2n ** 63n - 1n;

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

export function isMap(v: V): v is ReadonlyMap<V, V> | Record<string, V> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof CelTimestamp || v instanceof CelDuration || v instanceof CelType || v instanceof CelError);
}

export function typeOf(v: V): CelType | undefined {
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
export function read(v: V, what: string): V {
  if (v === undefined) return new CelError(`no such key: ${what}`);
  if (v instanceof Date) return timestampFromDate(v) ?? new CelError('timestamp out of range');
  if (typeof v === 'function' || typeof v === 'symbol') return new CelError(`unsupported value for ${what}`);
  return v;
}

/**
 * `a.b` on a map or object: own properties, or its own class's (own.ts), so `__proto__`,
 * `constructor` or a key polluting `Object.prototype` are never read.
 */
export function sel(obj: V, key: string): V {
  if (typeof obj === 'object' && obj !== null && Object.getPrototypeOf(obj) === Object.prototype) {
    // the common case, a plain object from the application
    if (!Object.hasOwn(obj, key)) return new CelError(`no such key: ${key}`);
    const v = (obj as Record<string, V>)[key];
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : read(v, key);
  }
  if (obj instanceof Map) return read(obj.get(key), key);
  if (isMap(obj)) return hasOwnOrClass(obj, key) ? read((obj as Record<string, V>)[key], key) : new CelError(`no such key: ${key}`);
  if (obj instanceof CelError) return obj;
  if (obj === undefined) return new CelError(`no such attribute (reading \`${key}\`)`);
  return new CelError(`no such field \`${key}\``);
}

/** `has(a.b)`: whether the map or object has the key. */
export function has(obj: V, key: string): V {
  if (obj instanceof Map) return obj.has(key);
  if (isMap(obj)) return hasOwnOrClass(obj, key) && (obj as Record<string, V>)[key] !== undefined;
  if (obj instanceof CelError) return obj;
  return new CelError(`no such field \`${key}\``);
}

function mapKey(key: V): V | CelError {
  if (typeof key === 'number') {
    return Number.isInteger(key) ? BigInt(key) : new CelError('unsupported key type');
  }
  return key;
}

export function mapGet(obj: ReadonlyMap<V, V> | Record<string, V>, key: V): V {
  if (obj instanceof Map) {
    if (obj.has(key)) return read(obj.get(key), String(key));
    const k = mapKey(key);
    return obj.has(k) ? read(obj.get(k), String(key)) : new CelError(`no such key: ${String(key)}`);
  }
  if (typeof key !== 'string') {
    if (typeof key === 'bigint' || typeof key === 'number' || typeof key === 'boolean') return new CelError(`no such key: ${String(key)}`);
    return overload('_[_]');
  }
  return hasOwnOrClass(obj, key) ? read((obj as Record<string, V>)[key], key) : new CelError(`no such key: ${key}`);
}

export function equal(a: V, b: V): boolean | CelError {
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

export function int64(n: bigint): V {
  return n < MIN_INT || n > MAX_INT ? new CelError(OVERFLOW) : n;
}

/** A timestamp or duration result, or the error for leaving the range. */
export function time(v: CelTimestamp | CelDuration | undefined, what: string): V {
  return v ?? new CelError(`${what} out of range`);
}
