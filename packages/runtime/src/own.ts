/**
 * The one rule by which the runtime reads request data — principals, records, contexts and the
 * values inside them (docs/policy-language.md, "Own data only"):
 *
 * a property counts when it is the object's own, or comes from the object's own class (a
 * prototype that is not one of JavaScript's built-in prototypes, so getters of a class instance
 * keep working). Nothing from `Object.prototype`, `Array.prototype` or another built-in prototype
 * ever counts, so polluting them (the prototype-pollution gadget of merge and clone libraries)
 * never changes a decision.
 *
 * A Proxy's traps and a getter may throw: callers read inside the checker's `try`, where a throw
 * is a denial with code `error`.
 */

const BUILT_IN_PROTOTYPES: ReadonlySet<unknown> = new Set<unknown>([
  Object.prototype,
  Array.prototype,
  Function.prototype,
  String.prototype,
  Number.prototype,
  Boolean.prototype,
  Symbol.prototype,
  BigInt.prototype,
  Date.prototype,
  RegExp.prototype,
  Error.prototype,
  Map.prototype,
  Set.prototype,
  WeakMap.prototype,
  WeakSet.prototype,
  Promise.prototype,
  ArrayBuffer.prototype,
  Object.getPrototypeOf(Uint8Array.prototype),
  Uint8Array.prototype,
]);

/** How many class prototypes above an object are searched; deeper chains (or a looping Proxy) count as absent. */
const MAX_CLASS_DEPTH = 16;

/** The value of `key` on `o` when `o` owns it or its class defines it, else `undefined`. */
export function own(o: object, key: string): unknown {
  return Object.hasOwn(o, key) || fromClass(o, key) ? (o as Record<string, unknown>)[key] : undefined;
}

/** Whether `key` is `o`'s own property or comes from its class (its value may still be `undefined`). */
export function hasOwnOrClass(o: object, key: string): boolean {
  return Object.hasOwn(o, key) || fromClass(o, key);
}

function fromClass(o: object, key: string): boolean {
  let proto: unknown = Object.getPrototypeOf(o);
  for (let depth = 0; depth < MAX_CLASS_DEPTH && proto !== null && !BUILT_IN_PROTOTYPES.has(proto); depth++) {
    if (Object.hasOwn(proto as object, key)) return true;
    proto = Object.getPrototypeOf(proto);
  }
  return false;
}
