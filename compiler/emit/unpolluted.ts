import type { PolicyModel } from '../ir/model.ts';
import { children, parseExpression, type Expr } from '../cel/index.ts';
import { lit } from './literal.ts';
import { principalKey } from './reach.ts';

/**
 * The tests generated code makes of the built-in prototypes other than `Object.prototype`
 * (packages/runtime/src/own.ts): while none of them has a key the checks read, a plain read of
 * that key on *any* object is what the own-data rule reads — nothing the object's chain could
 * inherit it from is built in, and each generated read tests `Object.prototype` — so the checks
 * need not ask an object for its prototype. V8 folds each `key in Array.prototype` to `false`
 * while the prototypes are clean; a pollution deoptimizes the code that folded it.
 */

/** The built-in prototypes of the own-data rule but `Object.prototype`, as generated code names them (`TYPED_ARRAY` is declared by the module). */
const BUILT_IN_PROTOTYPES: ReadonlyMap<string, object> = new Map<string, object>([
  ...[Array, Function, String, Number, Boolean, Symbol, BigInt, Date, RegExp, Error, Map, Set, WeakMap, WeakSet, Promise, ArrayBuffer, Uint8Array].map((c) => [`${c.name}.prototype`, c.prototype as object] as const),
  ['TYPED_ARRAY', Object.getPrototypeOf(Uint8Array.prototype) as object],
]);

/** Above this many keys `unpolluted()` would be too long to compile well: such checkers always take the exact path. */
const MAX_UNPOLLUTED_KEYS = 40;

/** Above this many principal keys the entry's test of them is left to `isPlain` (each key is a test of every prototype). */
const MAX_PRINCIPAL_KEYS = 12;

/** The principal's built-in values generated code reads plainly, by their built-in names (not `shift`: only conditions read it). */
const PRINCIPAL_VALUES = ['id', 'role', 'groups', 'organisation', 'profile', 'reports', 'technical'];

/**
 * The keys generated checks read from request objects by `ownRead` or directly (the principal's
 * id and role, where the application keeps them): the record's `kind`, the attributes that steps,
 * stage and pipeline conditions, organisations and parents read, and every field a condition reads.
 */
export function plainReads(model: PolicyModel): string[] {
  const keys = new Set<string>(['kind', ...principalReads(model)]);
  for (const r of model.resources) {
    for (const a of [r.owner, r.team, r.ownerRole, r.organisation, r.stage, r.pipeline, r.subscribers?.attribute, r.parent?.attribute]) if (a !== undefined) keys.add(a);
  }
  for (const rule of model.rules) {
    if (rule.condition?.kind === 'equals') keys.add(rule.condition.attribute);
    else if (rule.condition?.kind === 'cel') for (const { field } of celFields(rule.condition.text)) keys.add(field);
  }
  return [...keys].sort();
}

/** The keys generated checks read plainly from the principal: its built-in values where the application keeps them, and the `principal.<field>`s of conditions. */
export function principalReads(model: PolicyModel): string[] {
  const keys = new Set<string>(PRINCIPAL_VALUES.map((n) => principalKey(model, n)));
  for (const rule of model.rules) {
    if (rule.condition?.kind === 'cel') for (const { variable, field } of celFields(rule.condition.text)) if (variable === 'principal') keys.add(field);
  }
  return [...keys].sort();
}

/**
 * The fields a CEL condition reads of a variable by name (`principal.approvalLimit`,
 * `has(resource.stage)`): its fast paths read them plainly from the principal and the record,
 * which they take to be ordinary objects (compiler/analyze/conditions.ts `ordinary`) — as
 * `unpolluted()` makes any object while no built-in prototype has such a key.
 */
function celFields(text: string): { variable: string; field: string }[] {
  const parsed = parseExpression(text);
  // the text compileCel compiled: it parses, else unpolluted() could not name what the code reads
  if (!parsed.ok) throw new Error(`policyc internal error: condition ${JSON.stringify(text)} does not parse`);
  const out: { variable: string; field: string }[] = [];
  const walk = (e: Expr): void => {
    if ((e.kind === 'select' || e.kind === 'has') && e.operand.kind === 'ident') out.push({ variable: e.operand.name, field: e.field });
    for (const child of children(e)) walk(child);
  };
  walk(parsed.ast);
  return out;
}

/** Whether some built-in prototype but `Object.prototype` has one of `keys`: a `||` of `key in prototype` tests. */
function onBuiltIn(keys: readonly string[], between: string): string {
  return keys.map((k) => [...BUILT_IN_PROTOTYPES.keys()].map((proto) => `${lit(k)} in ${proto}`).join(' || ')).join(between);
}

/** The body of `unpolluted()`: whether no built-in prototype but `Object.prototype` has any key of {@link plainReads}. */
export function unpollutedTest(keys: readonly string[]): string {
  if (keys.length > MAX_UNPOLLUTED_KEYS) return 'return false;';
  // one line per key
  return `return !(\n  ${onBuiltIn(keys, ' ||\n  ')}\n);`;
}

/**
 * For the generic entry (compiler/emit/entries.ts): the expression that is true when some built-in
 * prototype but `Object.prototype` has a key of {@link principalReads} — while it is false, the
 * entry reads any principal as it is. Written out in the entry, where V8 folds it to `false` (as a
 * call, too long to inline, it would cost a call per check); `undefined` when the keys are too many,
 * or when one of them is a key some built-in prototype has anyway (`name`, `size`: the test would
 * never pass) — the entry then asks for the principal's prototype instead.
 */
export function principalOnBuiltIn(model: PolicyModel): string | undefined {
  const keys = principalReads(model);
  if (keys.length > MAX_PRINCIPAL_KEYS) return undefined;
  if (keys.some((k) => [...BUILT_IN_PROTOTYPES.values()].some((proto) => k in proto))) return undefined;
  return onBuiltIn(keys, ' || ');
}
