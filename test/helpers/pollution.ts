/**
 * Prototype pollution for the tests (test/pollution.test.ts): which names to pollute, derived
 * from the policy model and from what a checker actually reads, and a way to pollute a built-in
 * prototype for the duration of a call.
 */
import type { PolicyModel } from '../../compiler/index.ts';

/** The keys the runtime's `Principal` type names (packages/runtime/src/types.ts); conditions may read declared ones too, which the recorder finds. */
const PRINCIPAL_KEYS = ['id', 'role', 'groups', 'organisation', 'technical', 'shift', 'reports'] as const;

/** Every attribute name the policy model says a check may read: declared attributes and the ones resources name for owner, team, stage…, plus `kind`. */
export function keysOfModel(model: PolicyModel): Set<string> {
  const keys = new Set<string>(['kind', 'now', ...PRINCIPAL_KEYS]);
  for (const r of model.resources) {
    for (const a of r.attributes) keys.add(a.name);
    for (const k of [r.owner, r.team, r.ownerRole, r.organisation, r.stage, r.pipeline, r.subscribers?.attribute, r.parent?.attribute]) if (k !== undefined) keys.add(k);
  }
  return keys;
}

/**
 * Wraps plain objects and arrays (deeply) in Proxies that record every property key a reader
 * asks for — by `get`, `has` or an own-property test — and otherwise behave as the objects
 * themselves. Dates, Maps and Sets are left as they are (their methods need the real object).
 */
export function recorder(): { wrap: <T>(value: T) => T; keys: Set<string> } {
  const keys = new Set<string>();
  const note = (key: string | symbol): void => {
    if (typeof key === 'string') keys.add(key);
  };
  const wrap = <T>(value: T): T => {
    if (typeof value !== 'object' || value === null) return value;
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return value;
    const copy = (Array.isArray(value) ? new Array<unknown>(value.length) : {}) as Record<string, unknown>;
    for (const key of Object.keys(value)) copy[key] = wrap((value as Record<string, unknown>)[key]);
    return new Proxy(copy, {
      get(target, key, receiver) {
        note(key);
        return Reflect.get(target, key, receiver);
      },
      has(target, key) {
        note(key);
        return Reflect.has(target, key);
      },
      getOwnPropertyDescriptor(target, key) {
        note(key);
        return Reflect.getOwnPropertyDescriptor(target, key);
      },
    }) as T;
  };
  return { wrap, keys };
}

/** A deep copy in which every array has a hole at index 0 (`[, ...list]`), for polluting `Array.prototype[0]`. */
export function withHoles<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return [, ...value.map(withHoles)] as T;
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withHoles(v)])) as T;
}

/** Every string found in these values, deeply (ids, roles, groups, attribute values of the tables). */
export function stringsIn(values: readonly unknown[]): Set<string> {
  const found = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') found.add(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) Object.values(v).forEach(walk);
  };
  values.forEach(walk);
  return found;
}

/**
 * Runs `body` with `target[key]` set to `value` as assignment would set it (enumerable), then
 * removes it. Keys the prototype already has (`toString`, `length`…) are not pollution but
 * replacing the language's own methods, and are refused.
 */
export function polluted<T>(target: object, key: string, value: unknown, body: () => T): T {
  if (Object.hasOwn(target, key)) throw new Error(`refusing to replace the built-in \`${key}\``);
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  try {
    return body();
  } finally {
    delete (target as Record<string, unknown>)[key];
  }
}
