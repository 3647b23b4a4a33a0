/**
 * The runtime's checker of a generated module: `can` and `plan` put together, wrapped to fail
 * closed, with one entry per resource kind; `definePlanner(…).checker` builds it. Apart from the
 * planner so that what else reads its names (lazy.ts, entries.ts) does not bring plans along:
 * a lean `checker.js` has neither.
 *
 * No dependencies; imports nothing from the compiler.
 */
import { INVALID_CONTEXT, INVALID_PRINCIPAL, INVALID_RESOURCE, NO_CONTEXT, validator, type Can } from './can.js';
import { EXHAUSTED, failure } from './failure.js';
import { isObject, ordinary } from './own.js';
import { EXHAUSTED_PLAN, FALSE, planOf, type QueryPlan } from './plan.js';
import { denial } from './policy.js';
import type { Context, CoreChecker, Decision, KindChecker, KindCheckFunction, PlanFunction, PolicyData, Principal, Resource } from './types.js';

/** The denial of a per-kind entry's record that is not an object. */
export const INVALID_RECORD = /* @__PURE__ */ denial('invalid-request', 'denied: the record must be an object');

/** Names a per-kind entry cannot also have on the checker (`checker.kinds` has every kind). */
export const CHECKER_MEMBERS: readonly string[] = ['can', 'plan', 'fields', 'redact', 'canWrite', 'formatVersion', 'policyName', 'policyHash', 'kinds', '__proto__'];

/** A plan for a request that cannot be planned: `never`, with the denial's code and reason. */
export function refusedPlan(decision: Decision): QueryPlan {
  return Object.freeze({ ...planOf(FALSE, decision.reason), code: decision.code as 'invalid-request' | 'error' });
}

/**
 * The checker of `can` and the generated `plan` dispatch of the policy `data` (whose sha256 is
 * `hash`), wrapped to fail closed, with one entry per kind (`kinds`: each kind's action switch,
 * reading the request as `defineCan` does); field security is added by `defineFields`.
 */
export function coreChecker(data: PolicyData, hash: string, can: Can, plan: PlanFunction, kinds: readonly (readonly [string, KindCheckFunction])[] = []): CoreChecker {
  // where the application's principal keeps its id and role (`principal: { id: userId }`)
  const valid = validator(data.principal?.id ?? 'id', data.principal?.role ?? 'role');
  const core: Record<string, unknown> = {
    formatVersion: data.format,
    policyName: data.name,
    policyHash: hash,
    // the generated module's `can`; the schema types only its callers
    can,
    plan(principal: Principal, action: string, kind: string, context?: Context): QueryPlan {
      try {
        const p = isObject(principal) ? ordinary(principal) : undefined;
        if (p === undefined || !valid(p)) return refusedPlan(INVALID_PRINCIPAL);
        if (typeof kind !== 'string') return refusedPlan(INVALID_RESOURCE);
        if (context !== undefined && !isObject(context)) return refusedPlan(INVALID_CONTEXT);
        return plan(p, action, kind, context ?? NO_CONTEXT);
      } catch (error) {
        // at the edge of the call stack, describing the failure overflows it again
        try {
          return refusedPlan(failure(error));
        } catch {
          return EXHAUSTED_PLAN;
        }
      }
    },
  };
  // one entry per kind (issue 17): the application's own record, no `kind`, nothing copied;
  // read as `can` reads (can.ts): as ordinary objects
  const byKind = Object.create(null) as Record<string, KindChecker>;
  for (const [name, checkKind] of kinds) {
    const entry: KindChecker = Object.freeze({
      can(principal: Principal, action: string, record: object, context?: Context): Decision {
        try {
          if (!isObject(principal)) return INVALID_PRINCIPAL;
          const p = ordinary(principal);
          if (!valid(p)) return INVALID_PRINCIPAL;
          if (!isObject(record)) return INVALID_RECORD;
          if (context !== undefined && !isObject(context)) return INVALID_CONTEXT;
          return checkKind(p, action, ordinary(record) as Resource, context ?? NO_CONTEXT);
        } catch (error) {
          try {
            return failure(error);
          } catch {
            return EXHAUSTED;
          }
        }
      },
    });
    Object.defineProperty(byKind, name, { value: entry, enumerable: true });
    // `checker.lead` too, unless the kind is named like a member of the checker
    if (!CHECKER_MEMBERS.includes(name)) Object.defineProperty(core, name, { value: entry, enumerable: true });
  }
  core['kinds'] = Object.freeze(byKind);
  return Object.freeze(core) as unknown as CoreChecker;
}
