/**
 * Issue 17: the fast paths of compiled conditions (compiler/cel/fast.ts) — plain JavaScript
 * comparisons behind guards — give exactly what the generic code gives (the runtime helpers,
 * `fast: false`), on every hostile value a field can hold: a
 * missing field, a wrong runtime type, an inherited value (issue 13, own.ts), `-0`, NaN, ±Infinity,
 * non-BMP and lone-surrogate strings, huge ints and bigints, invalid and out-of-range dates,
 * holes, and over the cost budget. Both with and without the promise that the principal and the
 * record are ordinary objects (what `can` passes). Outcomes are compared as true, false, an
 * error, or over the budget.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { checkExpression, compileExpression, emitExpression, javascriptOf, parseExpression, t, TS_PROTOTYPE, type Declarations } from '../compiler/cel/index.ts';
import * as runtime from '../packages/runtime/src/cel.ts';
import { CelBudgetExceeded, CelError } from '../packages/runtime/src/cel.ts';
import { ordinary } from '../packages/runtime/src/own.ts';

const DECLS: Declarations = {
  principal: t.object('principal', { id: t.string, level: t.int, teams: t.list(t.string) }),
  resource: t.object('lead', {
    stage: t.string, amount: t.int, price: t.double, active: t.bool, name: t.string, team: t.string,
    tags: t.list(t.string), scores: t.list(t.int), created: t.timestamp, discount: t.double,
  }),
  context: t.object('context', { now: t.timestamp }),
};

/** Every shape fast.ts has a path for, and their combinations with `&&`, `||`, `!`. */
const CONDITIONS = [
  'resource.stage == "negotiation"',
  'resource.stage != "won"',
  'resource.stage in ["won", "lost"]',
  'resource.amount >= 50000',
  'resource.amount > 10000 && resource.amount <= 250000',
  'resource.amount + 1 > 10',
  'resource.amount * 3 == 9',
  'resource.amount - principal.level < 0',
  'resource.amount in [0, 2, 3]',
  'resource.price > 0.2',
  'resource.price == resource.price',
  'resource.price < resource.amount',
  'resource.price / 0.0 > 1.0',
  'resource.active == true',
  'resource.name < "M"',
  'resource.name < principal.id',
  'resource.name >= "\uffff"',
  'resource.name.startsWith("AC")',
  'resource.name.endsWith("e")',
  'resource.name.contains("😀")',
  'resource.tags.exists(x, x == "vip")',
  'resource.tags.all(x, x != "cold")',
  'principal.teams.exists(x, x == resource.team)',
  'resource.scores.exists(s, s > 5)',
  'context.now.getHours("Europe/Warsaw") >= 9',
  'context.now.getDayOfWeek("Europe/Warsaw") <= 5',
  'context.now.getHours() < 12',
  'context.now - resource.created < duration("720h")',
  'context.now > timestamp("2026-01-01T00:00:00Z")',
  'has(resource.discount) && resource.discount > 0.2',
  '!(resource.stage == "won") || resource.amount < 5',
];

const ANY = [undefined, null, 'won', '', 0, -0, 1.5, NaN, Infinity, 10n, true, ['won'], {}, new Date(Number.NaN), () => 'won'];
const STRINGS = ['negotiation', 'won', 'ACME', 'ACMEe', 'a😀', '😀', '\uffff', '\ud83d', 'M', 'u1', ...ANY];
const INTS = [0, -0, 3, 6, 50000, 10001, 250001, 9007199254740991, -9007199254740991, 2 ** 53, 2 ** 53 + 2, 1.5, 2n ** 63n, 3n, ...ANY];
const DOUBLES = [0.2, 0.3, -0, 3, NaN, Infinity, -Infinity, 5e-324, ...ANY];
const LISTS = [[], ['vip'], ['cold', 'vip'], ['a', 'b', 'c', 'vip'], ['north'], [6], [1, 7], [6n], [NaN], [, 'vip'], ['vip', undefined], ...ANY];
const DATES = [
  new Date(Date.UTC(2026, 2, 29, 0, 30)),
  new Date(Date.UTC(2026, 2, 29, 1, 30)),
  new Date(Date.UTC(2026, 0, 1)),
  new Date(Date.UTC(2025, 11, 1)),
  new Date(-62135596800001), // a millisecond before year 1
  new Date(253402300800000), // year 10000
  new Date(-62135596800000),
  ...ANY,
];

