/**
 * Conditions (CEL subset): where errors are reported, how errors inside a condition are absorbed
 * or make it fail closed, time zones (R-Z10 working hours), stage overrides (R-K5), text from a
 * policy that tries to break out of generated code, and int arithmetic against a BigInt model.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCondition, checkExpression, compileExpression, emitExpression, jsString, parseExpression, t, type CelProblem, type Declarations } from '../compiler/cel/index.ts';
import * as runtime from '../packages/runtime/src/cel.ts';
import { CelError } from '../packages/runtime/src/cel.ts';

const lead = t.object('lead', {
  amount: t.int,
  price: t.double,
  stage: t.string,
  name: t.string,
  tags: t.list(t.string),
  owner: t.object('user', { id: t.int, email: t.string }),
  extra: t.dyn,
});
const DECLS: Declarations = {
  principal: t.object('principal', { id: t.int, role: t.string, teams: t.list(t.int) }),
  resource: lead,
  context: t.object('context', { now: t.timestamp, zone: t.string }),
};

function compile(text: string, declarations: Declarations = DECLS) {
  const c = compileExpression(text, declarations);
  if (!c.ok) throw new Error(`${text}: ${c.errors.map((e) => e.message).join('; ')}`);
  return c;
}

function problems(text: string, declarations: Declarations = DECLS): CelProblem[] {
  const c = compileExpression(text, declarations);
  if (c.ok) throw new Error(`${text} compiled`);
  return [...c.errors];
}

/** The one problem of `text`, as code, underlined text, message and help. */
function underline(text: string, declarations: Declarations = DECLS) {
  const [p, ...rest] = problems(text, declarations);
  expect(rest).toEqual([]);
  return { code: p!.code, text: text.slice(p!.offset, p!.offset + p!.length), message: p!.message, help: p!.help };
}

describe('conditions: syntax errors are placed in the expression text', () => {
  it('an unexpected token', () => {
    expect(underline('resource.amount > * 3')).toEqual({ code: 'PC5001', text: '*', message: 'unexpected `*`', help: undefined });
  });
  it('the end of the expression', () => {
    const text = 'resource.amount > ';
    const [p] = problems(text);
    expect(p).toMatchObject({ code: 'PC5001', offset: text.length, length: 0, message: 'unexpected end of expression' });
  });
  it('an unterminated string and a stray character', () => {
    expect(underline('resource.name == "abc')).toMatchObject({ code: 'PC5001', text: '"abc', message: 'unterminated string' });
    expect(underline('resource.amount # 3')).toMatchObject({ code: 'PC5001', text: '#' });
  });
  it('an invalid escape and an int literal out of range', () => {
    expect(underline("resource.name == 'a\\qb'")).toMatchObject({ code: 'PC5001', text: '\\q', message: 'invalid escape sequence' });
    expect(underline('resource.amount < 9223372036854775808')).toMatchObject({ code: 'PC5001', text: '9223372036854775808', message: 'integer literal out of range' });
    expect(compile('-9223372036854775808 < resource.amount').ok).toBe(true);
  });
  it('positions count from the start of the expression, across lines', () => {
    const text = 'resource.amount > 3 &&\n  resource.stage ==';
    expect(problems(text)[0]).toMatchObject({ offset: text.length, length: 0 });
  });
  it('unsupported CEL features: uint, bytes, optionals, messages', () => {
    expect(underline('resource.amount > 1u')).toMatchObject({ code: 'PC5004', text: '1u', message: 'unsigned integers (uint) are not supported in conditions' });
    expect(underline("resource.name == b'x'")).toMatchObject({ code: 'PC5004', text: "b'x'" });
    expect(underline('resource.?owner')).toMatchObject({ code: 'PC5004', text: 'resource.?owner' });
    expect(underline('Lead{amount: 1}.amount == 1')).toMatchObject({ code: 'PC5004', text: 'Lead{amount: 1}' });
    expect(underline('uint(resource.amount) > 1')).toMatchObject({ code: 'PC5004', text: 'uint' });
  });
});

