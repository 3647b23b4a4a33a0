import { RE2JS } from 're2js';
import { charge, type Meter } from './celbudget.js';
import { safeRegExp } from './celregexsafe.js';
import { CelError, overload, type V } from './celvalue.js';

/**
 * `matches` with RE2 semantics in linear time (re2js, a port of RE2/J): CEL specifies RE2
 * syntax, and a backtracking `RegExp` takes exponential time on patterns such as `(a+)+$`, which
 * a request may supply. Patterns are compiled once and kept in a small cache.
 */

const compiled = /* @__PURE__ */ new Map<string, Program>();
const literals = /* @__PURE__ */ new Map<string, Program>();

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

/** A compiled pattern: RE2's program, a `RegExp` proved equivalent (celregexsafe.ts), or why RE2 rejects it. */
type Program = { test(s: string): boolean } | CelError;

function re2Program(pattern: string): Program {
  const program = compile(pattern);
  return typeof program === 'string' ? new CelError(`invalid regular expression \`${pattern}\`: ${program}`) : program;
}

/**
 * Runs `pattern` on `text` with the program `cache` holds or `make` builds. In a metered
 * condition a call costs one step, one per 10 characters of `s`, and one per character of a
 * pattern not compiled yet.
 */
function run(cache: Map<string, Program>, make: (pattern: string) => Program, text: V, pattern: V, m: Meter | undefined): V {
  if (typeof text !== 'string' || typeof pattern !== 'string') return text instanceof CelError ? text : pattern instanceof CelError ? pattern : overload('matches');
  let program = cache.get(pattern);
  if (m !== undefined) {
    const over = charge(m, 1 + Math.ceil(text.length / 10) + (program === undefined ? pattern.length : 0));
    if (over) return over;
  }
  if (program === undefined) {
    program = make(pattern);
    if (cache.size >= CACHE_SIZE) cache.clear();
    cache.set(pattern, program);
  }
  if (program instanceof CelError) return program;
  try {
    return program.test(text);
  } catch (e) {
    // re2js throws only on broken invariants; a condition never throws
    return new CelError(`regular expression \`${pattern}\` failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** `s.matches(re)`: whether RE2 pattern `re` matches anywhere in `s`. */
export function matches(a: V, b: V, m?: Meter): V {
  return run(compiled, re2Program, a, b, m);
}

function safeProgram(pattern: string): Program {
  return safeRegExp(pattern) ?? new CelError(`regular expression \`${pattern}\` is not in the subset a RegExp runs in linear time`);
}

/**
 * `s.matches("literal")` for a literal pattern the compiler found in the subset celregexsafe.ts
 * proves linear and equivalent to RE2: a `RegExp`, about ten times faster, and a checker whose
 * patterns are all such literals does not load RE2 at all.
 */
export function matchesSafe(a: V, b: V, m?: Meter): V {
  return run(literals, safeProgram, a, b, m);
}
