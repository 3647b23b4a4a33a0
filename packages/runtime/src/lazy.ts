/**
 * What a generated module exports but the first decision does not need — the runtime's checker
 * behind `plan`, field security, the role-management guards — built on first use rather than at
 * import (issue 17: import and first decision within 5 ms). Importing a checker then runs only
 * what its first `can` needs; the exported objects keep their members, frozen as before.
 *
 * A lean `checker.js` / `checker.cjs` (what `policyc build` writes) goes one step further: it does
 * not carry that code at all, and loads the whole module beside it (`checker.full.cjs`) on the
 * first call that needs it, synchronously ({@link wholeModule}; the loading itself is generated
 * code: this package loads nothing). Its decisions are its own.
 * Whatever goes wrong in building or loading, the call fails closed: a denial, a plan that
 * matches nothing, a mask that shows nothing.
 *
 * Not imported by `can.ts`: the `can` export, bundled alone, does not carry it.
 * No dependencies; imports nothing from the compiler.
 */
import type { Can } from './can.js';
import { CHECKER_MEMBERS, refusedPlan } from './core.js';
import { kindTable, type KindEntry } from './entries.js';
import { EXHAUSTED, failure } from './failure.js';
import { EXHAUSTED_PLAN } from './plan.js';
import { explain } from './reasons.js';
import type { Context, CoreChecker, Decision, Policy, Principal, Resource } from './types.js';

type Method = (...args: never[]) => unknown;

/**
 * A frozen object with `values` as they are and, for each of `methods` (guards, which answer a
 * decision), a function calling that method of `build()`, which runs once, on the first such
 * call. A `build()` that throws — a lean module whose whole module cannot be loaded — makes the
 * call a denial with code `error`, and the next call tries again.
 */
/* @__NO_SIDE_EFFECTS__ */
export function onFirstUse<T extends object>(build: () => T, methods: readonly (keyof T & string)[], values: Partial<T> = {}): T {
  let built: T | undefined;
  const out: Record<string, unknown> = { ...values };
  for (const name of methods) {
    out[name] = (...args: unknown[]): unknown => {
      try {
        built ??= build();
      } catch (error) {
        return Object.freeze({ ...refusal(error), effects: Object.freeze([]) });
      }
      return (built[name] as unknown as (...a: unknown[]) => unknown)(...args);
    };
  }
  return Object.freeze(out) as T;
}

/** The denial of a call whose module could not be built or loaded; never throws. */
function refusal(error: unknown): Decision {
  try {
    return failure(error);
  } catch {
    return EXHAUSTED;
  }
}

/**
 * What a generated entry hands the requests it leaves to the runtime's checker: `can` and each
 * kind's `can` of `build()`, which runs on the first such request. Not `build()`'s functions
 * themselves, so that importing a checker builds nothing its first common request does not need.
 * A `build()` that throws (a lean module whose whole module cannot be loaded) denies the request
 * with code `error`.
 */
/* @__NO_SIDE_EFFECTS__ */
export function lazyEntries(build: () => CoreChecker, kinds: readonly string[]): Pick<CoreChecker, 'can' | 'kinds'> {
  // the checker passed to `ask`, or the denial of a `build()` that threw: never a test of what
  // `build()` returned (such as `'allow' in`), which a polluted `Object.prototype` could answer
  const withBuilt = (ask: (checker: CoreChecker) => Decision): Decision => {
    let checker: CoreChecker;
    try {
      checker = build();
    } catch (error) {
      return refusal(error);
    }
    return ask(checker);
  };
  return Object.freeze({
    can: (principal: Principal, action: string, resource: Resource, context?: Context): Decision => withBuilt((checker) => checker.can(principal, action, resource, context)),
    kinds: kindTable(kinds.map((name) => [name, (principal: Principal, action: string, record: object, context?: Context): Decision => withBuilt((checker) => checker.kinds[name]!.can(principal, action, record as Resource, context))] as const)),
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
  /** A lean module's policy, to give its decisions the full text of reasons (reasons.ts). */
  readonly policy?: Policy;
}

/** What `checker`'s members built on first use answer when building fails: nothing allowed, nothing shown. */
const FAILED: Readonly<Record<string, (error: unknown) => unknown>> = {
  plan: (error) => {
    try {
      return refusedPlan(refusal(error));
    } catch {
      return EXHAUSTED_PLAN;
    }
  },
  fields: () => NOTHING_SHOWN,
  redact: () => ({}),
  canWrite: refusal,
};
const NOTHING_SHOWN = Object.freeze(Object.create(null) as object);

/**
 * The generated `checker`: `can` and the per-kind entries are the generated functions, at hand;
 * `plan`, `fields`, `redact` and `canWrite` are those of `build()` — the runtime's checker with
 * field security (`withEntries` over `withRoles` over `planner.checker`), or in a lean module the
 * whole module's `checker` — made on the first call of one of them; if `build()` throws, that call
 * fails closed and the next one tries again. The same members in the same order as the checker
 * `build()` returns. A lean module passes its `policy`, whose decisions then give the full text of
 * reasons, as the whole module's do once its planner is defined.
 */
/* @__NO_SIDE_EFFECTS__ */
export function lazyChecker<S>(atHand: CheckerAtHand, build: () => S): S {
  // its own `policy` only: the whole module passes none, and a polluted prototype's is not one
  if (Object.hasOwn(atHand, 'policy')) atHand.policy?.explainWith(explain);
  let built: Record<string, Method> | undefined;
  const forward =
    (name: string) =>
    (...args: never[]): unknown => {
      try {
        built ??= build() as unknown as Record<string, Method>;
      } catch (error) {
        return FAILED[name]!(error);
      }
      return built[name]!(...args);
    };
  const out: Record<string, unknown> = { formatVersion: atHand.formatVersion, policyName: atHand.policyName, policyHash: atHand.policyHash, can: atHand.can, plan: forward('plan') };
  const byKind = kindTable(atHand.kinds);
  for (const [name] of atHand.kinds) {
    // `checker.lead` too, unless the kind is named like a member of the checker (core.ts)
    if (!CHECKER_MEMBERS.includes(name)) Object.defineProperty(out, name, { value: byKind[name], enumerable: true });
  }
  out['kinds'] = byKind;
  for (const name of ['fields', 'redact', 'canWrite']) out[name] = forward(name);
  // a fresh literal, as `defineFields` returns: the members added one by one above may have left
  // `out` a dictionary, where every `checker.can` would be a slower lookup
  return Object.freeze({ ...out }) as S;
}

/**
 * The whole module a lean one loads (`load`, from Node's cache of modules or `fresh` from its
 * file), when it is the policy whose sha256 is `hash`. Node keeps a module it has loaded for the
 * life of the process: an application that imports a new `checker.js` after a deploy (hot reload,
 * docs/application.md) would be handed the `checker.full.cjs` of the earlier policy, so a module
 * of another policy is read from its file again, and refused (with an error naming both hashes)
 * if that is still another policy: the files of one build go together.
 */
export function wholeModule(load: (fresh: boolean) => unknown, hash: string): unknown {
  const hashOf = (module: unknown): unknown => (module as { checker?: { policyHash?: unknown } } | undefined)?.checker?.policyHash;
  const cached = load(false);
  if (hashOf(cached) === hash) return cached;
  const read = load(true);
  const found = hashOf(read);
  if (found === hash) return read;
  throw new Error(`checker.full.cjs is not the policy of this module (policy hash ${typeof found === 'string' ? found.slice(0, 12) : 'missing'}…, not ${hash.slice(0, 12)}…): deploy the files of one \`policyc build\` together`);
}