const record = (): fc.Arbitrary<Record<string, unknown>> =>
  fc.record(
    {
      stage: fc.constantFrom(...STRINGS), amount: fc.constantFrom(...INTS), price: fc.constantFrom(...DOUBLES), active: fc.constantFrom(true, false, ...ANY),
      name: fc.constantFrom(...STRINGS), team: fc.constantFrom('north', ...STRINGS), tags: fc.constantFrom(...LISTS), scores: fc.constantFrom(...LISTS),
      created: fc.constantFrom(...DATES), discount: fc.constantFrom(...DOUBLES),
    },
    { requiredKeys: [] },
  );
const principal = fc.record({ id: fc.constantFrom(...STRINGS), level: fc.constantFrom(...INTS), teams: fc.constantFrom(...LISTS) }, { requiredKeys: [] });
const context = fc.record({ now: fc.constantFrom(...DATES) }, { requiredKeys: [] });

/** true, false, `error` or `budget`: what decides a check (the error's text may differ between the paths). */
function outcome(v: unknown): unknown {
  if (v instanceof CelBudgetExceeded) return 'budget';
  if (v instanceof CelError) return 'error';
  return v;
}

type Compiled = Extract<ReturnType<typeof compileExpression>, { ok: true }>;
function compile(text: string, options: Parameters<typeof compileExpression>[2]): Compiled {
  const c = compileExpression(text, DECLS, options);
  if (!c.ok) throw new Error(`${text}: ${c.errors.map((e) => e.message).join('; ')}`);
  return c;
}

/** The generic code and the fast one, plain and for ordinary principals and records. */
function paths(text: string, budget?: number) {
  const b = budget === undefined ? {} : { budget };
  const generic = compile(text, { fast: false, ...b });
  const fast = compile(text, b);
  const vouched = compile(text, { ...b, ordinary: ['principal', 'resource'] });
  return { generic, fast, vouched };
}

function agree(text: string, bindings: Record<string, unknown>, budget?: number): void {
  const { generic, fast, vouched } = paths(text, budget);
  const want = outcome(generic.evaluate(bindings));
  expect(outcome(fast.evaluate(bindings)), `${text} on ${String(bindings)}`).toEqual(want);
  const asCan = { ...bindings, principal: ordinary(bindings.principal as object), resource: ordinary(bindings.resource as object) };
  expect(outcome(vouched.evaluate(asCan)), `${text}, ordinary objects`).toEqual(outcome(generic.evaluate(asCan)));
}

