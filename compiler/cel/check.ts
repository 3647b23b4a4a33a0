/**
 * The condition type checker: every node gets a type; unknown variables, fields and functions
 * and operators applied to the wrong types are reported with the span of the offending text and a
 * did-you-mean hint. `dyn` switches checking off below it. int and double compare with each
 * other (as current CEL allows) but do not mix in arithmetic.
 */
import { CelError, regexProblem, toDuration, toTimestamp, zoneOffset } from '@policyc/runtime/cel';

import { didYouMean } from '../diagnostics/suggest.ts';
import type { CelProblem, Expr } from './ast.ts';
import { dottedParts } from './names.ts';
import { fieldType, sameType, t, TYPE_NAMES, typeName, type CelType, type Declarations } from './types.ts';

export interface CheckResult {
  readonly problems: readonly CelProblem[];
  /** The type of every node. */
  readonly types: ReadonlyMap<Expr, CelType>;
  /** Select nodes that name a declared variable (`a.b` declared as one name). */
  readonly qualified: ReadonlyMap<Expr, string>;
}

const NUMERIC = new Set(['int', 'double']);
const ORDERED = new Set(['int', 'double', 'string', 'bool', 'timestamp', 'duration']);
const TIME_PARTS = ['getFullYear', 'getMonth', 'getDate', 'getDayOfMonth', 'getDayOfWeek', 'getDayOfYear', 'getHours', 'getMinutes', 'getSeconds', 'getMilliseconds'];
const DURATION_PARTS = new Set(['getHours', 'getMinutes', 'getSeconds', 'getMilliseconds']);
const STRING_TESTS = ['startsWith', 'endsWith', 'contains', 'matches'];
const CONVERSIONS: Record<string, { result: CelType; from: readonly string[] }> = {
  int: { result: t.int, from: ['int', 'double', 'string', 'timestamp'] },
  double: { result: t.double, from: ['int', 'double', 'string'] },
  string: { result: t.string, from: ['int', 'double', 'string', 'bool', 'timestamp', 'duration'] },
  bool: { result: t.bool, from: ['bool', 'string'] },
  timestamp: { result: t.timestamp, from: ['string', 'int', 'timestamp'] },
  duration: { result: t.duration, from: ['string', 'duration'] },
};
const UNSUPPORTED_FUNCTIONS = new Set(['uint', 'bytes', 'optional', 'proto']);
export const FUNCTIONS = ['size', 'type', 'dyn', 'has', ...STRING_TESTS, ...Object.keys(CONVERSIONS), ...TIME_PARTS, 'all', 'exists', 'exists_one', 'map', 'filter'];

const isDyn = (type: CelType) => type.kind === 'dyn';

