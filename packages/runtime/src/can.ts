/**
 * `can`: the generated dispatch wrapped so that it never throws and never reads request data a
 * polluted prototype could supply. What an application that imports a checker's `can` alone
 * loads from the runtime is this file, policy.ts, reasons.ts, own.ts and failure.ts.
 *
 * No dependencies; imports nothing from the compiler.
 */
import { failure } from './failure.js';
import { isObject, ordinary, own, type ObjectPrototype } from './own.js';
import { denial } from './policy.js';
import type { CheckFunction, Checker, Context, Decision, PolicySchema, Principal, Resource } from './types.js';

export const INVALID_PRINCIPAL = denial('invalid-request', 'denied: the principal must be an object with a string `id` and a string `role`');
export const INVALID_RESOURCE = denial('invalid-request', 'denied: the resource must be an object with a string `kind`');
export const INVALID_CONTEXT = denial('invalid-request', 'denied: the context must be an object');
/** The context of a request made without one. */
export const NO_CONTEXT: Context = Object.freeze({});

/** A checker's `can`, typed by the policy's schema as `checker.can` is. */
export type Can<S extends PolicySchema = PolicySchema> = Checker<S>['can'];

/**
 * Wraps the generated dispatch into a fail-closed `can`: the request is validated and read inside
 * its `try`, and anything thrown (a getter, a Proxy trap) becomes an `error` denial.
 */
/* @__NO_SIDE_EFFECTS__ */
export function defineCan<S extends PolicySchema = PolicySchema>(check: CheckFunction): Can<S> {
  return function can(principal: Principal, action: string, resource: Resource, context?: Context): Decision {
    // everything inside the `try`: validating reads the request, and a getter or a Proxy trap may throw
    try {
      // ordinary objects (a copy for the odd array or Date), so that generated code reads by the
      // fast path. The reads come first: once V8 has seen the object's shape, asking for its
      // prototype costs nothing; a value read from an object that is not ordinary is read again.
      if (!isObject(principal)) return INVALID_PRINCIPAL;
      let p = principal;
      let valid = hasIdAndRole(p);
      if (Object.getPrototypeOf(p) !== Object.prototype) {
        p = ordinary(p);
        valid = hasIdAndRole(p);
      }
      if (!valid) return INVALID_PRINCIPAL;
      if (!isObject(resource)) return INVALID_RESOURCE;
      let r = resource;
      let kind = r.kind !== (Object.prototype as ObjectPrototype).kind || (Object.prototype as ObjectPrototype).kind === undefined ? r.kind : own(r, 'kind');
      if (Object.getPrototypeOf(r) !== Object.prototype) {
        r = ordinary(r);
        kind = own(r, 'kind');
      }
      if (typeof kind !== 'string') return INVALID_RESOURCE;
      if (context !== undefined && !isObject(context)) return INVALID_CONTEXT;
      return check(p, action, r, context ?? NO_CONTEXT);
    } catch (error) {
      return failure(error);
    }
  } as Can<S>;
}

/**
 * Whether an {@link ordinary} principal has its own (or own-class) string `id` and `role`.
 * Generated code then reads `p.id` and `p.role` directly: they are the object's, never a
 * polluted prototype's.
 */
export function hasIdAndRole(p: Principal): boolean {
  return typeof (p.id !== (Object.prototype as ObjectPrototype).id || (Object.prototype as ObjectPrototype).id === undefined ? p.id : own(p, 'id')) === 'string' && typeof (p.role !== (Object.prototype as ObjectPrototype).role || (Object.prototype as ObjectPrototype).role === undefined ? p.role : own(p, 'role')) === 'string';
}
