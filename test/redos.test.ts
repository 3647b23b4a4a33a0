/**
 * Issue 13.3: `matches` runs RE2 in linear time, for literal and request-supplied patterns alike.
 * The classic catastrophic patterns against 10,000-character inputs are answered, and answered
 * as RE2 answers: each case's expected value comes from `same`, a test without nested
 * repetition (fast in JS) that answers as the pattern does on these inputs — checked against the
 * pattern itself in JS `RegExp` on the same inputs at 16 characters, where backtracking is
 * harmless; and on short random inputs RE2 and JS `RegExp` agree on every pattern of the corpus.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileExpression, t } from '../compiler/cel/index.ts';
import { compileSources as compileTexts } from '../compiler/index.ts';
import { CelError, matches, matchesSafe, safeRegExp } from '../packages/runtime/src/cel.ts';
import { compileSources } from './helpers/policy.ts';

const N = 10_000;

/** Lines with at least `n` `a`s. */
const aOnOneLine = (n: number) => (s: string) => s.split('\n').some((line) => line.split('a').length > n);

/** Catastrophic under backtracking, with `same` answering alike on {@link inputs}. */
const CORPUS: readonly { pattern: string; same: (s: string) => boolean }[] = [
  { pattern: '(a+)+$', same: (s) => /a$/.test(s) },
  { pattern: '(a|aa)+$', same: (s) => /a$/.test(s) },
  { pattern: '(a|a?)+$', same: () => true }, // the empty string matches at the end of any input
  { pattern: '(.*a){12}', same: aOnOneLine(12) },
  { pattern: '^(([a-z])+.)+[A-Z]([a-z])+$', same: (s) => /^[a-z][^\n]*[A-Z][a-z]+$/.test(s) },
  { pattern: '(x+x+)+y', same: (s) => /xx+y/.test(s) },
  { pattern: '^(a+)+b', same: (s) => /^a+b/.test(s) },
  { pattern: '(\\w+\\s?)+$', same: (s) => /\w\s?$/.test(s) },
  {
    pattern: '^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$',
    same: (s) => /^[a-zA-Z0-9]+@[a-z0-9]+\.[a-z]{2,3}$/.test(s),
  },
];

/** Inputs of about `n` characters that make a backtracking engine try every way to split a long run. */
function inputs(n: number): string[] {
  const half = Math.floor(n / 2);
  return [
    'a'.repeat(n) + '!',
    'a'.repeat(n),
    'a'.repeat(n - 1) + 'A',
    'x'.repeat(n),
    'x'.repeat(n) + 'y',
    'ab'.repeat(half) + '\n' + 'a'.repeat(11),
    'a'.repeat(n) + '@',
    'a'.repeat(n) + '@example.com',
    'word '.repeat(Math.floor(n / 5)) + '!',
    'word '.repeat(Math.floor(n / 5)),
    'abc'.repeat(Math.floor(n / 3)) + 'Abc',
    'abc'.repeat(Math.floor(n / 3)) + 'A!',
  ];
}

describe('issue 13.3: a ReDoS corpus with 10,000-character inputs, answered as RE2 answers', () => {
  for (const { pattern, same } of CORPUS) {
    it(`\`${pattern}\``, () => {
      for (const input of inputs(N)) expect(matches(input, pattern), `${pattern} on ${JSON.stringify(input.slice(-14))} (${input.length})`).toBe(same(input));
    });
  }

  it('each expected answer answers as the pattern does, on the same inputs at 16 characters (JS RegExp)', () => {
    for (const { pattern, same } of CORPUS) {
      for (const input of inputs(16)) expect(same(input), `${pattern} on ${JSON.stringify(input)}`).toBe(new RegExp(pattern, 'u').test(input));
    }
  });

  it('RE2 agrees with JS RegExp on short inputs, where backtracking is harmless (fast-check)', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'A', 'b', 'x', 'y', '@', '.', '!', ' ', '\n', '_'), maxLength: 14 });
    fc.assert(
      fc.property(fc.constantFrom(...CORPUS), text, ({ pattern }, input) => {
        expect(matches(input, pattern)).toBe(new RegExp(pattern, 'u').test(input));
      }),
      { numRuns: 400 },
    );
  });
});