describe('the fast path of a condition gives what the generic code gives', () => {
  it('emits plain JavaScript where the types allow it (the JS of `resource.stage == "negotiation"` is one `===` behind guards)', () => {
    const { fast, vouched } = paths('resource.stage == "negotiation"');
    expect(fast.source).toContain('=== "negotiation"');
    expect(fast.source).toContain('Object.getPrototypeOf(v1) === Object.prototype');
    expect(vouched.source).not.toContain('Object.getPrototypeOf(v1)');
  });

  it.each(CONDITIONS)('`%s` on hostile values (fast-check)', (text) => {
    const { generic, fast, vouched } = paths(text);
    fc.assert(
      fc.property(principal, record(), context, (p, r, c) => {
        const bindings = { principal: p, resource: r, context: c };
        const want = outcome(generic.evaluate(bindings));
        expect(outcome(fast.evaluate(bindings))).toEqual(want);
        expect(outcome(vouched.evaluate({ principal: ordinary(p), resource: ordinary(r), context: c }))).toEqual(want);
      }),
      { numRuns: 150, seed: 17 },
    );
  });

  it('reads of variables that are not plain objects: undefined, null, a string, an array, a Map, a class with getters, a null-prototype object', () => {
    class Lead {
      get stage() {
        return 'negotiation';
      }
    }
    const odd = [undefined, null, 'negotiation', ['negotiation'], new Map([['stage', 'negotiation']]), new Lead(), Object.assign(Object.create(null), { stage: 'negotiation', amount: 60000 })];
    for (const text of CONDITIONS) for (const resource of odd) expect(outcome(paths(text).fast.evaluate({ resource })), text).toEqual(outcome(paths(text).generic.evaluate({ resource })));
    expect(paths('resource.stage == "negotiation"').fast.evaluate({ resource: new Lead() })).toBe(true);
    expect(paths('resource.stage == "negotiation"').fast.evaluate({ resource: new Map([['stage', 'negotiation']]) })).toBe(true);
  });

  it('huge ints, -0, NaN and non-BMP strings decide as CEL does', () => {
    const { fast } = paths('resource.amount >= 50000');
    expect(outcome(fast.evaluate({ resource: { amount: 2 ** 53 } }))).toBe('error'); // not a safe integer: not an int
    expect(fast.evaluate({ resource: { amount: 2n ** 62n } })).toBe(true);
    expect(outcome(fast.evaluate({ resource: { amount: 2n ** 63n } }))).toBe('error');
    expect(paths('resource.price == 0.0').fast.evaluate({ resource: { price: -0 } })).toBe(true);
    expect(paths('resource.price == resource.price').fast.evaluate({ resource: { price: NaN } })).toBe(false);
    expect(paths('resource.price > 0.2 || resource.price <= 0.2').fast.evaluate({ resource: { price: NaN } })).toBe(false);
    // code points, not UTF-16 units: U+1F600 comes after U+FFFF
    expect(paths('resource.name > "\uffff"').fast.evaluate({ resource: { name: '😀' } })).toBe(true);
    expect(paths('resource.name > principal.id').fast.evaluate({ principal: { id: '\uffff' }, resource: { name: '😀' } })).toBe(true);
    expect(outcome(paths('resource.amount * 3 == 9').fast.evaluate({ resource: { amount: 2n ** 62n } }))).toBe('error'); // overflow
  });
});

describe('inherited values are no values on the fast path (issue 13)', () => {
  const KEYS = ['stage', 'amount', 'price', 'name', 'tags', 'created', 'discount', 'now', 'teams', 'id', '0', '1'];
  const VALUES: Record<string, unknown> = { stage: 'won', amount: 60000, price: 0.5, name: 'ACME', tags: ['vip'], created: new Date(), discount: 0.9, now: new Date(), teams: ['north'], id: 'u1', 0: 'vip', 1: 'vip' };
  afterEach(() => {
    for (const key of KEYS) for (const proto of [Object.prototype, Array.prototype, Map.prototype, String.prototype]) delete (proto as Record<string, unknown>)[key];
  });

  it.each(CONDITIONS)('`%s` with every read key polluted on the built-in prototypes', (text) => {
    const { generic, fast, vouched } = paths(text);
    const samples = fc.sample(fc.tuple(principal, record(), context), { numRuns: 60, seed: 13 });
    for (const key of KEYS) for (const proto of [Object.prototype, Array.prototype, Map.prototype, String.prototype]) (proto as Record<string, unknown>)[key] = VALUES[key];
    for (const [p, r, c] of samples) {
      const want = outcome(generic.evaluate({ principal: p, resource: r, context: c }));
      expect(outcome(fast.evaluate({ principal: p, resource: r, context: c }))).toEqual(want);
      expect(outcome(vouched.evaluate({ principal: ordinary(p), resource: ordinary(r), context: c }))).toEqual(want);
    }
    for (const resource of [{}, [], 'x', new Map()]) expect(outcome(fast.evaluate({ principal: {}, resource, context: [] }))).toEqual(outcome(generic.evaluate({ principal: {}, resource, context: [] })));
  });

  it('a value only `Object.prototype` has is missing, not `won`', () => {
    (Object.prototype as Record<string, unknown>).stage = 'won';
    const { fast, vouched } = paths('resource.stage == "won"');
    expect(outcome(fast.evaluate({ resource: {} }))).toBe('error');
    expect(outcome(vouched.evaluate({ resource: {} }))).toBe('error');
    expect(fast.evaluate({ resource: { stage: 'won' } })).toBe(true);
  });

  it('a hole in a list is no element, whatever `Array.prototype` holds at its index', () => {
    const { fast, generic } = paths('resource.tags.exists(x, x == "vip")');
    (Array.prototype as unknown as Record<string, unknown>)[0] = 'vip';
    expect(fast.evaluate({ resource: { tags: [, 'cold'] } })).toBe(false);
    expect(generic.evaluate({ resource: { tags: [, 'cold'] } })).toBe(false);
  });
});

