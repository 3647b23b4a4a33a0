/**
 * AST → one JavaScript expression over the runtime (`runtime/cel.ts`). Deterministic and free
 * of policy text except through {@link jsString}: names of fields, keys and time zones are string
 * literals, never property names or identifiers, and every property read follows the own-data
 * rule (the runtime's `sel`, or the guarded inline reads of the fast paths, fast.ts, which this
 * module tries first on each comparison, string test and quantifier when the checker's types are
 * given). Comprehension variables become `_v0`, `_v1` …, temporaries `_t0`, `_f0`, `_l0` …;
 * caller-chosen names must not start with `_`.
 *
 * `&&`, `||` and `?:` evaluate their right side only when needed: the left value is bound to a
 * temporary (`(_t0 = A, _t0 === false ? false : cel.and(_t0, B))`) that the embedding code
 * declares ({@link emitCondition}'s `temps`). A condition with a comprehension binds by
 * immediately called arrows instead (`((_t0) => …)(A)`), since its predicates are closures: a
 * temporary they shared with the condition's function would make V8 allocate that function's
 * context on every call. Without closures a condition allocates nothing on its fast paths, so a
 * check makes no garbage for the collector to stop for (issue 17: the bimodal timings).
 *
 * A condition with a comprehension or `matches` is metered (docs/conditions.md, "Cost budget"):
 * `((_m) => cel.spent(_m, E))(cel.meter(budget))` (or `(_m = cel.meter(budget), cel.spent(_m, E))`)
 * creates the meter of one evaluation, and
 * inside `E` the macros and the string and list functions get `_m` as their last argument.
 * Other conditions do work linear in the request and are emitted without a meter, at no cost.
 */
import { DEFAULT_BUDGET, safeRegExp } from '@policyc/runtime/cel';
import { children, type Expr } from './ast.ts';
import type { CheckResult } from './check.ts';
import { fastPaths, readsInline } from './fast.ts';
import { dottedParts } from './names.ts';
import { TYPE_NAMES } from './types.ts';

export interface EmitNames {
  /** JS expressions (trusted, from the caller) reading each declared variable: `{ principal: 'p' }`. */
  readonly variables: Readonly<Record<string, string>>;
  /** The JS name under which generated code reaches the runtime module (`cel` → `cel.sel(…)`). */
  readonly runtime: string;
  /** Steps a metered condition may spend per evaluation (`limits.conditionBudget`); the runtime's default if absent. */
  readonly budget?: number;
  /**
   * Declared variables whose values the caller passes through own.ts `ordinary` (generated
   * checkers: `principal` and `resource`, as `can` does): their fast reads skip the prototype test.
   */
  readonly ordinary?: readonly string[];
  /** JS for `Object.prototype` indexable by a string literal (`(Object.prototype as ObjectPrototype)` in TypeScript); `Object.prototype` if absent. */
  readonly prototype?: string;
  /** `false`: the generic code only, no fast paths (what tests compare the fast paths with). */
  readonly fast?: boolean;
}

/** Whether `e` has a comprehension or `matches`: the work whose cost the budget bounds. */
export function needsMeter(e: Expr): boolean {
  if (e.kind === 'comprehension' || (e.kind === 'call' && e.fn === 'matches')) return true;
  return children(e).some(needsMeter);
}

/** Whether `e` has a comprehension: its emitted predicates are closures. */
function hasComprehension(e: Expr): boolean {
  return e.kind === 'comprehension' || children(e).some(hasComprehension);
}

/** A condition as emitted: a JS expression, and the temporaries the code around it declares (`let _t0, _f1;`). */
export interface EmittedCondition {
  readonly code: string;
  readonly temps: readonly string[];
}

/**
 * `names.prototype` for TypeScript targets (generated `checker.ts`): `Object.prototype` typed so that
 * a string literal may index it. Its comment makes it text no string literal can hold ({@link
 * jsString} escapes every `*\/`), so {@link javascriptOf} can take the cast out exactly.
 */
