import { CelDuration, CelTimestamp, formatDuration, formatTimestamp, parseDuration, parseTimestamp, timestampOf } from './celtime.js';
import { charge, type Meter } from './celbudget.js';
import { CelError, int64, isMap, overload, time, typeOf, type V } from './celvalue.js';

/**
 * Strings (size, prefix and substring tests) and conversions of compiled conditions; `matches`
 * is in celregex.ts. In a metered condition (celbudget.ts) reading a string costs one step per
 * 10 characters.
 */

/** The steps of reading `n` characters, or the budget's error. */
export function chargeText(m: Meter | undefined, n: number): CelError | undefined {
  return m === undefined ? undefined : charge(m, 1 + Math.ceil(n / 10));
}

/** Code points of a string, elements of a list, entries of a map. */
export function size(v: V, m?: Meter): V {
  if (typeof v === 'string') {
    const over = chargeText(m, v.length);
    if (over) return over;
    let n = 0;
    for (const _ of v) n++;
    return BigInt(n);
  }
  if (Array.isArray(v)) return BigInt(v.length);
  if (v instanceof Map) return BigInt(v.size);
  if (isMap(v)) return BigInt(Object.keys(v).length);
  return v instanceof CelError ? v : overload('size');
}

/**
 * -1, 0 or 1: `a` and `b` in the order of their code points, as CEL orders strings (JS `<`
 * compares UTF-16 units, which puts U+E000–U+FFFF after the surrogate pairs of U+10000 and up).
 */
export function textOrder(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return (x >= 0xd800 && y >= 0xd800 ? codePointRank(x) < codePointRank(y) : x < y) ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

/** A UTF-16 unit from U+D800 up, ranked so that surrogates (code points above U+FFFF) come after U+E000–U+FFFF. */
function codePointRank(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

function notStrings(fn: string, a: V, b: V): V {
  return a instanceof CelError ? a : b instanceof CelError ? b : overload(fn);
}

export function startsWith(a: V, b: V, m?: Meter): V {
  if (typeof a !== 'string' || typeof b !== 'string') return notStrings('startsWith', a, b);
  return chargeText(m, b.length) ?? a.startsWith(b);
}
export function endsWith(a: V, b: V, m?: Meter): V {
  if (typeof a !== 'string' || typeof b !== 'string') return notStrings('endsWith', a, b);
  return chargeText(m, b.length) ?? a.endsWith(b);
}
export function contains(a: V, b: V, m?: Meter): V {
  if (typeof a !== 'string' || typeof b !== 'string') return notStrings('contains', a, b);
  return chargeText(m, a.length) ?? a.includes(b);
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