describe('the fast loops of `exists` and `all` spend the budget as the generic macros do', () => {
  const LOOPS = [
    'resource.tags.exists(x, x == "vip")',
    'resource.tags.all(x, x != "cold")',
    'resource.tags.exists(x, x == "none") || resource.tags.exists(x, x == "vip")',
    'resource.tags.all(x, resource.tags.exists(y, x == y))',
    'size(resource.tags.filter(x, x == "vip")) == 0 || resource.tags.exists(x, x == "cold")',
  ];
  it.each(LOOPS)('`%s` at every budget from 1 to 12', (text) => {
    const lists = [[], ['vip'], ['a', 'vip'], ['a', 'b', 'c', 'vip'], ['cold', 'a', 'b', 'c', 'd'], ['a', 'b', 'c', 'd', 'e', 'f', 'vip'], ['a', 1, 'vip'], [, 'vip']];
    for (let budget = 1; budget <= 12; budget++) for (const tags of lists) agree(text, { principal: {}, resource: { tags }, context: {} }, budget);
  });

  it('over the budget is the budget error, not an answer', () => {
    const { fast } = paths('resource.tags.exists(x, x == "vip") || true', 3);
    expect(fast.evaluate({ resource: { tags: ['a', 'b', 'c', 'vip'] } })).toBeInstanceOf(CelBudgetExceeded);
    expect(fast.evaluate({ resource: { tags: ['a', 'b', 'vip'] } })).toBe(true);
  });
});

describe('the TypeScript of generated checkers runs as JavaScript in tools (explain)', () => {
  it('only the emitter\'s own `Object.prototype` casts are taken out, never text of the policy', () => {
    const text = `resource.stage == "${TS_PROTOTYPE}" || resource.name == "*/"`;
    const parsed = parseExpression(text);
    if (!parsed.ok) throw new Error('does not parse');
    const names = { variables: { resource: 'r' }, runtime: 'cel', ordinary: ['resource'], prototype: TS_PROTOTYPE };
    const ts = emitExpression(parsed.ast, names, checkExpression(parsed.ast, DECLS));
    const js = javascriptOf(ts);
    expect(ts).toContain(TS_PROTOTYPE);
    expect(js).not.toContain(' as ObjectPrototype /* own.ts */)["');
    const run = new Function('cel', 'r', `return ${js};`) as (cel: unknown, r: unknown) => unknown;
    expect(run(runtime, { stage: TS_PROTOTYPE, name: 'x' })).toBe(true);
    expect(run(runtime, { stage: 'x', name: '*/' })).toBe(true);
    expect(run(runtime, { stage: 'x', name: 'y' })).toBe(false);
  });
});
