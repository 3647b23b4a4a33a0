import { RE2JS } from 're2js';
import { charge, type Meter } from './celbudget.js';
import { CelError, overload, type V } from './celvalue.js';

/**
 * `matches` with RE2 semantics in linear time (re2js, a port of RE2/J): CEL specifies RE2
 * syntax, and a backtracking `RegExp` takes exponential time on patterns such as `(a+)+$`, which
 * a request may supply. Patterns are compiled once and kept in a small cache.
 */

const compiled = /* @__PURE__ */ new Map<string, RE2JS | CelError>();

/** How many compiled patterns are kept: request-supplied patterns could otherwise fill memory. */
const CACHE_SIZE = 256;

/** The RE2 program of `pattern`, or why RE2 rejects it ("missing closing ): `(`"). */
function compile(pattern: string): RE2JS | string {
  try {
    return RE2JS.compile(pattern);
  } catch (e) {
    // RE2JSSyntaxException: "error parsing regexp: invalid repeat count: `{1001}`"
    return e instanceof Error ? e.message.replace(/^error parsing regexp: /, '') : String(e);
  }
}

/** Why RE2 rejects `pattern`, or undefined when it is valid (the compiler reports literal patterns with this). */
export function regexProblem(pattern: string): string | undefined {
  const re = compile(pattern);
  return typeof re === 'string' ? re : undefined;
}

/**
 * `s.matches(re)`: whether RE2 pattern `re` matches anywhere in `s`. In a metered condition it
 * costs one step, one per 10 characters of `s`, and one per character of a pattern not compiled yet.
 */
export function matches(a: V, b: V, m?: Meter): V {
  if (typeof a !== 'string' || typeof b !== 'string') return a instanceof CelError ? a : b instanceof CelError ? b : overload('matches');
  let re = compiled.get(b);
  if (m !== undefined) {
    const over = charge(m, 1 + Math.ceil(a.length / 10) + (re === undefined ? b.length : 0));
    if (over) return over;
  }
  if (re === undefined) {
    const program = compile(b);
    re = typeof program === 'string' ? new CelError(`invalid regular expression \`${b}\`: ${program}`) : program;
    if (compiled.size >= CACHE_SIZE) compiled.clear();
    compiled.set(b, re);
  }
  if (re instanceof CelError) return re;
  try {
    return re.test(a);
  } catch (e) {
    // re2js throws only on broken invariants; a condition never throws
    return new CelError(`regular expression \`${b}\` failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