export function checkExpression(ast: Expr, declarations: Declarations): CheckResult {
  const problems: CelProblem[] = [];
  const types = new Map<Expr, CelType>();
  const qualified = new Map<Expr, string>();
  const declared = (name: string) => Object.hasOwn(declarations, name);

  const report = (code: string, at: { offset: number; length: number }, message: string, help?: string) => {
    problems.push(help === undefined ? { code, offset: at.offset, length: at.length, message } : { code, offset: at.offset, length: at.length, message, help });
  };
  const mismatch = (at: { offset: number; length: number }, message: string) => report('PC5003', at, message);

  function visit(e: Expr, scope: ReadonlyMap<string, CelType>): CelType {
    const type = infer(e, scope);
    types.set(e, type);
    return type;
  }

  /** `want` lists the kinds accepted; reports and returns false otherwise (dyn always passes). */
  function expect(e: Expr, type: CelType, want: readonly string[], what: string): boolean {
    if (isDyn(type) || want.includes(type.kind)) return true;
    mismatch(e, `${what} must be ${want.map((k) => `\`${k}\``).join(' or ')}, not \`${typeName(type)}\``);
    return false;
  }

  function infer(e: Expr, scope: ReadonlyMap<string, CelType>): CelType {
    switch (e.kind) {
      case 'literal':
        return e.literal.type === 'null' ? t.null : t[e.literal.type];
      case 'ident': {
        const local = scope.get(e.name);
        if (local) return local;
        if (declared(e.name)) return declarations[e.name]!;
        if ((TYPE_NAMES as readonly string[]).includes(e.name)) return t.type;
        const help = didYouMean(e.name, [...scope.keys(), ...Object.keys(declarations)]);
        report('PC5002', e, `unknown variable \`${e.name}\``, help);
        return t.dyn;
      }
      case 'select': {
        const parts = dottedParts(e);
        if (parts && !scope.has(parts[0]!)) {
          const name = parts.join('.');
          if (declared(name)) {
            qualified.set(e, name);
            return declarations[name]!;
          }
          if ((TYPE_NAMES as readonly string[]).includes(name)) return t.type;
        }
        const operand = visit(e.operand, scope);
        return field(operand, e.field, { offset: e.fieldOffset, length: e.field.length }, e);
      }
      case 'index': {
        const operand = visit(e.operand, scope);
        const index = visit(e.index, scope);
        if (isDyn(operand)) return t.dyn;
        if (operand.kind === 'list') {
          expect(e.index, index, ['int'], 'a list index');
          return operand.elem;
        }
        if (operand.kind === 'map') {
          if (!isDyn(index) && !isDyn(operand.key) && !sameType(index, operand.key) && !(NUMERIC.has(index.kind) && NUMERIC.has(operand.key.kind))) {
            mismatch(e.index, `a key of \`${typeName(operand)}\` must be \`${typeName(operand.key)}\`, not \`${typeName(index)}\``);
          }
          return operand.value;
        }
        if (operand.kind === 'object' && e.index.kind === 'literal' && e.index.literal.type === 'string') {
          return field(operand, e.index.literal.value, e.index, e);
        }
        if (operand.kind === 'object') return expect(e.index, index, ['string'], 'a field name') ? t.dyn : t.dyn;
        mismatch(e.operand, `\`${typeName(operand)}\` cannot be indexed`);
        return t.dyn;
      }
      case 'has': {
        const operand = visit(e.operand, scope);
        if (operand.kind === 'object' && fieldType(operand, e.field) === undefined) field(operand, e.field, e, e);
        else expect(e.operand, operand, ['object', 'map'], 'the operand of `has`');
        return t.bool;
      }
      case 'unary': {
        const operand = visit(e.operand, scope);
        if (e.op === '!') {
          expect(e.operand, operand, ['bool'], 'the operand of `!`');
          return t.bool;
        }
        expect(e.operand, operand, ['int', 'double', 'duration'], 'the operand of `-`');
        return operand;
      }
      case 'binary':
        return binary(e, visit(e.left, scope), visit(e.right, scope));
      case 'conditional': {
        expect(e.test, visit(e.test, scope), ['bool'], 'the condition of `?:`');
        const a = visit(e.then, scope);
        const b = visit(e.otherwise, scope);
        return sameType(a, b) ? a : t.dyn;
      }
      case 'list': {
        const items = e.items.map((item) => visit(item, scope));
        const first = items[0];
        return t.list(first && items.every((x) => sameType(x, first)) ? first : t.dyn);
      }
      case 'map': {
        const keys = e.entries.map((entry) => visit(entry.key, scope));
        const values = e.entries.map((entry) => visit(entry.value, scope));
        e.entries.forEach((entry, i) => expect(entry.key, keys[i]!, ['int', 'string', 'bool'], 'a map key'));
        const k = keys[0];
        const v = values[0];
        return t.map(k && keys.every((x) => sameType(x, k)) ? k : t.dyn, v && values.every((x) => sameType(x, v)) ? v : t.dyn);
      }
      case 'comprehension': {
        const range = visit(e.range, scope);
        let elem: CelType = t.dyn;
        if (range.kind === 'list') elem = range.elem;
        else if (range.kind === 'map') elem = range.key;
        else expect(e.range, range, ['list', 'map'], `the range of \`${e.macro}\``);
        const inner = new Map(scope).set(e.variable, elem);
        if (e.predicate) expect(e.predicate, visit(e.predicate, inner), ['bool'], `the predicate of \`${e.macro}\``);
        const transform = e.transform ? visit(e.transform, inner) : undefined;
        if (e.macro === 'map') return t.list(transform ?? t.dyn);
        if (e.macro === 'filter') return t.list(elem);
        return t.bool;
      }
      case 'call':
        return call(e, e.target ? visit(e.target, scope) : undefined, e.args.map((a) => visit(a, scope)));
    }
  }

  function field(operand: CelType, name: string, at: { offset: number; length: number }, whole: Expr): CelType {
    if (isDyn(operand)) return t.dyn;
    if (operand.kind === 'object') {
      const type = fieldType(operand, name);
      if (type) return type;
      report('PC5002', at, `\`${operand.name}\` has no field \`${name}\``, didYouMean(name, Object.keys(operand.fields)));
      return t.dyn;
    }
    if (operand.kind === 'map') {
      if (!isDyn(operand.key) && operand.key.kind !== 'string') mismatch(whole, `\`${typeName(operand)}\` has no string keys`);
      return operand.value;
    }
    mismatch(at, `\`${typeName(operand)}\` has no field \`${name}\``);
    return t.dyn;
  }

  function binary(e: Expr & { kind: 'binary' }, a: CelType, b: CelType): CelType {
    const both = `\`${typeName(a)}\` and \`${typeName(b)}\``;
    const anyDyn = isDyn(a) || isDyn(b);
    switch (e.op) {
      case '&&':
      case '||':
        expect(e.left, a, ['bool'], `the left side of \`${e.op}\``);
        expect(e.right, b, ['bool'], `the right side of \`${e.op}\``);
        return t.bool;
      case '==':
      case '!=':
        if (!anyDyn && a.kind !== 'null' && b.kind !== 'null' && !sameType(a, b) && !(NUMERIC.has(a.kind) && NUMERIC.has(b.kind)) && a.kind !== b.kind) {
          mismatch(e, `\`${e.op}\` compares values of different types: ${both}`);
        }
        return t.bool;
      case '<':
      case '<=':
      case '>':
      case '>=':
        if (!anyDyn) {
          const comparable = ORDERED.has(a.kind) && (a.kind === b.kind || (NUMERIC.has(a.kind) && NUMERIC.has(b.kind)));
          if (!comparable) mismatch(e, `\`${e.op}\` cannot compare ${both}`);
        }
        return t.bool;
      case 'in': {
        if (!isDyn(b) && b.kind !== 'list' && b.kind !== 'map') mismatch(e.right, `the right side of \`in\` must be a list or a map, not \`${typeName(b)}\``);
        const element = b.kind === 'list' ? b.elem : b.kind === 'map' ? b.key : t.dyn;
        const comparable = isDyn(a) || isDyn(element) || a.kind === element.kind || (NUMERIC.has(a.kind) && NUMERIC.has(element.kind));
        if (!comparable) mismatch(e, `\`in\` looks for \`${typeName(a)}\` among \`${typeName(element)}\` values`);
        return t.bool;
      }
      default:
        return arithmetic(e, a, b, both);
    }
  }

  function arithmetic(e: Expr & { kind: 'binary' }, a: CelType, b: CelType, both: string): CelType {
    if (isDyn(a) && isDyn(b)) return t.dyn;
    const k = `${a.kind} ${e.op} ${b.kind}`;
    const table: Record<string, CelType> = {
      'int + int': t.int, 'double + double': t.double, 'string + string': t.string, 'timestamp + duration': t.timestamp,
      'duration + timestamp': t.timestamp, 'duration + duration': t.duration, 'int - int': t.int, 'double - double': t.double,
      'timestamp - timestamp': t.duration, 'timestamp - duration': t.timestamp, 'duration - duration': t.duration,
      'int * int': t.int, 'double * double': t.double, 'int / int': t.int, 'double / double': t.double, 'int % int': t.int,
    };
    if (Object.hasOwn(table, k)) return table[k]!;
    if (e.op === '+' && a.kind === 'list' && b.kind === 'list') return sameType(a, b) ? a : t.list(t.dyn);
    if (isDyn(a) || isDyn(b)) return t.dyn;
    mismatch(e, `\`${e.op}\` cannot be applied to ${both}`);
    return t.dyn;
  }

  /**
   * A literal that would fail every evaluation is a compile error: an unknown time zone, a
   * duration, timestamp or regular expression that does not parse (the runtime's own parsers decide).
   */
  function literalArgument(e: Expr & { kind: 'call' }): void {
    const arg = e.args[0];
    if (e.args.length !== 1 || arg?.kind !== 'literal' || arg.literal.type !== 'string') return;
    const text = arg.literal.value;
    const invalid = (what: string, help?: string) => report('PC5005', arg, `${what} \`${text}\` is not valid`, help);
    if (e.target && TIME_PARTS.includes(e.fn)) {
      if (zoneOffset(text, 0) === undefined) invalid('time zone', didYouMean(text, Intl.supportedValuesOf('timeZone')) ?? 'use an IANA name like `Europe/Warsaw` or an offset like `+02:00`');
    } else if (!e.target && e.fn === 'duration') {
      if (toDuration(text) instanceof CelError) invalid('duration', 'write durations like `1h30m`, `90s` or `250ms`');
    } else if (!e.target && e.fn === 'timestamp') {
      if (toTimestamp(text) instanceof CelError) invalid('timestamp', 'write timestamps in RFC 3339, like `2026-03-29T09:00:00Z`');
    } else if (e.target && e.fn === 'matches') {
      // RE2 syntax, as the runtime matches it: no lookaround, no backreferences
      const problem = regexProblem(text);
      if (problem !== undefined) report('PC5005', arg, `regular expression \`${text}\` is not valid RE2: ${problem}`, 'RE2 has no lookaround and no backreferences (https://github.com/google/re2/wiki/Syntax)');
    }
  }

  function call(e: Expr & { kind: 'call' }, target: CelType | undefined, args: CelType[]): CelType {
    literalArgument(e);
    const at = { offset: e.nameOffset, length: e.fn.length };
    const arity = (n: number) => {
      if (args.length === n) return true;
      mismatch(e, `\`${e.fn}\` takes ${n} argument${n === 1 ? '' : 's'}, not ${args.length}`);
      return false;
    };
    if (UNSUPPORTED_FUNCTIONS.has(e.fn)) {
      report('PC5004', at, `\`${e.fn}\` is not supported in conditions`);
      return t.dyn;
    }
    if (e.fn === 'size') {
      const subject = target ?? (arity(1) ? args[0] : undefined);
      const node = e.target ?? e.args[0];
      if (target && !arity(0)) return t.int;
      if (subject && node) expect(node, subject, ['string', 'list', 'map'], 'the argument of `size`');
      return t.int;
    }
    if (!target && Object.hasOwn(CONVERSIONS, e.fn)) {
      const conversion = CONVERSIONS[e.fn]!;
      if (arity(1)) expect(e.args[0]!, args[0]!, conversion.from, `the argument of \`${e.fn}\``);
      return conversion.result;
    }
    if (!target && (e.fn === 'type' || e.fn === 'dyn')) {
      arity(1);
      return e.fn === 'type' ? t.type : t.dyn;
    }
    if (target && e.target && STRING_TESTS.includes(e.fn)) {
      expect(e.target, target, ['string'], `the receiver of \`${e.fn}\``);
      if (arity(1)) expect(e.args[0]!, args[0]!, ['string'], `the argument of \`${e.fn}\``);
      return t.bool;
    }
    if (target && e.target && TIME_PARTS.includes(e.fn)) {
      if (target.kind === 'duration' && DURATION_PARTS.has(e.fn)) {
        arity(0);
        return t.int;
      }
      expect(e.target, target, DURATION_PARTS.has(e.fn) ? ['timestamp', 'duration'] : ['timestamp'], `the receiver of \`${e.fn}\``);
      if (args.length > 1) arity(1);
      else if (args.length === 1) expect(e.args[0]!, args[0]!, ['string'], 'a time zone');
      return t.int;
    }
    const known = FUNCTIONS.includes(e.fn);
    report('PC5002', at, known ? `\`${e.fn}\` cannot be called this way` : `unknown function \`${e.fn}\``, known ? undefined : didYouMean(e.fn, FUNCTIONS));
    return t.dyn;
  }

  visit(ast, new Map());
  problems.sort((a, b) => a.offset - b.offset || a.code.localeCompare(b.code));
  return { problems, types, qualified };
}
