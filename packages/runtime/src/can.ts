/**
 * `can`: the generated dispatch wrapped so that it never throws and never reads request data a
 * polluted prototype could supply. What an application that imports a checker's `can` alone
 * loads from the runtime is this file, policy.ts, reasons.ts, own.ts and failure.ts.
 *
 * No dependencies; imports nothing from the compiler.
 */
import { EXHAUSTED, failure } from './failure.js';
import { isObject, ordinary, own } from './own.js';
import { denial } from './policy.js';
import type { CheckFunction, Checker, Context, Decision, PolicySchema, Principal, Resource } from './types.js';

export const INVALID_PRINCIPAL = denial('invalid-request', 'denied: the principal must be an object with a string `id` and a string `role`');
export const INVALID_RESOURCE = denial('invalid-request', 'denied: the resource must be an object with a string `kind`');
export const INVALID_CONTEXT = denial('invalid-request', 'denied: the context must be an object');
/** The context of a request made without one. */
export const NO_CONTEXT: Context = Object.freeze({});

/** A checker's `can`, typed by the policy's schema (and the application's principal) as `checker.can` is. */
export type Can<S extends PolicySchema = PolicySchema, P = Principal> = Checker<S, P>['can'];

/**
 * Wraps the generated dispatch into a fail-closed `can`: the request is validated and read inside
 * its `try`, and anything thrown (a getter, a Proxy trap) becomes an `error` denial.
 *
 * The principal and the record are read as {@link ordinary} objects: as they are when no built-in
 * prototype but `Object.prototype` is on their chain (plain objects, class instances), else a copy of
 * what the own-data rule lets a check read. `valid` tests the principal's id and role:
 * {@link validator}`(id, role)` when the policy names other fields for them (`principal: { id: userId }`),
 * so that `can` alone carries no such code otherwise.
 *
 * A failure is described by {@link failure}; at the very edge of the call stack, where that call
 * overflows it again, the denial is {@link EXHAUSTED}: `can` never throws once it has started.
 */
/* @__NO_SIDE_EFFECTS__ */
export function defineCan<S extends PolicySchema = PolicySchema, P = Principal>(check: CheckFunction, valid: (p: object) => boolean = hasIdAndRole): Can<S, P> {
  return function can(principal: Principal, action: string, resource: Resource, context?: Context): Decision {
    // everything inside the `try`: validating reads the request, and a getter or a Proxy trap may throw
    try {
      if (!isObject(principal)) return INVALID_PRINCIPAL;
      const p = ordinary(principal);
      if (!valid(p)) return INVALID_PRINCIPAL;
      if (!isObject(resource)) return INVALID_RESOURCE;
      const r = ordinary(resource);
      const kind = 'kind' in Object.prototype ? own(r, 'kind') : r.kind;
      if (typeof kind !== 'string') return INVALID_RESOURCE;
      if (context !== undefined && !isObject(context)) return INVALID_CONTEXT;
      return check(p, action, r, context ?? NO_CONTEXT);
    } catch (error) {
      try {
        return failure(error);
      } catch {
        return EXHAUSTED;
      }
    }
  } as Can<S, P>;
}

/** Whether an {@link ordinary} principal has its own string id and role, in the fields `id` and `role`. */
export function validator(id: string, role: string): (p: object) => boolean {
  return id === 'id' && role === 'role' ? hasIdAndRole : (p) => typeof own(p, id) === 'string' && typeof own(p, role) === 'string';
}

/**
 * Whether an {@link ordinary} principal has its own (or own-class) string `id` and `role`.
 * Generated code then reads `p.id` and `p.role` directly: they are the object's, never a
 * polluted prototype's.
 */
export function hasIdAndRole(p: object): boolean {
  // the read of generated code (compiler/emit/reach.ts `ownRead`): `own` only when Object.prototype has the key
  return typeof ('id' in Object.prototype ? own(p, 'id') : (p as Principal).id) === 'string' && typeof ('role' in Object.prototype ? own(p, 'role') : (p as Principal).role) === 'string';
}