describe('conditions: literals that would fail every evaluation', () => {
  it('R-Z10 an unknown time zone, with a did-you-mean hint', () => {
    expect(underline('context.now.getHours("Europe/Warsw") >= 9')).toEqual({
      code: 'PC5005', text: '"Europe/Warsw"', message: 'time zone `Europe/Warsw` is not valid', help: 'did you mean `Europe/Warsaw`?',
    });
    expect(underline('context.now.getHours("+1:00") >= 9')).toMatchObject({ code: 'PC5005', text: '"+1:00"' });
    expect(compile('context.now.getHours("-02:30") >= 9 && context.now.getHours("America/New_York") < 17').ok).toBe(true);
  });
  it('durations, timestamps and regular expressions', () => {
    expect(underline('context.now - resource.owner.id < duration("72 hours")', { ...DECLS, resource: t.dyn })).toMatchObject({ code: 'PC5005', text: '"72 hours"' });
    expect(underline('context.now > timestamp("2026-13-01T00:00:00Z")')).toMatchObject({ code: 'PC5005', text: '"2026-13-01T00:00:00Z"' });
    expect(underline('resource.name.matches("(?<=a)b")')).toMatchObject({ code: 'PC5005', text: '"(?<=a)b"' });
    expect(underline('resource.name.matches("(")')).toMatchObject({ code: 'PC5005', text: '"("' });
  });
});

describe('conditions: the type checker', () => {
  it('an unknown field, with a did-you-mean hint', () => {
    expect(underline('resource.amout > 5')).toEqual({ code: 'PC5002', text: 'amout', message: '`lead` has no field `amout`', help: 'did you mean `amount`?' });
    expect(underline('resource.owner.emial == "x"')).toMatchObject({ text: 'emial', help: 'did you mean `email`?' });
  });
  it('an unknown variable and an unknown function', () => {
    expect(underline('resorce.amount > 5')).toEqual({ code: 'PC5002', text: 'resorce', message: 'unknown variable `resorce`', help: 'did you mean `resource`?' });
    expect(underline('resource.name.startWith("A")')).toMatchObject({ code: 'PC5002', text: 'startWith', help: 'did you mean `startsWith`?' });
  });
  it('type mismatches', () => {
    expect(underline('resource.amount > "x"')).toMatchObject({ code: 'PC5003', text: 'resource.amount > "x"', message: '`>` cannot compare `int` and `string`' });
    expect(underline('size(1)')).toMatchObject({ code: 'PC5003', text: '1', message: 'the argument of `size` must be `string` or `list` or `map`, not `int`' });
    expect(underline('resource.amount + 1.5 > 3.0')).toMatchObject({ code: 'PC5003', text: 'resource.amount + 1.5' });
    expect(underline('resource.stage && true')).toMatchObject({ code: 'PC5003', text: 'resource.stage' });
    expect(underline('context.now.getHours(2)')).toMatchObject({ code: 'PC5003', text: '2', message: 'a time zone must be `string`, not `int`' });
  });
  it('`in` between values that can never be equal', () => {
    expect(underline('resource.amount in ["a", "b"]')).toMatchObject({ code: 'PC5003', message: '`in` looks for `int` among `string` values' });
    expect(compile('resource.price in [1, 2] && 3 in principal.teams && "x" in dyn(resource.tags)').ok).toBe(true);
  });
  it('a condition must be a bool', () => {
    const parsed = parseExpression('resource.amount + 1');
    if (!parsed.ok) throw new Error('parse');
    expect(checkCondition(parsed.ast, DECLS).problems).toEqual([{ code: 'PC5003', offset: 0, length: 19, message: 'a condition must be a `bool`, not `int`' }]);
    const ok = parseExpression('resource.extra');
    if (!ok.ok) throw new Error('parse');
    expect(checkCondition(ok.ast, DECLS).problems).toEqual([]);
  });
  it('all problems of an expression are reported, in text order', () => {
    expect(problems('resource.amout > 1 && principal.rol == "x"').map((p) => p.code + ' ' + p.message)).toEqual([
      'PC5002 `lead` has no field `amout`',
      'PC5002 `principal` has no field `rol`',
    ]);
  });
  it('int and double compare with each other; dyn turns checking off below it', () => {
    expect(compile('resource.amount > 2.5 && resource.price < 10').ok).toBe(true);
    expect(compile('dyn(resource).whatever > "x" || resource.extra.anything == 1').ok).toBe(true);
  });
});

