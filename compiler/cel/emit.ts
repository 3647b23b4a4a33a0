/**
 * AST → one JavaScript expression over the runtime (`runtime/cel.ts`). Deterministic and free
 * of policy text except through {@link jsString}: names of fields, keys and time zones are string
 * literals, never property names or identifiers, and every property read goes through the
 * runtime's own-property checks. Comprehension variables become `_v0`, `_v1` …, temporaries
 * `_t0` …; caller-chosen names must not start with `_`.
 *
 * `&&`, `||` and `?:` evaluate their right side only when needed: the left value is bound by an
 * immediately called arrow (`((_t0) => _t0 === false ? false : cel.and(_t0, B))(A)`), which
 * V8 inlines.
 */
import type { Expr } from './ast.ts';
import type { CheckResult } from './check.ts';
import { dottedParts } from './names.ts';
import { TYPE_NAMES } from './types.ts';

export interface EmitNames {
  /** JS expressions (trusted, from the caller) reading each declared variable: `{ principal: 'p' }`. */
  readonly variables: Readonly<Record<string, string>>;
  /** The JS name under which generated code reaches the runtime module (`cel` → `cel.sel(…)`). */
  readonly runtime: string;
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
const STRING_TESTS = new Set(['startsWith', 'endsWith', 'contains', 'matches']);
const TIME_PARTS = new Set(['getFullYear', 'getMonth', 'getDate', 'getDayOfMonth', 'getDayOfWeek', 'getDayOfYear', 'getHours', 'getMinutes', 'getSeconds', 'getMilliseconds']);
const COMPREHENSIONS: Record<string, string> = { all: 'all', exists: 'exists', exists_one: 'existsOne', filter: 'filter', map: 'mapList' };

function number(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '(-Infinity)';
  if (Object.is(value, -0)) return '(-0)';
  return value < 0 ? `(${value})` : String(value);
}

/** The JS expression computing `ast`; `checked` (from `checkExpression`) enables int reads of declared fields. */
export function emitExpression(ast: Expr, names: EmitNames, checked?: CheckResult): string {
  const R = names.runtime;
  let temps = 0;
  let vars = 0;
  const declared = (name: string) => Object.hasOwn(names.variables, name);

  /** Application values declared `int` arrive as numbers or bigints: convert to CEL ints. */
  const intRead = (e: Expr, code: string) => (checked?.types.get(e)?.kind === 'int' ? `${R}.asInt(${code})` : code);

  function variable(name: string): string {
    return `${R}.val(${names.variables[name]!}, ${jsString(name)})`;
  }

  function emit(e: Expr, scope: ReadonlyMap<string, string>): string {
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
        return intRead(e, `${R}.sel(${emit(e.operand, scope)}, ${jsString(e.field)})`);
      }
      case 'index':
        return intRead(e, `${R}.idx(${emit(e.operand, scope)}, ${emit(e.index, scope)})`);
      case 'has':
        return `${R}.has(${emit(e.operand, scope)}, ${jsString(e.field)})`;
      case 'unary':
        return `${R}.${e.op === '!' ? 'not' : 'neg'}(${emit(e.operand, scope)})`;
      case 'binary': {
        const left = emit(e.left, scope);
        const right = emit(e.right, scope);
        if (e.op === '&&' || e.op === '||') {
          const tmp = `_t${temps++}`;
          const stop = e.op === '&&' ? 'false' : 'true';
          return `((${tmp}) => ${tmp} === ${stop} ? ${stop} : ${R}.${e.op === '&&' ? 'and' : 'or'}(${tmp}, ${right}))(${left})`;
        }
        return `${R}.${BINARY[e.op]!}(${left}, ${right})`;
      }
      case 'conditional': {
        const tmp = `_t${temps++}`;
        return `((${tmp}) => ${tmp} === true ? ${emit(e.then, scope)} : ${tmp} === false ? ${emit(e.otherwise, scope)} : ${R}.notBool(${tmp}))(${emit(e.test, scope)})`;
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
        if (e.macro === 'map') return `${R}.${macro}(${range}, ${fn(e.transform!)}${e.predicate ? `, ${fn(e.predicate)}` : ''})`;
        return `${R}.${macro}(${range}, ${fn(e.predicate!)})`;
      }
      case 'call':
        return call(e, scope);
    }
  }

  function call(e: Expr & { kind: 'call' }, scope: ReadonlyMap<string, string>): string {
    const args = e.args.map((a) => emit(a, scope));
    const target = e.target ? emit(e.target, scope) : undefined;
    const all = target === undefined ? args : [target, ...args];
    if (e.fn === 'size' && all.length === 1) return `${R}.size(${all[0]})`;
    if (!target && Object.hasOwn(CONVERSIONS, e.fn) && args.length === 1) return `${R}.${CONVERSIONS[e.fn]!}(${args[0]})`;
    if (target && STRING_TESTS.has(e.fn) && args.length === 1) return `${R}.${e.fn}(${target}, ${args[0]})`;
    if (target && TIME_PARTS.has(e.fn) && args.length <= 1) {
      return `${R}.timePart(${[target, jsString(e.fn.slice(3)), ...args].join(', ')})`;
    }
    return `${R}.error(${jsString(`no matching overload for ${e.fn}`)})`;
  }

  return emit(ast, new Map());
}