describe('issue 13.3: literal patterns a backtracking RegExp provably runs in linear time', () => {
  it('none of the corpus, nor other nested or repeated unbounded repetition, is taken for safe', () => {
    for (const { pattern } of CORPUS) expect(safeRegExp(pattern), pattern).toBeUndefined();
    for (const pattern of ['a*a*b', '^a*a*b', '^a+b+$', 'a*b', '.*x', '^(a|b)*$', '^(ab)+', '^a*|b', '(?i)a', 'a*?', '^\\s+', '\\bx', '[[:alpha:]]', '[]a]', 'a{1001}', 'a{1000}b{1000}', '^(a?){300}']) {
      expect(safeRegExp(pattern), pattern).toBeUndefined();
    }
  });

  it('the patterns policies write are: anchored with one unbounded part, or bounded', () => {
    for (const pattern of ['^[a-z]+[0-9]*@example\\.com$'.replace('*', '{0,3}'), '^(eu|us)-[0-9]+$', '@example\\.com$', '^ACME', '^\\d{4}-\\d{2}-\\d{2}$', 'x.y', '^[^@]+@']) {
      expect(safeRegExp(pattern), pattern).toBeInstanceOf(RegExp);
    }
  });

  it('where one is taken for safe, it answers as RE2 on every input (fast-check)', () => {
    const atom = fc.constantFrom('a', 'b', 'x', '.', '\\d', '\\w', '[a-c]', '[^a]', '[-a]', '[a-]', '\\.', '\\-', '-', '@', ' ', '1', '_', '\\$', '[\\d_]');
    const quantifier = fc.constantFrom('', '', '', '*', '+', '?', '{2}', '{1,3}', '{2,}', '{0}');
    const piece = fc.oneof(
      fc.tuple(atom, quantifier).map(([a, q]) => a + q),
      fc.array(fc.array(atom, { maxLength: 3 }).map((l) => l.join('')), { minLength: 1, maxLength: 3 }).map((arms) => `(${arms.join('|')})`),
    );
    const pattern = fc.tuple(fc.boolean(), fc.array(piece, { maxLength: 5 }), fc.boolean(), fc.boolean()).map(([start, pieces, alt, end]) => `${start ? '^' : ''}${pieces.join('')}${alt ? '|x' : ''}${end ? '$' : ''}`);
    const input = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'x', '.', '-', '@', '1', ' ', '_', '$', '\n', '\r', 'é', '\u2028'), maxLength: 12 });
    let taken = 0;
    fc.assert(
      fc.property(pattern, fc.array(input, { minLength: 1, maxLength: 6 }), (p, texts) => {
        const re = safeRegExp(p);
        if (re === undefined) return;
        taken++;
        for (const text of texts) expect(re.test(text), `${p} on ${JSON.stringify(text)}`).toBe(matches(text, p));
        expect(matchesSafe(texts[0], p)).toBe(matches(texts[0], p));
      }),
      { numRuns: 1500 },
    );
    expect(taken).toBeGreaterThan(300);
  });
});

describe('issue 13.3: patterns a request supplies', () => {
  const DECLS = { resource: t.object('lead', { name: t.string }), context: t.object('context', { pattern: t.string }) };
  const condition = compileExpression('resource.name.matches(context.pattern)', DECLS);
  if (!condition.ok) throw new Error('does not compile');

  it('`resource.name.matches(context.pattern)` with `(a+)+$` against 41 characters answers false', () => {
    expect(condition.test({ resource: { name: 'a'.repeat(40) + '!' }, context: { pattern: '(a+)+$' } })).toBe(false);
    expect(condition.test({ resource: { name: 'a'.repeat(41) }, context: { pattern: '(a+)+$' } })).toBe(true);
  });

  it('a pattern RE2 rejects is an error: lookaround, backreferences, a repeat count above 1000', () => {
    for (const pattern of ['(?=a)', '(?<!a)b', '(a)\\1', 'a{1001}', '(', '\\C']) {
      const v = condition.test({ resource: { name: 'a' }, context: { pattern } });
      expect(v, pattern).toBeInstanceOf(CelError);
      expect((v as CelError).message).toContain(`invalid regular expression \`${pattern}\``);
    }
  });

  it('RE2 semantics, not JS: `\\z`, `(?i)`, `(?s)`, `(?P<name>…)`, POSIX classes, `\\pL`; `.` is any character but `\\n`', () => {
    expect(matches('ab', 'b\\z')).toBe(true);
    expect(matches('ABC', '(?i)abc')).toBe(true);
    expect(matches('a\nb', '(?s)a.b')).toBe(true);
    expect(matches('a\nb', 'a.b')).toBe(false);
    expect(matches('a\rb', 'a.b')).toBe(true); // JS `.` excludes `\r`; RE2's does not
    expect(matches('x7', '(?P<digit>[[:digit:]])')).toBe(true);
    expect(matches('ł', '^\\pL$')).toBe(true);
    expect(matches('\u00a0', '\\s')).toBe(false); // RE2's `\s` is ASCII whitespace
    expect(matches('😀', '^.$')).toBe(true); // one code point, not two UTF-16 units
  });

  it('never throws, whatever the input or the pattern (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }), (input, pattern) => {
        const v = matches(input, pattern);
        expect(typeof v === 'boolean' || v instanceof CelError).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

const POLICY = `
resources:
  lead:
    actions: [view]
    attributes: { name: string }
context:
  pattern: string
roles:
  rep:
    grants:
      lead:
        view: { level: all, when: 'resource.name.matches(context.pattern)' }
`;

describe('issue 13.3: in a generated checker', () => {
  it('a literal pattern RE2 rejects is a compile error PC5005 on the pattern', async () => {
    const policy = POLICY.replace('resource.name.matches(context.pattern)', 'resource.name.matches("^(?=a)")');
    const { diagnostics } = await compileTexts('re2', [{ path: 'policy.yaml', text: policy }]);
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([['PC5005', 'regular expression `^(?=a)` is not valid RE2: invalid or unsupported Perl syntax: `(?=`']]);
  });

  it('a catastrophic pattern from the request is decided; a bad one is a denial with code `condition`', async () => {
    const checker = await compileSources({ 'policy.yaml': POLICY });
    const can = (name: string, pattern: string) => checker.can({ id: 'u1', role: 'rep' }, 'view', { kind: 'lead', name }, { pattern });
    expect(can('a'.repeat(N) + '!', '(a+)+$')).toMatchObject({ allow: false, code: 'condition' });
    expect(can('a'.repeat(N), '(a+)+$')).toMatchObject({ allow: true });
    expect(can('abc', '(?<=a)b')).toMatchObject({ allow: false, code: 'condition' });
  });
});