export const TS_PROTOTYPE = '(Object.prototype as ObjectPrototype /* own.ts */)';

/** Emitted TypeScript (with {@link TS_PROTOTYPE}) as JavaScript, for tools that run a condition with `new Function`. */
export function javascriptOf(code: string): string {
  return code.split(TS_PROTOTYPE).join('Object.prototype');
}

/** A JS string literal for any text: JSON escaping plus U+2028, U+2029 and `*\/`. */
export function jsString(value: string): string {
  return JSON.stringify(value).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029').replace(/\*\//g, '*\\/');
}

const BINARY: Record<string, string> = {
  '==': 'eq', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge', in: 'isIn',
  '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '%': 'mod',
};
const CONVERSIONS: Record<string, string> = {
  int: 'toInt', double: 'toDouble', string: 'toStr', bool: 'toBool', timestamp: 'toTimestamp', duration: 'toDuration', type: 'typeOfValue', dyn: 'dyn',
};
const INT_COMPARISONS: Record<string, string> = { '<': 'ltInt', '<=': 'leInt', '>': 'gtInt', '>=': 'geInt', '==': 'eqInt', '!=': 'neInt' };
const STRING_TESTS = new Set(['startsWith', 'endsWith', 'contains', 'matches']);
const TIME_PARTS = new Set(['getFullYear', 'getMonth', 'getDate', 'getDayOfMonth', 'getDayOfWeek', 'getDayOfYear', 'getHours', 'getMinutes', 'getSeconds', 'getMilliseconds']);
/** Types whose `==` takes one step (strings are compared as a whole). */
const SCALARS = new Set(['int', 'double', 'string', 'bool', 'null', 'timestamp', 'duration', 'type']);
const COMPREHENSIONS: Record<string, string> = { all: 'all', exists: 'exists', exists_one: 'existsOne', filter: 'filter', map: 'mapList' };

function number(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '(-Infinity)';
  if (Object.is(value, -0)) return '(-0)';
  return value < 0 ? `(${value})` : String(value);
}

/**
 * The JS expression computing `ast`, self-contained: its temporaries, if any, are locals of an
 * arrow called at once. Generated checkers use {@link emitCondition} and declare them instead
 * (query-plan filters, built once per plan, use this form).
 */
export function emitExpression(ast: Expr, names: EmitNames, checked?: CheckResult): string {
  return selfContained(emitCondition(ast, names, checked));
}

/** A condition as one expression that declares its own temporaries (`let`: TypeScript would type parameters without arguments `undefined`). */
export function selfContained({ code, temps }: EmittedCondition): string {
  return temps.length === 0 ? code : `(() => { let ${temps.join(', ')}; return ${code}; })()`;
}

