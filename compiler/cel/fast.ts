/**
 * Fast paths of compiled conditions (issue 17): where the declared types allow it, a comparison,
 * an `in` on a literal list, a string test or an `exists`/`all` over a list is emitted as the
 * JavaScript it stands for, behind cheap guards on each value it reads — the value has the
 * declared JavaScript type (a safe-integer number for `int`, a `Date` inside years 1–9999 for a
 * timestamp), and it is the object's own (own.ts: a value equal to `Object.prototype`'s goes the
 * slow way; V8 folds `Object.prototype`'s absent property to a constant). Each read is bound once.
 *
 * When a guard fails, the same node is evaluated by the generic code (the runtime helpers), so a
 * fast path never changes a result: it only decides where the generic code gives the same plain
 * value. Errors (a missing field, a wrong type, an overflow) always take the generic code.
 */
import { CelDuration, CelTimestamp, toDuration, toTimestamp } from '@policyc/runtime/cel';
import type { Expr } from './ast.ts';
import type { CelType } from './types.ts';

/** The JavaScript shape of a fast value: numbers for ints and doubles, milliseconds for timestamps and durations. */
type Kind = 'string' | 'int' | 'double' | 'bool' | 'time' | 'duration';
type Scope = ReadonlyMap<string, string>;

export interface FastContext {
  readonly runtime: string;
  /** JS of `Object.prototype` that the target language lets index with a string literal. */
  readonly prototype: string;
  /** Whether the condition has a meter (`_m`) that string tests would have to spend. */
  readonly metered: boolean;
  readonly typeOf: (e: Expr) => CelType | undefined;
  /** `e` as a declared object variable: its JS name, and whether the caller passes it as an ordinary object (own.ts `ordinary`). */
  readonly variable: (e: Expr, scope: Scope) => { readonly js: string; readonly ordinary: boolean } | undefined;
  readonly literal: (value: string) => string;
  readonly number: (value: number) => string;
  /** The normal emission of `e` (fast paths inside), and the generic one (none at its root). */
  readonly emit: (e: Expr, scope: Scope) => string;
  readonly generic: (e: Expr, scope: Scope) => string;
  /** A fresh JS name. */
  readonly temp: (prefix: '_f' | '_v' | '_l') => string;
  /** `body` with each of `names` bound to its value, evaluated in order first (emit.ts: assigned temporaries or an arrow called at once). */
  readonly bind: (names: readonly string[], values: readonly string[], body: string) => string;
}

const FIELD_KINDS = new Set(['string', 'int', 'double', 'bool', 'timestamp']);
const ORDER = new Set(['<', '<=', '>', '>=']);
const TIME_PARTS = new Set(['getFullYear', 'getMonth', 'getDate', 'getDayOfMonth', 'getDayOfWeek', 'getDayOfYear', 'getHours', 'getMinutes', 'getSeconds', 'getMilliseconds']);
/** 0001-01-01T00:00:00Z and the last millisecond of 9999-12-31: the timestamps CEL has. */
const MIN_MS = -62135596800000;
const MAX_MS = 253402300799999;
/** The longest duration in whole milliseconds that CEL's ±(2^63 − 1) ns holds. */
const MAX_DURATION_MS = 9223372036854;
const SAFE = 9007199254740991;