describe('conditions: errors are values (fail closed)', () => {
  const missing = { resource: { stage: 'won' }, principal: { id: 1 }, context: {} };
  it('`missing && false` is false and `missing || true` is true, in either order', () => {
    expect(compile('resource.amount > 5 && false').test(missing)).toBe(false);
    expect(compile('false && resource.amount > 5').test(missing)).toBe(false);
    expect(compile('resource.amount > 5 || true').test(missing)).toBe(true);
    expect(compile('true || resource.amount > 5').test(missing)).toBe(true);
  });
  it('otherwise the error is the result, with a reason', () => {
    for (const text of ['resource.amount > 5 || false', 'true && resource.amount > 5', '!(resource.amount > 5)', 'resource.amount > 5 ? true : false']) {
      const r = compile(text).test(missing);
      expect(r, text).toBeInstanceOf(CelError);
      expect((r as CelError).message).toContain('amount');
    }
  });
  it('exists absorbs errors when some element is true; all when some element is false', () => {
    const c = compile('resource.tags.exists(t, t.startsWith("vip"))');
    expect(c.test({ resource: { tags: [1, 'vip-a'] } })).toBe(true);
    expect(c.test({ resource: { tags: [1, 'x'] } })).toBeInstanceOf(CelError);
    expect(compile('resource.tags.all(t, t == "a")').test({ resource: { tags: [1, 'b'] } })).toBe(false);
  });
  it('never throws, whatever the bindings', () => {
    const throwing = new Proxy({}, { get: () => { throw new Error('boom'); }, getOwnPropertyDescriptor: () => { throw new Error('boom'); } });
    const c = compile('resource.amount > 5 && resource.name.matches("^a")');
    const hostile = [undefined, null, 5, 'text', [], { amount: 'x' }, { amount: 1.5 }, { amount: 2 ** 60 }, throwing, { amount: 10, name: 7 }];
    hostile.forEach((resource, i) => {
      expect(() => c.test({ resource }), `binding ${i}`).not.toThrow();
      expect(c.test({ resource }), `binding ${i}`).toBeInstanceOf(CelError);
    });
    expect(c.test({ resource: { amount: 10n, name: 'abc' } })).toBe(true);
    expect(c.test({ resource: { amount: 10, name: 'abc' } })).toBe(true);
  });
  it('division by zero, overflow, bad conversions and bad regular expressions are errors', () => {
    const d = { n: t.int, s: t.string };
    for (const text of ['n / 0 == 1', 'n % 0 == 1', 'n * 9223372036854775807 > 0', 'int(s) > 0', "s.matches(s + '(')", "s.matches('(?=' + s + ')')", 'timestamp(s) > timestamp(0)', 'double(s) > 0.0']) {
      expect(compile(text, d).test({ n: 3n, s: 'x' }), text).toBeInstanceOf(CelError);
    }
  });
  it('a condition that is not a bool is not met', () => {
    expect(compile('resource.stage').test({ resource: { stage: 'won' } })).toBeInstanceOf(CelError);
  });
});

