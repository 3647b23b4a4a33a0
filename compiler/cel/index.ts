/**
 * Conditions: a CEL subset compiled to plain JavaScript expressions (docs/conditions.md).
 *
 * `parseExpression` (chevrotain lexer + parser, CST → AST) → `checkExpression` (types against
 * declarations) → `emitExpression` (a JS expression calling `runtime/cel.ts`). Problems are
 * values `{ code, offset, length, message, help? }` with offsets inside the expression text; the
 * policy compiler maps them to YAML positions.
 *
 * Values from applications: `null`, booleans, strings, arrays (lists), plain objects and `Map`s
 * (maps; own properties only), `Date`s (timestamps), numbers (double, or int where the declared
 * type is `int`: safe integers and `bigint`s are accepted there). Inside expressions an int is
 * a `bigint` with 64-bit overflow checks. Errors are values (`CelError`): a condition is met only
 * when it evaluates to `true`.
 */
import * as runtime from '@policyc/runtime/cel';
import { children, type CelProblem, type Expr } from './ast.ts';
import { buildAst } from './build-ast.ts';
import { checkExpression, type CheckResult } from './check.ts';
import { emitCondition, emitExpression, javascriptOf, jsString, selfContained, TS_PROTOTYPE, type EmitNames, type EmittedCondition } from './emit.ts';
import { parseCst } from './parser.ts';
import { typeName, type Declarations } from './types.ts';

export type { CelProblem, Expr } from './ast.ts';
export type { CheckResult } from './check.ts';
export type { EmitNames } from './emit.ts';
export { estimateCost, type CostEstimate } from './cost.ts';
export { t, typeName, type CelType, type Declarations } from './types.ts';
export { checkExpression, children, emitCondition, emitExpression, javascriptOf, jsString, TS_PROTOTYPE, type EmittedCondition };

/** Parses a condition; lexer and parser errors come back as PC5001 problems, unsupported syntax as PC5004. */
export function parseExpression(text: string): { ok: true; ast: Expr } | { ok: false; errors: readonly CelProblem[] } {
  const tooDeep = { ok: false, errors: [{ code: 'PC5001', offset: 0, length: text.length, message: `the expression nests deeper than ${MAX_DEPTH} levels` }] } as const;
  try {
    const parsed = parseCst(text);
    if (!parsed.cst) return { ok: false, errors: parsed.errors.map((e) => ({ code: 'PC5001', ...e })) };
    const built = buildAst(parsed.cst);
    if (!built.ast) return { ok: false, errors: built.problems };
    // the checker and the emitter recurse over the AST: bound its depth
    return depth(built.ast) > MAX_DEPTH ? tooDeep : { ok: true, ast: built.ast };
  } catch (e) {
    if (e instanceof RangeError) return tooDeep; // the parser's own recursion ran out of stack
    throw e;
  }
}

/** Far beyond conditions people write (CEL asks implementations for at least 12 levels of nesting). */
const MAX_DEPTH = 250;

/** The depth of an AST, without recursion. */
function depth(ast: Expr): number {
  let max = 0;
  const stack: [Expr, number][] = [[ast, 1]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [e, d] = item;
    if (d > max) max = d;
    for (const child of children(e)) stack.push([child, d + 1]);
  }
  return max;
}

/**
 * {@link checkExpression} for a condition: the whole expression must also be a bool (or `dyn`),
 * since anything else can never be met.
 */
export function checkCondition(ast: Expr, declarations: Declarations): CheckResult {
  const result = checkExpression(ast, declarations);
  const type = result.types.get(ast);
  if (!type || type.kind === 'bool' || type.kind === 'dyn') return result;
  const problem: CelProblem = { code: 'PC5003', offset: ast.offset, length: ast.length, message: `a condition must be a \`bool\`, not \`${typeName(type)}\`` };
  return { ...result, problems: [...result.problems, problem] };
}

export interface CompiledExpression {
  readonly ok: true;
  /** The emitted JS expression; it reads `v0`, `v1` … (one per declaration, in `parameters`) and `cel`. */
  readonly source: string;
  readonly parameters: readonly string[];
  readonly check: CheckResult;
  /** The CEL value of the expression; never throws (an unexpected exception becomes a `CelError`). */
  evaluate(bindings: Readonly<Record<string, unknown>>): unknown;
  /** `true`, `false` or the error that stopped the condition (a non-bool result is an error). */
  test(bindings: Readonly<Record<string, unknown>>): true | false | runtime.CelError;
}

export interface CompileOptions {
  /** Skip the type checker (conformance cases marked `disableCheck`). */
  readonly check?: boolean;
  /** Steps a metered condition may spend per evaluation (`limits.conditionBudget`); the runtime's default if absent. */
  readonly budget?: number;
  /** Variables the caller passes as own.ts `ordinary` objects, as generated checkers do (`EmitNames.ordinary`). */
  readonly ordinary?: readonly string[];
  /** `false`: emit the generic code only, without fast paths (`EmitNames.fast`). */
  readonly fast?: boolean;
}

/**
 * Parses, checks and emits `text`, then builds a function over the emitted source — for tests,
 * benchmarks and tools. Generated checkers embed {@link emitExpression}'s source instead.
 */
export function compileExpression(text: string, declarations: Declarations, options: CompileOptions = {}): CompiledExpression | { ok: false; errors: readonly CelProblem[] } {
  const parsed = parseExpression(text);
  if (!parsed.ok) return parsed;
  const check = checkExpression(parsed.ast, declarations);
  if (options.check !== false && check.problems.length > 0) return { ok: false, errors: check.problems };
  const names = Object.keys(declarations);
  const parameters = names.map((_, i) => `v${i}`);
  // fromEntries defines own properties, so even a variable called `__proto__` is a name here
  const variables: Record<string, string> = Object.fromEntries(names.map((name, i) => [name, parameters[i]!]));
  const emitNames: EmitNames = {
    variables,
    runtime: 'cel',
    ...(options.budget === undefined ? {} : { budget: options.budget }),
    ...(options.ordinary === undefined ? {} : { ordinary: options.ordinary }),
    ...(options.fast === undefined ? {} : { fast: options.fast }),
  };
  // embedded as generated checkers embed it: the temporaries declared around the expression
  const emitted = emitCondition(parsed.ast, emitNames, options.check === false ? undefined : check);
  const { code, temps } = emitted;
  const fn = new Function('cel', ...parameters, `"use strict"; ${temps.length === 0 ? '' : `let ${temps.join(', ')}; `}return ${code};`) as (...args: unknown[]) => unknown;
  // what a caller may embed on its own: self-contained (emitExpression's form)
  const source = selfContained(emitted);
  const evaluate = (bindings: Readonly<Record<string, unknown>>): unknown => {
    try {
      return fn(runtime, ...names.map((name) => (Object.hasOwn(bindings, name) ? bindings[name] : undefined)));
    } catch (e) {
      // what a getter threw may itself be hostile (a Proxy whose every trap throws): describing it must not throw
      let thrown: string;
      try {
        thrown = e instanceof Error ? String(e.message) : String(e);
      } catch {
        thrown = 'a value that cannot be described';
      }
      return runtime.error(`evaluation failed: ${thrown}`);
    }
  };
  return {
    ok: true,
    source,
    parameters,
    check,
    evaluate,
    test(bindings) {
      const value = evaluate(bindings);
      return typeof value === 'boolean' ? value : value instanceof runtime.CelError ? value : runtime.error('the condition is not a bool');
    },
  };
}
