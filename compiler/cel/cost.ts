/**
 * The static cost estimate of a condition, as cel-go's estimator reasons about comprehension
 * nesting over list sizes (docs/conditions.md, "Cost budget"). Sizes of request data are
 * unknown, so the estimate is a degree: how the work grows with `n`, the size of the request
 * (0: constant, 1: linear, 2: quadratic …). Work linear in the request is what any read of it
 * costs; from degree 2 on (a comprehension over a request list whose every step walks request
 * data again, `resource.tags.all(a, resource.tags.exists(b, a == b))`) the cost is the
 * product of sizes the application does not bound: such a comprehension is reported, and the
 * runtime budget is what stops it.
 */
import { children, type Expr } from './ast.ts';
import type { CheckResult } from './check.ts';

/** Degree and size degree of one subexpression: how its work and its value's size grow with `n`. */
interface Estimate {
  readonly cost: number;
  readonly size: number;
}

export interface CostEstimate {
  /** How the work of the whole condition grows with the size of the request. */
  readonly degree: number;
  /** The outermost comprehensions whose work grows faster than the request (degree 2 or more). */
  readonly unbounded: readonly Expr[];
}

/** Beyond this nesting of comprehensions the estimate stops telling apart work on the element from other work (it only overestimates). */
const EXACT_NESTING = 10;

/** Operations producing a value as large as their operands (the others produce a bool or a number). */
const SIZED_CALLS = new Set(['string', 'dyn']);

/** Functions walking their receiver or argument: a scan of a long string, the code points of `size`. */
const WALKING_CALLS = new Set(['matches', 'contains', 'size']);

/** Types whose values are small and compared in one step (strings are compared as a whole: attribute values are short). */
const SCALARS = new Set(['int', 'double', 'string', 'bool', 'null', 'timestamp', 'duration', 'type']);

/**
 * The estimate of `ast`, where `variables` are the request's variables (`principal`, `resource`,
 * `context`). A comprehension's element is a part of its range: work on it, summed over the
 * steps, is work on the range; work on anything else is repeated at each step.
 */
export function estimateCost(ast: Expr, variables: ReadonlySet<string>, checked?: CheckResult): CostEstimate {
  const unbounded: Expr[] = [];
  /** Whether comparing `e` with something walks it (a list or a map; unknown without types). */
  const walked = (e: Expr) => !SCALARS.has(checked?.types.get(e)?.kind ?? 'dyn');
  let reporting = 0; // > 0 inside a comprehension already reported

  const max = (list: readonly Estimate[], key: keyof Estimate) => list.reduce((n, e) => Math.max(n, e[key]), 0);

  function estimate(e: Expr, scope: ReadonlyMap<string, number>, nesting: number): Estimate {
    switch (e.kind) {
      case 'literal':
        return { cost: 0, size: 0 };
      case 'ident':
        return { cost: 0, size: scope.get(e.name) ?? (variables.has(e.name) ? 1 : 0) };
      case 'comprehension':
        return comprehension(e, scope, nesting);
      default: {
        const parts = children(e).map((c) => estimate(c, scope, nesting));
        const cost = max(parts, 'cost');
        const largest = max(parts, 'size');
        switch (e.kind) {
          case 'select':
          case 'index':
            return { cost, size: parts[0]!.size };
          case 'list':
          case 'map':
            return { cost, size: largest };
          case 'conditional':
            return { cost, size: Math.max(parts[1]!.size, parts[2]!.size) };
          case 'binary': {
            // `+` copies its operands, `in` walks a list, `==` walks lists and maps; the rest is one step
            const [left, right] = parts as [Estimate, Estimate];
            const work =
              e.op === '+' ? largest
              : e.op === 'in' ? (checked?.types.get(e.right)?.kind === 'map' ? 0 : right.size)
              : e.op === '==' || e.op === '!=' ? (walked(e.left) || walked(e.right) ? largest : 0)
              : 0;
            return { cost: Math.max(cost, work), size: e.op === '+' ? Math.max(left.size, right.size) : 0 };
          }
          case 'call':
            return { cost: Math.max(cost, WALKING_CALLS.has(e.fn) ? (parts[0]?.size ?? 0) : 0), size: SIZED_CALLS.has(e.fn) ? largest : 0 };
          default:
            return { cost, size: 0 };
        }
      }
    }
  }

  function comprehension(e: Expr & { kind: 'comprehension' }, scope: ReadonlyMap<string, number>, nesting: number): Estimate {
    const outermost = reporting === 0;
    reporting++;
    const range = estimate(e.range, scope, nesting);
    const bodies = [e.predicate, e.transform].filter((b): b is Expr => b !== undefined);
    const at = (size: number) => bodies.map((b) => estimate(b, new Map(scope).set(e.variable, size), nesting + 1));
    // work on the element, summed over the steps, is at most work on the whole range…
    const whole = at(range.size);
    // …and work on anything else is repeated at every step
    const apart = nesting < EXACT_NESTING ? at(0) : whole;
    const steps = range.size;
    const cost = Math.max(range.cost, steps + max(apart, 'cost'), max(whole, 'cost'));
    reporting--;
    if (outermost && cost >= 2) unbounded.push(e);
    const transform = e.macro === 'map' ? bodies.length - 1 : -1;
    const size = e.macro === 'filter' ? range.size : transform >= 0 ? Math.max(steps + apart[transform]!.size, whole[transform]!.size) : 0;
    return { cost, size };
  }

  return { degree: estimate(ast, new Map(), 0).cost, unbounded };
}
