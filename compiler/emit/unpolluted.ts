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
const BUILT_IN_PROTOTYPES: readonly { readonly name: string; readonly value: string }[] = ['Array', 'Function', 'String', 'Number', 'Boolean', 'Symbol', 'BigInt', 'Date', 'RegExp', 'Error', 'Map', 'Set', 'WeakMap', 'WeakSet', 'Promise', 'ArrayBuffer', 'Uint8Array']
  .map((c) => ({ name: `${c}Proto`, value: `${c}.prototype` }))
  .concat({ name: 'TypedArrayProto', value: 'TYPED_ARRAY' });

/** Above this many keys `unpolluted()` would be too long to compile well: such checkers always take the exact path. */
const MAX_UNPOLLUTED_KEYS = 40;

/** The principal's built-in values generated code reads plainly, by their built-in names (not `shift`: only conditions read it). */
const PRINCIPAL_VALUES = ['id', 'role', 'groups', 'organisation', 'profile', 'reports', 'technical'];

/**
 * The keys generated checks read from request objects by `ownRead` or directly (the principal's
 * id and role, where the application keeps them): the record's `kind`, the attributes that steps,
 * stage and pipeline conditions, organisations and parents read, and every field a condition reads.
 */
export function plainReads(model: PolicyModel): string[] {
  const keys = new Set<string>(['kind', ...PRINCIPAL_VALUES.map((n) => principalKey(model, n))]);
  for (const r of model.resources) {
    for (const a of [r.owner, r.team, r.ownerRole, r.organisation, r.stage, r.pipeline, r.subscribers?.attribute, r.parent?.attribute]) if (a !== undefined) keys.add(a);
  }
  for (const rule of model.rules) {
    if (rule.condition?.kind === 'equals') keys.add(rule.condition.attribute);
    else if (rule.condition?.kind === 'cel') for (const field of celFields(rule.condition.text)) keys.add(field);
  }
  return [...keys].sort();
}

/**
 * The fields a CEL condition reads of a variable by name (`principal.approvalLimit`,
 * `has(resource.stage)`): its fast paths read them plainly from the principal and the record,
 * which they take to be ordinary objects (compiler/analyze/conditions.ts `ordinary`) — as
 * `unpolluted()` makes any object while no built-in prototype has such a key.
 */
function celFields(text: string): string[] {
  const parsed = parseExpression(text);
  // the text compileCel compiled: it parses, else unpolluted() could not name what the code reads
  if (!parsed.ok) throw new Error(`policyc internal error: condition ${JSON.stringify(text)} does not parse`);
  const out: string[] = [];
  const walk = (e: Expr): void => {
    if ((e.kind === 'select' || e.kind === 'has') && e.operand.kind === 'ident') out.push(e.field);
    for (const child of children(e)) walk(child);
  };
  walk(parsed.ast);
  return out;
}

/** The body of `unpolluted()`: whether no built-in prototype but `Object.prototype` has any key of {@link plainReads}. */
export function unpollutedTest(keys: readonly string[]): string {
  if (keys.length > MAX_UNPOLLUTED_KEYS) return 'return false;';
  // one line per key; the prototypes as locals: a third fewer tokens for V8 to parse at import
  // (issue 17), and the same constants for TurboFan to fold
  return [
    `const ${BUILT_IN_PROTOTYPES.map((proto) => `${proto.name} = ${proto.value}`).join(', ')};`,
    `return !(\n  ${keys.map((k) => BUILT_IN_PROTOTYPES.map((proto) => `${lit(k)} in ${proto.name}`).join(' || ')).join(' ||\n  ')}\n);`,
  ].join('\n');
}