/** Names every plain object inherits: never read inline. */
const PROTOTYPE_NAMES = new Set(['__proto__', 'constructor', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', 'toString', 'valueOf', ...Object.getOwnPropertyNames(Object.prototype)]);

/** Whether generated code may read field `name` inline (`o["name"]`): not a name `Object.prototype` has, nor `__…`. */
export function readsInline(name: string): boolean {
  return !PROTOTYPE_NAMES.has(name) && !name.startsWith('__');
}

interface Fast {
  readonly kind: Kind;
  readonly code: string;
  /** The largest magnitude an int can have here (fields: any safe integer), so that arithmetic within it needs no overflow guard. */
  readonly bound?: number;
  /** The text of a string literal: whether JS `<` orders it as CEL does. */
  readonly text?: string;
}

/** The reads a fast node binds (`((_f0, _f1) => guards ? fast : generic)(r["a"], r["b"])`) and the guards on them. */
class Bindings {
  readonly names: string[] = [];
  readonly reads: string[] = [];
  /** A field read twice in one node (`getHours() * 60 + getMinutes()`) is bound once. */
  readonly byRead = new Map<string, string>();
  /** In order: a guard may rely on those before it (a value's type before arithmetic on it). */
  readonly guards = new Set<string>();
  get test(): string {
    return [...this.guards].join(' && ');
  }
  wrap(fast: string, generic: string, bind: FastContext['bind']): string {
    const test = this.guards.size === 0 ? fast : `${this.test} ? ${fast} : ${generic}`;
    return this.names.length === 0 ? `(${test})` : bind(this.names, this.reads, test);
  }
}

export function fastPaths(ctx: FastContext) {
  const R = ctx.runtime;
  /** Comprehension variables bound by a fast loop (JS name → kind): the loop has checked them. */
  const locals = new Map<string, Kind>();
  const inherited = (key: string) => `${ctx.prototype}[${key}]`;
  const kindOf = (e: Expr): Kind | undefined => {
    const k = ctx.typeOf(e)?.kind;
    return k === 'timestamp' ? 'time' : k === 'string' || k === 'int' || k === 'double' || k === 'bool' || k === 'duration' ? k : undefined;
  };

  /** Binds `X.f` of a declared object variable and guards it: own, of the JS type of `kind`. */
  function read(e: Expr & { kind: 'select' }, scope: Scope, b: Bindings, test: (v: string) => string): string | undefined {
    const x = ctx.variable(e.operand, scope);
    if (x === undefined || !readsInline(e.field)) return undefined;
    const key = ctx.literal(e.field);
    const raw = x.ordinary ? `${x.js}[${key}]` : `${x.js}?.[${key}]`;
    const bound = b.byRead.get(raw);
    if (bound !== undefined) return bound;
    const v = ctx.temp('_f');
    b.byRead.set(raw, v);
    b.names.push(v);
    b.reads.push(raw);
    b.guards.add(test(v)).add(`(${v} !== ${inherited(key)} || ${inherited(key)} === undefined)`);
    // an object the caller does not vouch for must be a plain one: no built-in prototype's value counts
    if (!x.ordinary) b.guards.add(`Object.getPrototypeOf(${x.js}) === Object.prototype`);
    return v;
  }

  function field(e: Expr & { kind: 'select' }, scope: Scope, b: Bindings): Fast | undefined {
    const kind = kindOf(e);
    if (kind === undefined || !FIELD_KINDS.has(ctx.typeOf(e)!.kind)) return undefined;
    const tests: Record<Kind, (v: string) => string> = {
      string: (v) => `typeof ${v} === "string"`,
      bool: (v) => `typeof ${v} === "boolean"`,
      double: (v) => `typeof ${v} === "number"`,
      int: (v) => `typeof ${v} === "number" && Number.isSafeInteger(${v})`,
      time: (v) => `${v} instanceof Date && ${v}.getTime() >= ${MIN_MS} && ${v}.getTime() <= ${MAX_MS}`,
      duration: () => 'false',
    };
    const v = read(e, scope, b, tests[kind]);
    return v === undefined ? undefined : { kind, code: kind === 'time' ? `${v}.getTime()` : v };
  }

  /** A value whose JS form is known under guards: literals, fields, loop variables, time parts, differences. */
  function value(e: Expr, scope: Scope, b: Bindings): Fast | undefined {
    switch (e.kind) {
      case 'literal': {
        const l = e.literal;
        if (l.type === 'string') return { kind: 'string', code: ctx.literal(l.value), text: l.value };
        if (l.type === 'double') return { kind: 'double', code: ctx.number(l.value) };
        if (l.type === 'bool') return { kind: 'bool', code: String(l.value) };
        if (l.type === 'int' && l.value >= -SAFE && l.value <= SAFE) return { kind: 'int', code: ctx.number(Number(l.value)), bound: Math.abs(Number(l.value)) };
        return undefined;
      }
      case 'ident': {
        const js = scope.get(e.name);
        const kind = js === undefined ? undefined : locals.get(js);
        return js !== undefined && kind !== undefined ? { kind, code: js } : undefined;
      }
      case 'select':
        return field(e, scope, b);
      case 'call':
        return call(e, scope, b);
      case 'binary':
        return arithmetic(e, scope, b);
      default:
        return undefined;
    }
  }

  function call(e: Expr & { kind: 'call' }, scope: Scope, b: Bindings): Fast | undefined {
    const arg = e.args[0];
    const text = arg?.kind === 'literal' && arg.literal.type === 'string' ? arg.literal.value : undefined;
    if (!e.target && e.args.length === 1 && text !== undefined && (e.fn === 'duration' || e.fn === 'timestamp')) {
      // a literal converted once, at compile time, when it is a whole number of milliseconds
      const v = e.fn === 'duration' ? toDuration(text) : toTimestamp(text);
      if (!(v instanceof CelDuration || v instanceof CelTimestamp) || v.nanos % 1e6 !== 0) return undefined;
      return { kind: e.fn === 'duration' ? 'duration' : 'time', code: ctx.number(v.seconds * 1000 + v.nanos / 1e6) };
    }
    if (e.target && TIME_PARTS.has(e.fn) && (e.args.length === 0 || (e.args.length === 1 && text !== undefined))) {
      const time = value(e.target, scope, b);
      if (time?.kind !== 'time') return undefined;
      const zone = text === undefined ? '' : `, ${ctx.literal(text)}`;
      // a zone valid where the policy was compiled may be unknown to this runtime's ICU data
      if (text !== undefined) b.guards.add(`${R}.knownZone(${ctx.literal(text)})`);
      return { kind: 'int', code: `${R}.localPart(${time.code}, ${ctx.literal(e.fn.slice(3))}${zone})`, bound: 9999 };
    }
    return undefined;
  }

  /** `+ - * /` of numbers (ints only while the result is a safe integer) and timestamp − timestamp. */
  function arithmetic(e: Expr & { kind: 'binary' }, scope: Scope, b: Bindings): Fast | undefined {
    if (!['+', '-', '*', '/'].includes(e.op)) return undefined;
    const left = value(e.left, scope, b);
    const right = left && value(e.right, scope, b);
    if (!left || !right) return undefined;
    const code = `(${left.code} ${e.op} ${right.code})`;
    if (left.kind === 'double' && right.kind === 'double') return { kind: 'double', code };
    if (left.kind === 'int' && right.kind === 'int' && e.op !== '/') {
      const [x, y] = [left.bound ?? SAFE, right.bound ?? SAFE];
      const bound = e.op === '*' ? x * y : x + y;
      // past 2^53 the JS result may be rounded: then CEL's exact int decides (an overflow is an error)
      if (bound > SAFE) b.guards.add(`Number.isSafeInteger${code}`);
      return { kind: 'int', code, ...(bound > SAFE ? {} : { bound }) };
    }
    if (left.kind === 'time' && right.kind === 'time' && e.op === '-') {
      b.guards.add(`Math.abs${code} <= ${MAX_DURATION_MS}`);
      return { kind: 'duration', code };
    }
    return undefined;
  }

  const numeric = (k: Kind) => k === 'int' || k === 'double';
  const comparable = (a: Fast, b: Fast) => a.kind === b.kind || (numeric(a.kind) && numeric(b.kind));
  /** JS `<` orders two strings as CEL does when one is a literal without surrogates or U+E000–U+FFFF. */
  const jsOrdered = (a: Fast, b: Fast) => [a, b].some((x) => x.text !== undefined && !/[\ud800-\uffff]/.test(x.text));

  /** The plain JS of a boolean node over fast values, or undefined. */
  function test(e: Expr, scope: Scope, b: Bindings): string | undefined {
    if (e.kind === 'binary' && (e.op === '==' || e.op === '!=' || ORDER.has(e.op))) {
      const left = value(e.left, scope, b);
      const right = left && value(e.right, scope, b);
      if (!left || !right || !comparable(left, right)) return undefined;
      if (e.op === '==' || e.op === '!=') return `${left.code} ${e.op}= ${right.code}`;
      if (left.kind === 'bool') return undefined;
      if (left.kind === 'string' && !jsOrdered(left, right)) return `${R}.textOrder(${left.code}, ${right.code}) ${e.op} 0`;
      return `${left.code} ${e.op} ${right.code}`;
    }
    if (e.kind === 'binary' && e.op === 'in' && e.right.kind === 'list' && e.right.items.length > 0 && e.right.items.length <= 16) {
      const left = value(e.left, scope, b);
      const items = e.right.items.map((item) => (item.kind === 'literal' ? value(item, scope, b) : undefined));
      if (!left || !items.every((item): item is Fast => item !== undefined && comparable(left, item))) return undefined;
      const x = /^[\w$]+$/.test(left.code) ? left.code : ctx.temp('_f');
      const any = items.map((item) => `${x} === ${item.code}`).join(' || ');
      return x === left.code ? `(${any})` : ctx.bind([x], [left.code], any);
    }
    if (e.kind === 'call' && e.target && !ctx.metered && e.args.length === 1 && ['startsWith', 'endsWith', 'contains'].includes(e.fn)) {
      // unmetered only: in a metered condition the generic functions spend steps on the text
      const subject = value(e.target, scope, b);
      const part = subject && value(e.args[0]!, scope, b);
      if (subject?.kind !== 'string' || part?.kind !== 'string') return undefined;
      return `${subject.code}.${e.fn === 'contains' ? 'includes' : e.fn}(${part.code})`;
    }
    return undefined;
  }

  /**
   * `list.exists(x, p)` and `list.all(x, p)` over a declared list field, as a loop. The loop
   * spends its steps on the meter only when it decides (one per element visited, as the generic
   * macro does); anything it cannot decide — an element of another type, a hole, a predicate
   * that is not a bool, the budget running out — hands the whole node to the generic code, which
   * starts again from the same meter.
   */
  function quantifier(e: Expr & { kind: 'comprehension' }, scope: Scope): string | undefined {
    if ((e.macro !== 'exists' && e.macro !== 'all') || e.range.kind !== 'select' || !e.predicate) return undefined;
    const range = ctx.typeOf(e.range);
    const elem = range?.kind === 'list' ? range.elem.kind : undefined;
    const kind: Kind | undefined = elem === 'string' || elem === 'int' || elem === 'double' || elem === 'bool' ? elem : undefined;
    if (kind === undefined) return undefined;
    const b = new Bindings();
    // a plain array: an element is its own unless it came from `Array.prototype` or `Object.prototype`
    const list = read(e.range, scope, b, (v) => `Array.isArray(${v}) && Object.getPrototypeOf(${v}) === Array.prototype`);
    if (list === undefined) return undefined;
    const x = ctx.temp('_v');
    locals.set(x, kind);
    const predicate = ctx.emit(e.predicate, new Map(scope).set(e.variable, x));
    locals.delete(x);
    // the predicate may spend nothing: the generic code would spend it again
    if (predicate.includes('_m')) return undefined;
    const generic = ctx.generic(e, scope);
    const i = ctx.temp('_l');
    const decisive = e.macro === 'exists';
    const elementTest = {
      string: `typeof ${x} === "string"`,
      bool: `typeof ${x} === "boolean"`,
      double: `typeof ${x} === "number"`,
      int: `typeof ${x} === "number" && Number.isSafeInteger(${x})`,
    }[kind];
    // a `break` leaves the loop undecided (i < length): the generic code decides
    const loop = [
      `if (${b.test}) {`,
      ` let ${i} = 0;`,
      ` for (; ${i} < ${list}.length; ${i}++) {`,
      `  if (${i} >= _m.left) break;`,
      `  const ${x} = ${list}[${i}];`,
      `  if (!(${elementTest} && ((Array.prototype[${i}] === undefined && ${ctx.prototype}[${i}] === undefined) || Object.hasOwn(${list}, ${i})))) break;`,
      `  const ${x}p = ${predicate};`,
      `  if (${x}p === ${decisive}) { _m.left -= ${i} + 1; return ${decisive}; }`,
      `  if (${x}p !== ${!decisive}) break;`,
      ' }',
      ` if (${i} === ${list}.length) { _m.left -= ${i}; return ${!decisive}; }`,
      '}',
      `return ${generic};`,
    ].join(' ');
    return `((${b.names.join(', ')}) => { ${loop} })(${b.reads.join(', ')})`;
  }

  /** The fast path of `e` with its generic fallback, or undefined when `e` has none. */
  function fastNode(e: Expr, scope: Scope): string | undefined {
    if (e.kind === 'comprehension') return quantifier(e, scope);
    const b = new Bindings();
    const fast = test(e, scope, b);
    return fast === undefined ? undefined : b.wrap(fast, ctx.generic(e, scope), ctx.bind);
  }

  return { fastNode };
}
