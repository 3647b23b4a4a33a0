/**
 * Hostile requests for the total-function properties (test/total-functions.test.ts) and the fuzz
 * run (scripts/fuzz.mjs): principals, records and contexts that are `null`, primitives, Proxies
 * whose traps throw, objects with throwing getters, cycles, huge or sparse lists, class
 * instances and objects with a non-built-in prototype — mixed with well-formed values in the
 * policy's own words, so that checks get deep enough to read the hostile parts.
 *
 * The arbitraries produce *recipes* (plain data with {@link Recipe} nodes), turned into the
 * hostile objects by {@link realize} inside the property: fast-check itself inspects the values
 * it generates, and a throwing Proxy would throw in fast-check rather than in the checker.
 *
 * No vitest here: the fuzz script bundles this file and runs it under plain Node.
 */
import fc from 'fast-check';

/** The words of one policy set that make requests reach its rules. */
export interface Vocabulary {
  readonly roles: readonly string[];
  /** The policy's profiles (issue 16), when it declares any. */
  readonly profiles?: readonly string[];
  readonly kinds: readonly string[];
  readonly actions: readonly string[];
  /** Ids, groups, attribute values… (strings a rule may compare with). */
  readonly strings: readonly string[];
  /** Record attribute names (owner, team, stage, parent…). */
  readonly attributes: readonly string[];
}

/** What a hostile getter or trap throws. */
export class HostileError extends Error {
  override readonly name = 'HostileError';
}

const fail = (): never => {
  throw new HostileError('hostile trap');
};

/** A Proxy every trap of which throws (reading, `in`, own-property tests, prototype, keys). */
export function throwingProxy(target: object = {}): object {
  return new Proxy(target, { get: fail, has: fail, getOwnPropertyDescriptor: fail, getPrototypeOf: fail, ownKeys: fail, defineProperty: fail, set: fail });
}

/** A revoked Proxy: every operation on it throws a `TypeError`. */
export function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** Throws a value that is itself hostile: a Proxy whose `name`, `message` and prototype throw. */
function throwHostile(): never {
  throw throwingProxy();
}

/** A list of 2^32 − 1 slots holding one element: a length loop would take minutes. */
function hugeSparse(element: unknown): unknown[] {
  const list: unknown[] = [];
  list.length = 2 ** 32 - 1;
  list[7] = element;
  return list;
}

/** One dense list of 200,000 strings, shared (frozen, so no check can change it). */
const BIG = Object.freeze(Array.from({ length: 200_000 }, (_, i) => `x${i}`));

/** A class whose instances expose their fields through getters of the class (they count: own class). */
class Record_ {
  readonly #data: Record<string, unknown>;
  constructor(data: Record<string, unknown>) {
    this.#data = data;
    for (const key of Object.keys(data)) {
      if (!Object.hasOwn(Record_.prototype, key)) Object.defineProperty(Record_.prototype, key, { get(this: Record_) { return this.#data[key]; }, configurable: true });
    }
  }
}

/** The ways an object can be given: the shape is applied to well-formed data. */
export type Shape = 'plain' | 'null-prototype' | 'class' | 'inherited' | 'frozen' | 'cyclic' | 'throwing-getter' | 'throwing-proxy' | 'revoked' | 'hostile-throw';
/** Plain objects about half the time, so that requests reach deep rules before meeting a hostile part. */
const SHAPES: readonly Shape[] = [...Array<Shape>(10).fill('plain'), 'null-prototype', 'class', 'inherited', 'frozen', 'cyclic', 'throwing-getter', 'throwing-proxy', 'revoked', 'hostile-throw'];

/** `data` given as `shape`; `key` names the property a throwing getter sits on. */
export function shaped(data: Record<string, unknown>, shape: Shape, key: string): unknown {
  switch (shape) {
    case 'plain':
      return data;
    case 'null-prototype':
      return Object.assign(Object.create(null) as object, data);
    case 'class':
      return new Record_(data);
    case 'inherited':
      // a prototype that is not a built-in one is the object's "own class": its values count
      return Object.create(data) as object;
    case 'frozen':
      return Object.freeze({ ...data });
    case 'cyclic': {
      const o: Record<string, unknown> = { ...data };
      o.self = o;
      o.list = [o, o];
      return o;
    }
    case 'throwing-getter':
      return Object.defineProperty({ ...data }, key, { get: fail, enumerable: true });
    case 'throwing-proxy':
      return throwingProxy({ ...data });
    case 'revoked':
      return revokedProxy();
    case 'hostile-throw':
      return Object.defineProperty({ ...data }, key, { get: throwHostile, enumerable: true });
  }
}

/** A hostile value to be made by {@link realize}. */
export class Recipe {
  constructor(
    readonly make: 'object' | 'sparse' | 'big' | 'array-like' | 'throwing-list' | 'set' | 'holey',
    readonly data: unknown,
    readonly shape: Shape = 'plain',
    readonly key = '',
  ) {}
}

/** The value a recipe describes (fresh objects on each call); anything else is copied as it is. */
export function realize(value: unknown): unknown {
  if (value instanceof Recipe) {
    const data = realize(value.data);
    switch (value.make) {
      case 'object':
        return shaped(data as Record<string, unknown>, value.shape, value.key);
      case 'sparse':
        return hugeSparse(data);
      case 'big':
        return BIG;
      case 'array-like':
        return { length: 1e9, 0: data };
      case 'throwing-list':
        return throwingProxy(data as unknown[]);
      case 'set':
        return new Set(data as unknown[]);
      case 'holey':
        return [, ...(data as unknown[])];
    }
  }
  if (Array.isArray(value)) return value.map(realize);
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, realize(v)]));
  }
  return value;
}

