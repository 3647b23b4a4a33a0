/**
 * Issue 13.1': CEL field reads follow the own-data rule (packages/runtime/src/own.ts): a field
 * counts when it is the object's own or comes from its own class (getters of a class instance
 * keep working); nothing from `Object.prototype`, `Array.prototype` or another built-in prototype
 * ever does — so polluting a prototype never changes what a condition sees. Covers `resource.x`,
 * `principal.x`, `context.x`, map and record fields, `m[k]`, `has()` and `in` on maps, on the
 * inlined fast path of generated code and on the runtime's own.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { compileExpression, t, type Declarations } from '../compiler/cel/index.ts';
import { CelError } from '../packages/runtime/src/cel.ts';
import { compileSources } from './helpers/policy.ts';

const DECLS: Declarations = {
  principal: t.object('principal', { id: t.string, team: t.string }),
  resource: t.object('lead', { stage: t.string, extra: t.dyn, tags: t.list(t.string) }),
  context: t.object('context', { channel: t.string }),
};

function test(text: string, bindings: Record<string, unknown>) {
  const c = compileExpression(text, DECLS);
  if (!c.ok) throw new Error(`${text}: ${c.errors.map((e) => e.message).join('; ')}`);
  return c.test({ principal: { id: 'u1' }, resource: {}, context: {}, ...bindings });
}

const POLLUTED = ['stage', 'team', 'channel', 'secret'] as const;

/** Pollutes the built-in prototypes the way a merge or clone gadget does (removed after each test). */
function pollute(): void {
  for (const key of POLLUTED) {
    (Object.prototype as Record<string, unknown>)[key] = 'won';
    (Array.prototype as unknown as Record<string, unknown>)[key] = 'won';
    (Map.prototype as unknown as Record<string, unknown>)[key] = 'won';
  }
}

afterEach(() => {
  for (const key of POLLUTED) {
    delete (Object.prototype as Record<string, unknown>)[key];
    delete (Array.prototype as unknown as Record<string, unknown>)[key];
    delete (Map.prototype as unknown as Record<string, unknown>)[key];
  }
});

describe("issue 13.1': a polluted prototype never changes a condition", () => {
  it('`resource.x`, `principal.x`, `context.x` on plain objects: a missing field stays missing', () => {
    pollute();
    expect(test('resource.stage == "won"', { resource: {} })).toBeInstanceOf(CelError);
    expect(test('principal.team == "won"', { principal: { id: 'u1' } })).toBeInstanceOf(CelError);
    expect(test('context.channel == "won"', { context: {} })).toBeInstanceOf(CelError);
    // an own field is still read, on the inlined path and through the runtime alike
    expect(test('resource.stage == "open"', { resource: { stage: 'open' } })).toBe(true);
  });

  it('`has()` is false for a field only a prototype has, true for an own one', () => {
    pollute();
    expect(test('has(resource.stage)', { resource: {} })).toBe(false);
    expect(test('has(resource.stage)', { resource: { stage: 'open' } })).toBe(true);
    expect(test('has(resource.extra.secret)', { resource: { extra: {} } })).toBe(false);
    expect(test('has(resource.extra.secret)', { resource: { extra: new Map() } })).toBe(false);
  });

  it('map and record fields, `m[k]` and `in` on maps: own keys only', () => {
    pollute();
    for (const extra of [{}, Object.create(null) as object, new Map()]) {
      expect(test('resource.extra.secret == "won"', { resource: { extra } })).toBeInstanceOf(CelError);
      expect(test('resource.extra["secret"] == "won"', { resource: { extra } })).toBeInstanceOf(CelError);
      expect(test('"secret" in resource.extra', { resource: { extra } })).toBe(false);
    }
    expect(test('"secret" in resource.extra && resource.extra.secret == "s"', { resource: { extra: { secret: 's' } } })).toBe(true);
  });

  it('lists: `Array.prototype` keys are not fields, and comprehensions see only elements', () => {
    pollute();
    expect(test('resource.extra.stage == "won"', { resource: { extra: ['a'] } })).toBeInstanceOf(CelError);
    expect(test('resource.tags.all(t, t == "a")', { resource: { tags: ['a'] } })).toBe(true);
    expect(test('resource.extra.exists(k, k == "secret")', { resource: { extra: {} } })).toBe(false);
  });

  it('`__proto__`, `constructor` and `toString` are never read from the prototype chain', () => {
    for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(test(`has(resource.extra.${key})`, { resource: { extra: {} } }), key).toBe(false);
      expect(test(`"${key}" in resource.extra`, { resource: { extra: {} } }), key).toBe(false);
    }
  });
});

describe("issue 13.1': getters of a class instance keep working", () => {
  class Lead {
    #stage = 'negotiation';
    get stage(): string {
      return this.#stage;
    }
    get extra(): Record<string, unknown> {
      return { amount: 5 };
    }
  }
  class Settings {
    get secret(): string {
      return 's';
    }
  }

  it('a field, `has()`, `in` and `m[k]` read the instance\'s class', () => {
    expect(test('resource.stage == "negotiation"', { resource: new Lead() })).toBe(true);
    expect(test('has(resource.stage)', { resource: new Lead() })).toBe(true);
    expect(test('resource.extra.amount == 5.0', { resource: new Lead() })).toBe(true);
    expect(test('"secret" in resource.extra && resource.extra["secret"] == "s"', { resource: { extra: new Settings() } })).toBe(true);
  });

  it('still never a built-in prototype: an instance of Date, Map or an array has no fields', () => {
    expect(test('has(resource.extra.size)', { resource: { extra: new Map([['a', 1]]) } })).toBe(false);
    expect(test('resource.extra.length == 1.0', { resource: { extra: ['a'] } })).toBeInstanceOf(CelError);
  });
});

describe("issue 13.1': in a generated checker", () => {
  it('a `when:` reading a field only `Object.prototype` has denies with code `condition`', async () => {
    const checker = await compileSources({
      'policy.yaml': `
resources:
  lead:
    actions: [view]
    attributes: { stage: string }
roles:
  rep:
    grants:
      lead:
        view: { level: all, when: 'resource.stage == "won" || has(resource.stage)' }
`,
    });
    const principal = { id: 'u1', role: 'rep' };
    pollute();
    expect(checker.can(principal, 'view', { kind: 'lead' })).toMatchObject({ allow: false, code: 'condition' });
    expect(checker.can(principal, 'view', { kind: 'lead', stage: 'open' })).toMatchObject({ allow: true });
  });
});