describe('conditions: time zones', () => {
  const hours = compile('context.now.getHours(context.zone)');
  const at = (iso: string, zone: string) => hours.evaluate({ context: { now: new Date(iso), zone } });

  it('R-Z10 getHours in a time zone, across the spring DST change (Europe/Warsaw 2026-03-29)', () => {
    expect(at('2026-03-29T00:30:00Z', 'Europe/Warsaw')).toBe(1n); // CET, UTC+1
    expect(at('2026-03-29T00:59:59Z', 'Europe/Warsaw')).toBe(1n);
    expect(at('2026-03-29T01:00:00Z', 'Europe/Warsaw')).toBe(3n); // CEST, UTC+2: 02:00 never happens
    expect(at('2026-03-29T01:30:00Z', 'Europe/Warsaw')).toBe(3n);
  });
  it('R-Z10 getHours in a time zone, across the autumn DST change (Europe/Warsaw 2026-10-25)', () => {
    expect(at('2026-10-25T00:30:00Z', 'Europe/Warsaw')).toBe(2n); // CEST
    expect(at('2026-10-25T01:30:00Z', 'Europe/Warsaw')).toBe(2n); // CET: 02:30 happens twice
    expect(at('2026-10-25T02:30:00Z', 'Europe/Warsaw')).toBe(3n);
  });
  it('R-Z10 fixed offsets and UTC', () => {
    expect(at('2026-03-29T23:30:00Z', '+11:00')).toBe(10n);
    expect(at('2026-03-29T01:00:00Z', '-02:30')).toBe(22n);
    expect(at('2026-03-29T01:00:00Z', 'UTC')).toBe(1n);
    const day = compile('context.now.getDayOfWeek("+11:00") == 1 && context.now.getDayOfWeek() == 0');
    expect(day.test({ context: { now: new Date('2026-03-29T23:30:00Z') } })).toBe(true); // Sunday in UTC, Monday in +11:00
  });
  it('R-Z10 working hours: Monday to Friday, 9:00 to 17:00 in the office zone', () => {
    const working = compile('context.now.getDayOfWeek("Europe/Warsaw") in [1, 2, 3, 4, 5] && context.now.getHours("Europe/Warsaw") >= 9 && context.now.getHours("Europe/Warsaw") < 17');
    const test = (iso: string) => working.test({ context: { now: new Date(iso) } });
    expect(test('2026-03-27T07:59:00Z')).toBe(false); // Friday 08:59 CET
    expect(test('2026-03-27T08:00:00Z')).toBe(true); // Friday 09:00 CET
    expect(test('2026-03-30T07:00:00Z')).toBe(true); // Monday 09:00 CEST
    expect(test('2026-03-28T10:00:00Z')).toBe(false); // Saturday
    expect(test('2026-03-30T15:00:00Z')).toBe(false); // Monday 17:00 CEST
  });
  it('an unknown zone is an error, not an exception', () => {
    expect(at('2026-03-29T01:00:00Z', 'Mars/Olympus')).toBeInstanceOf(CelError);
    expect(at('2026-03-29T01:00:00Z', '+1:00')).toBeInstanceOf(CelError);
  });
  it('every calendar field agrees with Intl in IANA zones (fast-check)', () => {
    const zones = ['Europe/Warsaw', 'America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns'];
    const fields = compile('[t.getFullYear(z), t.getMonth(z) + 1, t.getDate(z), t.getHours(z), t.getMinutes(z), t.getSeconds(z)]', { t: t.timestamp, z: t.string });
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) }), fc.constantFrom(...zones), (ms, zone) => {
        const date = new Date(ms);
        const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(date);
        const get = (type: string) => BigInt(parts.find((p) => p.type === type)!.value);
        expect(fields.evaluate({ t: date, z: zone })).toEqual([get('year'), get('month'), get('day'), get('hour'), get('minute'), get('second')]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('conditions: R-K5 stage overrides', () => {
  it('R-K5 a stage test with `in` and a threshold', () => {
    const c = compile('resource.stage in ["won", "lost"] || (resource.stage == "negotiation" && resource.amount >= 50000)');
    expect(c.test({ resource: { stage: 'won', amount: 1 } })).toBe(true);
    expect(c.test({ resource: { stage: 'negotiation', amount: 60000 } })).toBe(true);
    expect(c.test({ resource: { stage: 'negotiation', amount: 10 } })).toBe(false);
    expect(c.test({ resource: { stage: 'negotiation' } })).toBeInstanceOf(CelError);
  });
});

describe('conditions: text from the policy cannot change generated code', () => {
  const breakout = '"); process.exit(1); ("';
  it('string literals and quoted field names are data', () => {
    const c = compile(`resource.name == ${JSON.stringify(breakout)} && resource.extra.\`${breakout}\` == 1`);
    expect(c.test({ resource: { name: breakout, extra: { [breakout]: 1n } } })).toBe(true);
    expect(c.test({ resource: { name: 'x', extra: {} } })).toBe(false);
    expect(c.source).not.toContain('process.exit(1); (")');
  });
  it('`__proto__` and `constructor` are ordinary keys, never the prototype chain', () => {
    const d: Declarations = { resource: t.dyn };
    expect(compile('resource.__proto__ == resource.__proto__', d).test({ resource: {} })).toBeInstanceOf(CelError);
    expect(compile('has(resource.__proto__) || has(resource.constructor)', d).test({ resource: {} })).toBe(false);
    expect(compile('resource["constructor"]', d).evaluate({ resource: {} })).toBeInstanceOf(CelError);
    expect(compile('resource.constructor == "x"', d).test({ resource: JSON.parse('{"constructor":"x"}') })).toBe(true);
    expect(compile('resource.__proto__ == 1', d).test({ resource: JSON.parse('{"__proto__":1}') })).toBe(true);
    expect(compile('{"__proto__": 1}["__proto__"] == 1', {}).test({})).toBe(true);
    const declared = { resource: t.object('x', { ['__proto__']: t.int, constructor: t.string }) };
    expect(compile('resource.constructor == "c" && resource.__proto__ == 2', declared).test({ resource: JSON.parse('{"constructor":"c","__proto__":2}') })).toBe(true);
    expect(underline('resource.toString == "x"', declared)).toMatchObject({ code: 'PC5002', text: 'toString' });
  });
  it('a variable may be called `__proto__` or `constructor`', () => {
    const declarations = Object.fromEntries([['__proto__', t.int], ['constructor', t.string]]) as Declarations;
    const c = compile('__proto__ == 1 && constructor == "x"', declarations);
    expect(c.test(Object.fromEntries([['__proto__', 1n], ['constructor', 'x']]))).toBe(true);
    expect(c.test({})).toBeInstanceOf(CelError);
  });
  it('jsString escapes line terminators JS does not allow in strings and comment ends', () => {
    expect(jsString('a\u2028b\u2029c*/')).toBe('"a\\u2028b\\u2029c*\\/"');
  });
  it('deep nesting is a problem, not a stack overflow', () => {
    for (const text of ['('.repeat(5000) + '1' + ')'.repeat(5000), '!'.repeat(5000) + 'true', Array.from({ length: 5000 }, () => '1').join(' + '), '['.repeat(3000) + ']'.repeat(3000)]) {
      const parsed = parseExpression(text);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.errors[0]!.message).toMatch(/nests deeper than 250 levels/);
    }
    expect(compile(`${'('.repeat(100)}1${')'.repeat(100)} == 1`, {}).test({})).toBe(true);
  });
  it('arbitrary text parses to an AST or to problems inside the text, never an exception (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        const parsed = parseExpression(text);
        if (!parsed.ok) for (const e of parsed.errors) expect(e.offset + e.length).toBeLessThanOrEqual(text.length);
      }),
      { numRuns: 500 },
    );
  });
});