/** Values that are not what any rule expects. */
const oddValue: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(null, undefined, 0, -0, NaN, Infinity, -1, 1e308, true, false, '', '__proto__', 'constructor', 10n, Symbol.for('policyc'), () => 'admin', new Date(NaN), new Map([['role', 'admin']]));

export function valueArb(v: Vocabulary): fc.Arbitrary<unknown> {
  const word = fc.constantFrom(...v.strings, ...v.roles, ...v.kinds);
  const list = fc.oneof(
    fc.array(fc.oneof(word, word, oddValue), { maxLength: 4 }),
    fc.array(word, { maxLength: 3 }).map((l) => new Recipe('holey', l)),
    word.map((w) => new Recipe('sparse', w)),
    fc.constant(new Recipe('big', null)),
    word.map((w) => new Recipe('array-like', w)),
    fc.array(word, { maxLength: 3 }).map((l) => new Recipe('throwing-list', l)),
    fc.array(word, { maxLength: 3 }).map((l) => new Recipe('set', l)),
  );
  return fc.oneof({ weight: 12, arbitrary: word }, { weight: 3, arbitrary: list }, { weight: 2, arbitrary: oddValue });
}

/** An object with some of `keys` (well-formed values mostly), given in a random shape. */
function objectArb(keys: readonly string[], value: (key: string) => fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const entries = fc.tuple(...keys.map((k) => fc.option(value(k), { freq: 4, nil: undefined }).map((x) => [k, x] as const)));
  return fc
    .record({ entries, shape: fc.constantFrom(...SHAPES), key: fc.constantFrom(...keys) })
    .map(({ entries, shape, key }) => new Recipe('object', Object.fromEntries(entries.filter(([, x]) => x !== undefined)), shape, key));
}

const BASE_KEYS = ['id', 'role', 'groups', 'organisation', 'reports', 'shift', 'technical'];

export function principalArb(v: Vocabulary): fc.Arbitrary<unknown> {
  const value = valueArb(v);
  const word = fc.constantFrom(...v.strings);
  const byKey = (k: string): fc.Arbitrary<unknown> =>
    k === 'role' ? fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...v.roles) }, { weight: 1, arbitrary: value })
    : k === 'id' ? fc.oneof({ weight: 5, arbitrary: word }, { weight: 1, arbitrary: value })
    // several roles (issue 16) and a profile of the policy's, or hostile values in their place
    : k === 'roles' ? fc.oneof({ weight: 3, arbitrary: fc.array(fc.constantFrom(...v.roles), { minLength: 1, maxLength: 3 }) }, { weight: 2, arbitrary: value })
    : k === 'profile' ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...(v.profiles ?? []), ...v.roles) }, { weight: 1, arbitrary: value })
    : value;
  // `roles` and `profile` rarely, so that most requests still reach the rules of one role
  const keys = fc.oneof({ weight: 6, arbitrary: fc.constant(BASE_KEYS) }, { weight: 1, arbitrary: fc.constant([...BASE_KEYS, 'roles']) }, { weight: 1, arbitrary: fc.constant([...BASE_KEYS, 'profile']) });
  return fc.oneof({ weight: 12, arbitrary: keys.chain((k) => objectArb(k, byKey)) }, { weight: 1, arbitrary: value });
}

export function resourceArb(v: Vocabulary): fc.Arbitrary<unknown> {
  const value = valueArb(v);
  const kind = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...v.kinds) }, { weight: 1, arbitrary: value });
  const flat = objectArb(['kind', ...v.attributes], (k) => (k === 'kind' ? kind : value));
  // a parent record (R-Z11) is itself a record
  const nested = objectArb(['kind', ...v.attributes], (k) => (k === 'kind' ? kind : fc.oneof({ weight: 4, arbitrary: value }, { weight: 1, arbitrary: flat })));
  return fc.oneof({ weight: 12, arbitrary: nested }, { weight: 1, arbitrary: value });
}

export function contextArb(v: Vocabulary): fc.Arbitrary<unknown> {
  const now = fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2026-12-31T00:00:00Z'), noInvalidDate: true });
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 4, arbitrary: objectArb(['now'], () => fc.oneof({ weight: 4, arbitrary: now }, { weight: 1, arbitrary: valueArb(v) })) },
    { weight: 1, arbitrary: valueArb(v) },
  );
}

export interface HostileRequest {
  readonly principal: unknown;
  readonly action: unknown;
  readonly resource: unknown;
  readonly context: unknown;
}

export function requestArb(v: Vocabulary): fc.Arbitrary<HostileRequest> {
  return fc.record({
    principal: principalArb(v),
    action: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...v.actions) }, { weight: 1, arbitrary: valueArb(v) }),
    resource: resourceArb(v),
    context: contextArb(v),
  });
}
