import { CelDuration, CelTimestamp, formatDuration, formatTimestamp, parseDuration, parseTimestamp, timestampOf } from './celtime.js';
import { CelError, int64, isMap, overload, time, typeOf, type V } from './celvalue.js';

/** Strings (size, prefix and substring tests, regular expressions) and conversions of compiled conditions. */

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