/** The JS expression computing `ast`; `checked` (from `checkExpression`) enables int reads of declared fields. */
export function emitCondition(ast: Expr, names: EmitNames, checked?: CheckResult): EmittedCondition {
  const R = names.runtime;
  const metered = needsMeter(ast);
  /** Temporaries are the caller's locals unless a closure would capture them (see the module's comment). */
  const flat = !hasComprehension(ast);
  const declaredTemps: string[] = [];
  /** `body` with each of `vars` bound to its value, evaluated in order first. */
  const bind = (vars: readonly string[], values: readonly string[], body: string): string => {
    if (!flat) return `((${vars.join(', ')}) => ${body})(${values.join(', ')})`;
    declaredTemps.push(...vars);
    return `(${vars.map((v, i) => `${v} = ${values[i]!}`).join(', ')}, ${body})`;
  };
  /** The meter as the last argument of a function that spends steps. */
  const m = metered ? ', _m' : '';
  let temps = 0;
  let vars = 0;
  const declared = (name: string) => Object.hasOwn(names.variables, name);

  const typeOf = (e: Expr) => checked?.types.get(e)?.kind;
  /** Inside the generic fallback of a fast path: no fast path there (it would only repeat the first). */
  let generic = 0;
  const fast =
    checked === undefined || names.fast === false
      ? undefined
      : fastPaths({
          runtime: R,
          prototype: names.prototype ?? 'Object.prototype',
          metered,
          typeOf: (e) => checked.types.get(e),
          variable: (e, scope) => {
            const js = rawVariable(e, scope);
            return js === undefined || !/^[A-Za-z$][\w$]*$/.test(js) ? undefined : { js, ordinary: names.ordinary?.includes((e as Expr & { kind: 'ident' }).name) ?? false };
          },
          literal: jsString,
          number,
          emit: (e, scope) => emit(e, scope),
          generic: (e, scope) => {
            generic++;
            try {
              return emit(e, scope);
            } finally {
              generic--;
            }
          },
          temp: (prefix) => `${prefix}${prefix === '_v' ? vars++ : temps++}`,
          bind,
        });
  /**
   * Application values declared `int` arrive as numbers or bigints: converted to CEL ints
   * (`asInt`), or only validated (`intValue`) where the value is just compared — JS compares a
   * safe integer with a bigint exactly, and this avoids allocating a bigint per read.
   */
  let compared: Expr | undefined;
  const intRead = (e: Expr, code: string) => (typeOf(e) === 'int' ? `${R}.${compared === e ? 'intValue' : 'asInt'}(${code})` : code);
  const isRead = (e: Expr) => e.kind === 'ident' || e.kind === 'select' || e.kind === 'index';
  const operand = (e: Expr, other: Expr, scope: ReadonlyMap<string, string>) => {
    // a safe int literal compared with a value read from the application is written as a number:
    // number-with-number is the fast comparison, and number-with-bigint stays exact (computed
    // ints such as `getHours()` are bigints, so their literals stay bigints)
    if (isRead(other) && e.kind === 'literal' && e.literal.type === 'int' && e.literal.value <= 9007199254740991n && e.literal.value >= -9007199254740991n) {
      return number(Number(e.literal.value));
    }
    compared = e;
    const code = emit(e, scope);
    compared = undefined;
    return code;
  };

  /** `x in ["a", "b"]` and `x in [1, 2]`: a chain of `===` (or exact `==` for ints) instead of a list. */
  function inLiterals(e: Expr & { kind: 'binary' }, scope: ReadonlyMap<string, string>): string | undefined {
    if (e.right.kind !== 'list' || e.right.items.length === 0 || e.right.items.length > 16) return undefined;
    const items = e.right.items;
    const kind = items[0]!.kind === 'literal' ? (items[0] as Expr & { kind: 'literal' }).literal.type : undefined;
    if ((kind !== 'string' && kind !== 'int') || !items.every((i) => i.kind === 'literal' && i.literal.type === kind)) return undefined;
    const tmp = `_t${temps++}`;
    const values = items.map((i) => emit(i, scope));
    const test = kind === 'string' ? `typeof ${tmp} === "string"` : `(typeof ${tmp} === "bigint" || typeof ${tmp} === "number")`;
    const eq = kind === 'string' ? '===' : '==';
    return bind([tmp], [operand(e.left, e.right, scope)], `${test} ? ${values.map((v) => `${tmp} ${eq} ${v}`).join(' || ')} : ${R}.isIn(${tmp}, [${values.join(', ')}])`);
  }

  function variable(name: string): string {
    return `${R}.val(${names.variables[name]!}, ${jsString(name)})`;
  }

  function emit(e: Expr, scope: ReadonlyMap<string, string>): string {
    if (fast && generic === 0 && (e.kind === 'binary' || e.kind === 'call' || e.kind === 'comprehension')) {
      const code = fast.fastNode(e, scope);
      if (code !== undefined) return code;
    }
    switch (e.kind) {
      case 'literal': {
        const l = e.literal;
        if (l.type === 'int') return l.value < 0n ? `(${l.value}n)` : `${l.value}n`;
        if (l.type === 'double') return number(l.value);
        if (l.type === 'string') return jsString(l.value);
        return String(l.value);
      }
      case 'ident': {
        const local = scope.get(e.name);
        if (local) return intRead(e, local);
        if (declared(e.name)) return intRead(e, variable(e.name));
        if ((TYPE_NAMES as readonly string[]).includes(e.name)) return `${R}.types[${jsString(e.name)}]`;
        return `${R}.error(${jsString(`unknown variable ${e.name}`)})`;
      }
      case 'select': {
        const parts = dottedParts(e);
        if (parts && !scope.has(parts[0]!)) {
          const name = parts.join('.');
          if (declared(name)) return intRead(e, variable(name));
          if ((TYPE_NAMES as readonly string[]).includes(name)) return `${R}.types[${jsString(name)}]`;
        }
        return intRead(e, select(e, scope));
      }
      case 'index':
        return intRead(e, `${R}.idx(${emit(e.operand, scope)}, ${emit(e.index, scope)})`);
      case 'has': {
        const field = jsString(e.field);
        const raw = rawVariable(e.operand, scope);
        const operand = raw ?? emit(e.operand, scope);
        // inline only on a declared object variable: its JavaScript type (the caller's) allows the read
        if (raw === undefined || !readsInline(e.field)) return `${R}.has(${operand}, ${field})`;
        if (e.operand.kind === 'ident' && names.ordinary?.includes(e.operand.name) && /^[A-Za-z$][\w$]*$/.test(raw)) {
          // an ordinary object (own.ts): a value where `Object.prototype` has none is its own or its class's
          const inherited = `${names.prototype ?? 'Object.prototype'}[${field}]`;
          return `(${raw}[${field}] !== undefined && (${inherited} === undefined || ${R}.has(${raw}, ${field}) === true))`;
        }
        const o = `_t${temps++}`;
        return bind([o], [operand], `${o} != null && Object.getPrototypeOf(${o}) === Object.prototype ? ${o}[${field}] !== undefined && (Object.getPrototypeOf(${o})[${field}] === undefined || Object.hasOwn(${o}, ${field})) : ${R}.has(${o}, ${field})`);
      }
      case 'unary':
        return `${R}.${e.op === '!' ? 'not' : 'neg'}(${emit(e.operand, scope)})`;
      case 'binary':
        return binary(e, scope);
      case 'conditional': {
        const tmp = `_t${temps++}`;
        const test = emit(e.test, scope);
        return bind([tmp], [test], `${tmp} === true ? ${emit(e.then, scope)} : ${tmp} === false ? ${emit(e.otherwise, scope)} : ${R}.notBool(${tmp})`);
      }
      case 'list':
        return `${R}.list([${e.items.map((item) => emit(item, scope)).join(', ')}])`;
      case 'map':
        return `${R}.map([${e.entries.map(({ key, value }) => `[${emit(key, scope)}, ${emit(value, scope)}]`).join(', ')}])`;
      case 'comprehension': {
        const range = emit(e.range, scope);
        const v = `_v${vars++}`;
        const inner = new Map(scope).set(e.variable, v);
        const fn = (body: Expr) => `(${v}) => ${emit(body, inner)}`;
        const macro = COMPREHENSIONS[e.macro]!;
        if (e.macro === 'map') return `${R}.${macro}(${range}, ${fn(e.transform!)}${e.predicate ? `, ${fn(e.predicate)}` : metered ? ', undefined' : ''}${m})`;
        return `${R}.${macro}(${range}, ${fn(e.predicate!)}${m})`;
      }
      case 'call':
        return call(e, scope);
    }
  }

  /** The caller's name for `e` when it is a declared object variable (not a comprehension's). */
  function rawVariable(e: Expr, scope: ReadonlyMap<string, string>): string | undefined {
    return e.kind === 'ident' && !scope.has(e.name) && declared(e.name) && checked?.types.get(e)?.kind === 'object' ? names.variables[e.name] : undefined;
  }

  /** `a.f` by `sel`, which follows own.ts; reads the fast paths make inline are in fast.ts. */
  function select(e: Expr & { kind: 'select' }, scope: ReadonlyMap<string, string>): string {
    // a declared object variable is read raw: `sel` reports an undefined operand as missing
    return `${R}.sel(${rawVariable(e.operand, scope) ?? emit(e.operand, scope)}, ${jsString(e.field)})`;
  }

  function binary(e: Expr & { kind: 'binary' }, scope: ReadonlyMap<string, string>): string {
    if (e.op === '&&' || e.op === '||') {
      // the right side is evaluated only when the left does not decide
      const left = emit(e.left, scope);
      const right = emit(e.right, scope);
      const tmp = `_t${temps++}`;
      const stop = e.op === '&&' ? 'false' : 'true';
      return bind([tmp], [left], `${tmp} === ${stop} ? ${stop} : ${R}.${e.op === '&&' ? 'and' : 'or'}(${tmp}, ${right})`);
    }
    if (e.op === 'in') return inLiterals(e, scope) ?? `${R}.isIn(${emit(e.left, scope)}, ${emit(e.right, scope)}${m})`;
    const intComparison = INT_COMPARISONS[e.op];
    if (intComparison && typeOf(e.left) === 'int' && typeOf(e.right) === 'int') {
      return `${R}.${intComparison}(${operand(e.left, e.right, scope)}, ${operand(e.right, e.left, scope)})`;
    }
    // only work that grows with the data spends: not `==` of two strings or numbers, not `+` of numbers
    const scalar = (x: Expr) => SCALARS.has(typeOf(x) ?? 'dyn');
    const spends = e.op === '+' ? !(scalar(e.left) && scalar(e.right) && typeOf(e.left) !== 'string') : (e.op === '==' || e.op === '!=') && !(scalar(e.left) && scalar(e.right));
    return `${R}.${BINARY[e.op]!}(${emit(e.left, scope)}, ${emit(e.right, scope)}${spends ? m : ''})`;
  }

  function call(e: Expr & { kind: 'call' }, scope: ReadonlyMap<string, string>): string {
    const args = e.args.map((a) => emit(a, scope));
    const target = e.target ? emit(e.target, scope) : undefined;
    const all = target === undefined ? args : [target, ...args];
    if (e.fn === 'size' && all.length === 1) return `${R}.size(${all[0]}${m})`;
    if (!target && Object.hasOwn(CONVERSIONS, e.fn) && args.length === 1) return `${R}.${CONVERSIONS[e.fn]!}(${args[0]})`;
    if (target && STRING_TESTS.has(e.fn) && args.length === 1) {
      // a literal pattern proved linear and equivalent to RE2 runs as a RegExp (celregexsafe.ts)
      const pattern = e.args[0]!;
      const fn = e.fn === 'matches' && pattern.kind === 'literal' && pattern.literal.type === 'string' && safeRegExp(pattern.literal.value) !== undefined ? 'matchesSafe' : e.fn;
      return `${R}.${fn}(${target}, ${args[0]}${m})`;
    }
    if (target && TIME_PARTS.has(e.fn) && args.length <= 1) {
      return `${R}.timePart(${[target, jsString(e.fn.slice(3)), ...args].join(', ')})`;
    }
    return `${R}.error(${jsString(`no matching overload for ${e.fn}`)})`;
  }

  const body = emit(ast, new Map());
  const budget = names.budget ?? DEFAULT_BUDGET;
  if (!Number.isSafeInteger(budget) || budget < 1) throw new Error(`policyc internal error: a condition budget of ${budget} steps`);
  const code = metered ? bind(['_m'], [`${R}.meter(${budget})`], `${R}.spent(_m, ${body})`) : body;
  return { code, temps: declaredTemps };
}
