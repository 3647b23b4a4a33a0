/**
 * The entries of a generated checker (`checker.can`, `checker.lead.can`): generated functions
 * that decide the common request in one frame, and hand every other one to the runtime's
 * checker (`withRoles` over `planner.checker`), which decides it exactly as before.
 *
 * The common request: a principal and a record whose prototype is `Object.prototype` or `null`
 * (object literals, JSON, `Object.create(null)`), a principal with no `roles` and no `profile`,
 * and an `Object.prototype` without the keys the entry reads. Then a plain read of a key is what
 * the own-data rule reads (docs/policy-language.md, "Own data only"): nothing but the object
 * itself and `Object.prototype` is on its chain, and the generated reads test `Object.prototype`
 * (V8 folds those tests while it is clean). Class instances, arrays, Proxies of other objects,
 * several roles, profiles and any request whose reading throws go to the runtime's checker, which
 * reads the request again in its own order: slower, the same decisions.
 *
 * Not imported by `can.ts`: the `can` export, bundled alone, does not carry it.
 * No dependencies; imports nothing from the compiler.
 */
import type { Can } from './can.js';
import type { Context, CoreChecker, Decision, KindChecker, Principal } from './types.js';

export { INVALID_CONTEXT, INVALID_PRINCIPAL, INVALID_RESOURCE, NO_CONTEXT } from './can.js';
export { INVALID_RECORD } from './core.js';
export { EXHAUSTED, failure } from './failure.js';

/**
 * A key no object has (a private symbol, so no getter runs and no Proxy can expect it): a
 * generated entry reads it of a record before {@link isPlain}, so that V8 knows the record's map
 * there even when nothing else of the record has been read yet.
 */
export const PROBE: unique symbol = Symbol('policyc.probe');
/** What a record is typed as for the {@link PROBE} read. */
export type Probed = { readonly [PROBE]?: unknown };

/** A generated per-kind entry: the whole check of one kind's records, arguments as the application passes them. */
export type KindEntry = (principal: Principal, action: string, record: object, context?: Context) => Decision;

/**
 * Whether the plain reads an entry made of `o` are what the own-data rule reads: `o`'s prototype
 * is `Object.prototype` or `null`. Called right after a plain read of `o`, so that V8 knows `o`'s
 * map and answers from it without calling `Object.getPrototypeOf` (a call that, made cold, costs
 * more than the rest of a check).
 */
export function isPlain(o: object): boolean {
  const proto: unknown = Object.getPrototypeOf(o);
  return proto === Object.prototype || proto === null;
}

/**
 * `checker.kinds`: each kind's entry as a frozen `{ can }`, by kind, in a null-prototype object (a
 * kind named `__proto__` is just a key).
 */
export function kindTable(kinds: readonly (readonly [string, KindEntry])[]): Readonly<Record<string, KindChecker>> {
  const byKind = Object.create(null) as Record<string, KindChecker>;
  for (const [name, entry] of kinds) Object.defineProperty(byKind, name, { value: Object.freeze({ can: entry }), enumerable: true });
  return Object.freeze(byKind);
}

/**
 * The checker whose `can` and per-kind entries are the generated ones, its `plan` and the rest
 * those of `base` (whose `can` and entries the generated ones call for uncommon requests).
 */
/* @__NO_SIDE_EFFECTS__ */
export function withEntries(base: CoreChecker, can: Can, kinds: readonly (readonly [string, KindEntry])[]): CoreChecker {
  const entries: Record<string, unknown> = { ...base, can };
  const byKind = kindTable(kinds);
  for (const [name] of kinds) {
    // `checker.lead` where `base` has it (not for a kind named like a member of the checker)
    const kept = (base.kinds as Readonly<Record<string, KindChecker>>)[name];
    if (Object.hasOwn(base, name) && (base as unknown as Record<string, unknown>)[name] === kept) Object.defineProperty(entries, name, { value: byKind[name], enumerable: true });
  }
  entries['kinds'] = byKind;
  return Object.freeze(entries) as unknown as CoreChecker;
}
