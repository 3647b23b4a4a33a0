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

/**
 * `Object.prototype` indexed by any key. Generated code (compiler/emit/reach.ts `ownRead`) no
 * longer compares values with it: it reads `key in Object.prototype ? own(o, key) : o[key]`, which
 * for an {@link ordinary} object is `own(o, key)` — when `Object.prototype` lacks the key, nothing
 * but the object and its classes can supply it — and which V8 folds to one load while the
 * prototype is clean. Kept for applications that typed their own fast reads with it.
 */
export type ObjectPrototype = Readonly<Record<string, unknown>>;

/**
 * `o` itself when no built-in prototype but `Object.prototype` is on its chain (plain objects,
 * class instances, `Object.create(null)`…), which the fast path of reads needs; else a
 * null-prototype copy of what the own-data rule lets a check read of it (its own and own-class
 * properties). Only an unusual request (an array or a `Date` as a record) pays for the copy.
 */
export function ordinary<T extends object>(o: T): T {
  // small, so that V8 inlines it into every check: the copy is the rare case
  const proto: unknown = Object.getPrototypeOf(o);
  return proto === Object.prototype || proto === null ? o : copyUnlessOrdinary(o, proto);
}

function copyUnlessOrdinary<T extends object>(o: T, from: unknown): T {
  // a class instance (its chain reaches Object.prototype or null past no other built-in) is ordinary
  const classes: object[] = [];
  for (let proto = from; classes.length < MAX_CLASS_DEPTH; proto = Object.getPrototypeOf(proto)) {
    if (proto === null || proto === Object.prototype) return o;
    if (BUILT_IN_PROTOTYPES.has(proto)) break;
    classes.push(proto as object);
  }
  const keys = new Set<string>(Object.getOwnPropertyNames(o));
  for (const proto of classes) for (const key of Object.getOwnPropertyNames(proto)) if (key !== 'constructor') keys.add(key);
  const copy = Object.create(null) as Record<string, unknown>;
  for (const key of keys) Object.defineProperty(copy, key, { value: own(o, key), enumerable: true });
  return copy as T;
}

/** Whether `v` is an object (not `null`, not a function): the only thing whose properties a check reads. */
export function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

/**
 * Lists longer than this are searched by their own keys rather than by index, so a sparse array
 * of length 2^32 - 1 costs its few elements, not four billion steps.
 */
const DENSE = 1 << 16;

/**
 * Whether `list` holds `value` at an index it owns. A hole never matches, whatever
 * `Array.prototype` holds at that index (`[, 'x'].includes(v)` reads the prototype).
 */
export function listIncludes(list: readonly unknown[], value: unknown): boolean {
  const n = list.length;
  if (n <= DENSE) {
    // the own test only on a match: the common miss costs a comparison
    for (let i = 0; i < n; i++) if (list[i] === value && Object.hasOwn(list, i)) return true;
    return false;
  }
  for (const i of sparseIndexes(list)) if (list[i] === value) return true;
  return false;
}

/** Whether `test` holds for an element `list` owns (holes skipped). */
export function someElement(list: readonly unknown[], test: (element: unknown) => boolean): boolean {
  const n = list.length;
  if (n <= DENSE) {
    for (let i = 0; i < n; i++) if (Object.hasOwn(list, i) && test(list[i])) return true;
    return false;
  }
  for (const i of sparseIndexes(list)) if (test(list[i])) return true;
  return false;
}

/** The elements `list` owns, in order (holes skipped). */
export function ownElements(list: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  const n = list.length;
  if (n <= DENSE) {
    for (let i = 0; i < n; i++) if (Object.hasOwn(list, i)) out.push(list[i]);
  } else {
    for (const i of sparseIndexes(list)) out.push(list[i]);
  }
  return out;
}

/** The own array indexes of a long list, from its own keys (canonical indexes below its length). */
function sparseIndexes(list: readonly unknown[]): number[] {
  const n = list.length;
  const out: number[] = [];
  for (const key of Object.keys(list)) {
    const i = Number(key);
    if (Number.isInteger(i) && i >= 0 && i < n && String(i) === key) out.push(i);
  }
  return out;
}