describe('conditions: 64-bit int arithmetic (fast-check against BigInt)', () => {
  const MIN = -(2n ** 63n);
  const MAX = 2n ** 63n - 1n;
  const int64 = fc.oneof(fc.bigInt({ min: MIN, max: MAX }), fc.bigInt({ min: -1000n, max: 1000n }), fc.constantFrom(MIN, MAX, 0n, -1n, 1n));
  const ops = ['+', '-', '*', '/', '%'] as const;
  const compiled = Object.fromEntries(ops.map((op) => [op, compile(`x ${op} y`, { x: t.int, y: t.int })]));
  const model = (op: (typeof ops)[number], a: bigint, b: bigint): bigint | 'error' => {
    if ((op === '/' || op === '%') && b === 0n) return 'error';
    const r = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : a % b;
    return r < MIN || r > MAX ? 'error' : r;
  };
  it('every operation matches the model, with overflow as an error', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ops), int64, int64, (op, a, b) => {
        const got = compiled[op]!.evaluate({ x: a, y: b });
        const want = model(op, a, b);
        if (want === 'error') expect(got).toBeInstanceOf(CelError);
        else expect(got).toBe(want);
      }),
      { numRuns: 2000 },
    );
  });
  it('declared ints accept safe JS numbers and bigints alike', () => {
    const c = compile('resource.amount * 2 == 2 * resource.amount && resource.amount + 1 > resource.amount');
    expect(c.test({ resource: { amount: 21 } })).toBe(true);
    expect(c.test({ resource: { amount: 21n } })).toBe(true);
    expect(c.test({ resource: { amount: 2 ** 62 } })).toBeInstanceOf(CelError); // not a safe integer
  });
});

describe('conditions: the emitted source, as a generated checker embeds it', () => {
  it('reads variables by the names the caller chooses and the runtime under its prefix', () => {
    const parsed = parseExpression('principal.role == "manager" && resource.amount < 1000 && context.now.getHours("+02:00") < 17');
    if (!parsed.ok) throw new Error('parse');
    const checked = checkExpression(parsed.ast, DECLS);
    expect(checked.problems).toEqual([]);
    const source = emitExpression(parsed.ast, { variables: { principal: 'p', resource: 'r', context: 'c' }, runtime: 'rt' }, checked);
    expect(source).toMatch(/\brt\.geInt|\brt\.ltInt/);
    expect(source).not.toMatch(/\bcel\./);
    const fn = new Function('rt', 'p', 'r', 'c', `return ${source};`);
    const now = new Date('2026-06-01T12:00:00Z'); // 14:00 at +02:00
    expect(fn(runtime, { role: 'manager' }, { amount: 999 }, { now })).toBe(true);
    expect(fn(runtime, { role: 'manager' }, { amount: 1000 }, { now })).toBe(false);
    expect(fn(runtime, { role: 'manager' }, {}, { now })).toBeInstanceOf(CelError);
  });
  it('is deterministic', () => {
    const text = 'resource.tags.exists(x, x in ["a", "b"]) ? resource.amount + 1 > 2 : has(resource.owner.email)';
    expect(compile(text).source).toBe(compile(text).source);
  });
});
