/**
 * What a generated module exports but the first decision does not need — the runtime's checker
 * behind `plan`, field security, the role-management guards — built on first use rather than at
 * import (issue 17: import and first decision within 5 ms). Importing a checker then runs only
 * what its first `can` needs; the exported objects keep their members, frozen as before.
 *
 * Not imported by `can.ts`: the `can` export, bundled alone, does not carry it.
 * No dependencies; imports nothing from the compiler.
 */
import type { Can } from './can.js';
import { kindTable, type KindEntry } from './entries.js';
import { CHECKER_MEMBERS } from './planner.js';
import type { Context, CoreChecker, Decision, Principal, Resource } from './types.js';

type Method = (...args: never[]) => unknown;

/**
 * A frozen object with `values` as they are and, for each of `methods`, a function calling that
 * method of `build()`, which runs once, on the first such call.
 */
/* @__NO_SIDE_EFFECTS__ */
export function onFirstUse<T extends object>(build: () => T, methods: readonly (keyof T & string)[], values: Partial<T> = {}): T {
  let built: T | undefined;
  const out: Record<string, unknown> = { ...values };
  for (const name of methods) {
    out[name] = (...args: unknown[]): unknown => ((built ??= build())[name] as unknown as (...a: unknown[]) => unknown)(...args);
  }
  return Object.freeze(out) as T;
}

/**
 * What a generated entry hands the requests it leaves to the runtime's checker: `can` and each
 * kind's `can` of `build()`, which runs on the first such request. Not `build()`'s functions
 * themselves, so that importing a checker builds nothing its first common request does not need.
 */
/* @__NO_SIDE_EFFECTS__ */
export function lazyEntries(build: () => CoreChecker, kinds: readonly string[]): Pick<CoreChecker, 'can' | 'kinds'> {
  return Object.freeze({
    can: (principal: Principal, action: string, resource: Resource, context?: Context): Decision => build().can(principal, action, resource, context),
    kinds: kindTable(kinds.map((name) => [name, (principal: Principal, action: string, record: object, context?: Context): Decision => build().kinds[name]!.can(principal, action, record as Resource, context)] as const)),
  }) as Pick<CoreChecker, 'can' | 'kinds'>;
}

/** What `lazyChecker` knows without building: the checker's identity, its generated entries. */
export interface CheckerAtHand {
  readonly formatVersion: number;
  readonly policyName: string;
  readonly policyHash: string;
  /** The generated `checker.can`. */
  readonly can: Can;
  /** The generated per-kind entries, by kind. */
  readonly kinds: readonly (readonly [string, KindEntry])[];
}

/**
 * The generated `checker`: `can` and the per-kind entries are the generated functions, at hand;
 * `plan`, `fields`, `redact` and `canWrite` are those of `build()` (the runtime's checker with
 * field security, `withEntries` over `withRoles` over `planner.checker`), made on the first call
 * of one of them. The same members in the same order as the checker `build()` returns.
 */
/* @__NO_SIDE_EFFECTS__ */
export function lazyChecker<S>(atHand: CheckerAtHand, build: () => S): S {
  let built: Record<string, Method> | undefined;
  const full = (): Record<string, Method> => (built ??= build() as unknown as Record<string, Method>);
  const forward = (name: string) => (...args: never[]): unknown => full()[name]!(...args);
  const out: Record<string, unknown> = { formatVersion: atHand.formatVersion, policyName: atHand.policyName, policyHash: atHand.policyHash, can: atHand.can, plan: forward('plan') };
  const byKind = kindTable(atHand.kinds);
  for (const [name] of atHand.kinds) {
    // `checker.lead` too, unless the kind is named like a member of the checker (planner.ts)
    if (!CHECKER_MEMBERS.includes(name)) Object.defineProperty(out, name, { value: byKind[name], enumerable: true });
  }
  out['kinds'] = byKind;
  for (const name of ['fields', 'redact', 'canWrite']) out[name] = forward(name);
  // a fresh literal, as `defineFields` returns: the members added one by one above may have left
  // `out` a dictionary, where every `checker.can` would be a slower lookup
  return Object.freeze({ ...out }) as S;
}

