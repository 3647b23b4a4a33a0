/**
 * Principals with several roles (`roles: [admin, evil_genius]`). Generated checkers decide for
 * one `role`; a principal with several is decided as a one-role principal for each role, and
 * is allowed when any role allows it — the decision names the role that did (`rule.role`).
 * The query plan is the union of the roles' plans. Kept in one place so the generated checker
 * can absorb the rule later without its callers changing.
 *
 * No dependencies; imports nothing from the compiler.
 */
import { EXHAUSTED, failure } from './failure.js';
import { own, ownElements } from './own.js';
import { EXHAUSTED_PLAN, or, planOf, rechecks } from './plan.js';
import type { QueryPlan } from './plan.js';
import type { Checker, Context, Decision, Principal, Resource } from './types.js';

import type { CoreChecker, KindChecker } from './types.js';

type Can = Pick<Checker, 'can'>;
type Plan = Pick<Checker, 'plan'>;

const denial = (reason: string, code: 'invalid-request' | 'error'): Decision =>
  Object.freeze({ allow: false, code, reason: `denied: ${reason}`, rule: undefined });
const BAD_ROLES = denial('the principal has `roles` that is not a list of 1 to 64 role names', 'invalid-request');
const NEVER: QueryPlan = Object.freeze({ ...planOf({ op: 'false' }, BAD_ROLES.reason), code: 'invalid-request' as const });

/** More roles than any user holds: a longer list is a malformed request, not thousands of checks. */
const MAX_ROLES = 64;

/** One-role views of each principal, made once per principal object (directory principals live long). */
const views = new WeakMap<object, readonly Principal[]>();

/**
 * The principal once per role, each with that `role` and no `roles` (the rest read through to the
 * original, so class getters keep working); `undefined` when `roles` is absent (decide the
 * principal itself), `null` when `roles` is present but not a non-empty list of strings.
 */
export function rolePrincipals(principal: Principal, key = 'role'): readonly Principal[] | undefined | null {
  const cached = key === 'role' ? views.get(principal) : undefined;
  if (cached !== undefined) return cached;
  const roles = own(principal, 'roles');
  if (roles === undefined) return undefined;
  if (!Array.isArray(roles) || roles.length === 0 || roles.length > MAX_ROLES || !ownElements(roles).every((r) => typeof r === 'string') || ownElements(roles).length !== roles.length) return null;
  const made = Object.freeze(
    // a view hides `roles`, so that a checker deciding it (which accepts `roles` too) decides one role
    (ownElements(roles) as string[]).map((role) => Object.create(principal, { [key]: { value: role, enumerable: true }, roles: { value: undefined, enumerable: false } }) as Principal),
  );
  if (Object.isFrozen(principal) && key === 'role') views.set(principal, made);
  return made;
}

/**
 * `checker.can` for a principal with one `role` or several `roles`: the first allowing role's
 * decision, else the first role's denial. Never throws: not even at the edge of the call stack,
 * where a call to `checker.can` may overflow it before its own `try`.
 */
export function canAny(checker: Can, principal: Principal, action: string, resource: Resource, context?: Context, key = 'role'): Decision {
  try {
    const each = typeof principal === 'object' && principal !== null ? rolePrincipals(principal, key) : undefined;
    if (each === undefined) return checker.can(principal, action, resource as never, context);
    if (each === null) return BAD_ROLES;
    let first: Decision | undefined;
    for (const one of each) {
      const decision = checker.can(one, action, resource as never, context);
      if (decision.allow) return decision;
      first ??= decision;
    }
    return first!;
  } catch (error) {
    try {
      return failure(error);
    } catch {
      return EXHAUSTED;
    }
  }
}

/**
 * `checker.plan` for a principal with one `role` or several `roles`: the union of the roles'
 * plans (`always` when one is; to recheck when one is). Never throws.
 */
export function planAny(checker: Plan, principal: Principal, action: string, kind: string, context?: Context, key = 'role'): QueryPlan {
  try {
    const each = typeof principal === 'object' && principal !== null ? rolePrincipals(principal, key) : undefined;
    if (each === undefined) return checker.plan(principal, action as never, kind as never, context);
    if (each === null) return NEVER;
    const plans = each.map((one) => checker.plan(one, action as never, kind as never, context));
    const always = plans.find((p) => p.result === 'always');
    if (always !== undefined) return always;
    const reached = plans.filter((p) => p.result === 'filter');
    if (reached.length === 0) return plans[0] ?? NEVER;
    if (reached.length === 1) return reached[0]!;
    const recheck = reached.some(rechecks);
    return planOf(or(...reached.map((p) => p.filter)), reached.map((p) => p.reason).join('; '), recheck);
  } catch (error) {
    try {
      const failed = failure(error);
      return Object.freeze({ ...planOf({ op: 'false' }, failed.reason), code: failed.code as 'error' });
    } catch {
      return EXHAUSTED_PLAN;
    }
  }
}

/**
 * Whether a principal surely has no `roles` (the common case, decided without {@link canAny}): a
 * plain read that finds nothing, own or inherited. A value found, even a polluted prototype's, or
 * a read that throws goes to `canAny`, which reads by the own-data rule and never throws.
 */
function oneRole(principal: unknown): boolean {
  try {
    return typeof principal === 'object' && principal !== null && (principal as { roles?: unknown }).roles === undefined;
  } catch {
    return false;
  }
}

/**
 * A generated checker's `can` and `plan` for principals with several `roles` too (the module
 * wraps its checker once): one mechanism for the checker, `policyc serve` and applications.
 */
/* @__NO_SIDE_EFFECTS__ */
export function withRoles(base: CoreChecker, key = 'role'): CoreChecker {
  const wrapped: Record<string, unknown> = {
    ...base,
    can: (principal: Principal, action: string, resource: Resource, context?: Context): Decision => {
      // `base.can` and `canAny` never throw once started: what reaches the `catch` is the call stack overflowing
      try {
        return oneRole(principal) ? base.can(principal, action, resource, context) : canAny(base, principal, action, resource, context, key);
      } catch {
        return EXHAUSTED;
      }
    },
    plan: (principal: Principal, action: string, kind: string, context?: Context): QueryPlan => planAny(base, principal, action, kind, context, key),
  };
  // the entries of one kind (`checker.lead.can`) decide several roles the same way
  const kinds = (base as { readonly kinds?: Readonly<Record<string, KindChecker>> }).kinds;
  if (kinds !== undefined) {
    const byKind = Object.create(null) as Record<string, KindChecker>;
    for (const name of Object.keys(kinds)) {
      const entry = kinds[name]!;
      const each: KindChecker = Object.freeze({
        can: (principal: Principal, action: string, record: object, context?: Context): Decision => {
          try {
            return oneRole(principal) ? entry.can(principal, action, record, context) : canAny(entry as never, principal, action, record as Resource, context, key);
          } catch {
            return EXHAUSTED;
          }
        },
      });
      Object.defineProperty(byKind, name, { value: each, enumerable: true });
      if (Object.hasOwn(base, name) && (base as unknown as Record<string, unknown>)[name] === entry) Object.defineProperty(wrapped, name, { value: each, enumerable: true });
    }
    wrapped.kinds = Object.freeze(byKind);
  }
  return Object.freeze(wrapped) as unknown as CoreChecker;
}
