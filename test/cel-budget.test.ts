/**
 * Issue 13.4: the cost of conditions is bounded. At compile time a static estimate reports
 * comprehensions whose work grows with the product of request list sizes (PC5007); at run time
 * each evaluation of a condition spends at most its budget of steps (`limits.conditionBudget`,
 * default 100,000), and going over it denies with code `condition`, in the generated checker and
 * in the reference interpreter alike.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileExpression, estimateCost, parseExpression, t, type Declarations } from '../compiler/cel/index.ts';
import { compileSources as compileTexts } from '../compiler/index.ts';
import { decide } from '../compiler/reference/interpret.ts';
import { CelBudgetExceeded, DEFAULT_BUDGET, isOverBudget } from '../packages/runtime/src/cel.ts';
import { compileSources } from './helpers/policy.ts';

const DECLS: Declarations = {
  principal: t.object('principal', { id: t.string, groups: t.list(t.string) }),
  resource: t.object('lead', { name: t.string, team: t.string, tags: t.list(t.string), rows: t.list(t.list(t.int)) }),
  context: t.object('context', {}),
};

function condition(text: string, budget?: number) {
  const c = compileExpression(text, DECLS, budget === undefined ? {} : { budget });
  if (!c.ok) throw new Error(`${text}: ${c.errors.map((e) => e.message).join('; ')}`);
  return (resource: Record<string, unknown>, principal: Record<string, unknown> = { id: 'u1', groups: [] }) => c.test({ principal, resource, context: {} });
}

const tags = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`);
const NESTED = 'resource.tags.all(a, resource.tags.exists(b, a == b))';

describe('issue 13.4: the run-time budget', () => {
  it(`the issue's nested comprehension over 200 request elements is answered within the default budget (${DEFAULT_BUDGET} steps)`, () => {
    expect(condition(NESTED)({ tags: tags(200) })).toBe(true);
    expect(condition('resource.tags.all(a, resource.tags.exists(b, a + "x" == b))')({ tags: tags(200) })).toBe(false);
  });

  it('over 2,000 elements (about 2,000,000 steps) it stops at the budget: an error naming the budget, not an answer', () => {
    const v = condition(NESTED)({ tags: tags(2_000) });
    expect(v).toBeInstanceOf(CelBudgetExceeded);
    expect(isOverBudget(v)).toBe(true);
    expect((v as CelBudgetExceeded).message).toBe('the condition went over its cost budget of 100000 steps (`limits.conditionBudget`)');
  });

  it('one step per element visited: a budget of 10 allows 10 elements, not 11', () => {
    const all = condition('resource.tags.all(t, t != "")', 10);
    expect(all({ tags: tags(10) })).toBe(true);
    expect(isOverBudget(all({ tags: tags(11) }))).toBe(true);
    // exists stops at the first hit, and spends only what it visited
    expect(condition('resource.tags.exists(t, t == "t0")', 1)({ tags: tags(1_000) })).toBe(true);
  });

  it('nested comprehensions spend the product of their sizes', () => {
    const nested = condition('resource.tags.all(a, resource.tags.all(b, b != ""))', 30 * 30 + 30);
    expect(nested({ tags: tags(30) })).toBe(true);
    expect(isOverBudget(nested({ tags: tags(31) }))).toBe(true);
  });

  it('nothing absorbs going over: not `|| true`, not `&& false`, not a macro that found its answer', () => {
    for (const text of [`${NESTED} || true`, `true && ${NESTED} || true`, `${NESTED} && false`, `[1, 2].exists(x, ${NESTED}) || true`, `[1].all(x, ${NESTED}) || [2].all(y, false)`]) {
      expect(isOverBudget(condition(text, 1_000)({ tags: tags(100) })), text).toBe(true);
    }
    // `||` and `&&` still skip what they do not need: the nested part is never run
    expect(condition(`true || ${NESTED}`, 1_000)({ tags: tags(100) })).toBe(true);
  });

  it('string and list work costs steps: `matches` and `contains` per 10 characters read, `+` per element copied, `in` per element walked', () => {
    const name = 'n'.repeat(1_000);
    expect(condition('resource.name.matches("x")', 101 + 1)({ name })).toBe(false);
    expect(isOverBudget(condition('resource.name.matches("x")', 100)({ name }))).toBe(true);
    expect(isOverBudget(condition('resource.tags.exists(t, resource.name.contains(t))', 500)({ name, tags: tags(10) }))).toBe(true);
    expect(isOverBudget(condition('resource.tags.exists(t, size(resource.tags + resource.tags) == 0)', 1_000)({ tags: tags(100) }))).toBe(true);
    expect(isOverBudget(condition('resource.tags.exists(t, t in principal.groups)', 1_000)({ tags: tags(100) }, { id: 'u1', groups: tags(100).map((g) => `g${g}`) }))).toBe(true);
  });

  it('a condition without a comprehension or `matches` is not metered: its work is linear in the request', () => {
    const c = compileExpression('resource.name.startsWith("a") && resource.team in principal.groups', DECLS);
    expect(c.ok && c.source).not.toContain('meter');
    const m = compileExpression('resource.name.matches("^a")', DECLS);
    expect(m.ok && m.source).toContain('.meter(100000)');
  });

  it('a budget that is not a positive whole number is an internal error, never emitted', () => {
    expect(() => compileExpression('resource.tags.all(t, true)', DECLS, { budget: 0.5 })).toThrow(/budget/);
  });
});

describe('issue 13.4: the static estimate (cel-go style, by degree of the request size)', () => {
  const VARIABLES = new Set(['principal', 'resource', 'context']);
  const estimate = (text: string) => {
    const parsed = parseExpression(text);
    if (!parsed.ok) throw new Error(text);
    const { degree, unbounded } = estimateCost(parsed.ast, VARIABLES);
    return { degree, unbounded: unbounded.map((e) => text.slice(e.offset, e.offset + e.length)) };
  };

  it('linear: one comprehension over a request list, comparing each element with a value', () => {
    expect(estimate('resource.tags.exists(t, t == "vip")')).toEqual({ degree: 1, unbounded: [] });
    expect(estimate('[1, 2, 3].all(x, resource.tags.exists(t, t == "a"))')).toEqual({ degree: 1, unbounded: [] });
    expect(estimate('resource.name == "a"')).toEqual({ degree: 1, unbounded: [] });
    expect(estimate('1 + 2 == 3')).toEqual({ degree: 0, unbounded: [] });
  });

  it('linear: walking the elements of the element (work on an element is work on the range)', () => {
    expect(estimate('resource.rows.all(r, r.all(x, x > 0))')).toEqual({ degree: 1, unbounded: [] });
  });

  it('quadratic, reported: nested comprehensions over request lists, or a walk of request data at every step', () => {
    expect(estimate(NESTED)).toEqual({ degree: 2, unbounded: [NESTED] });
    expect(estimate('resource.name != "" && resource.tags.exists(t, resource.name.matches(t))')).toEqual({ degree: 2, unbounded: ['resource.tags.exists(t, resource.name.matches(t))'] });
    expect(estimate('resource.tags.map(t, resource.tags).exists(l, l.exists(x, x == "a"))').degree).toBe(2);
    expect(estimate('resource.tags.all(a, resource.tags.all(b, resource.tags.all(c, a == c)))')).toMatchObject({ degree: 3 });
  });

  it('deep nesting of comprehensions is estimated quickly (an overestimate beyond 10 levels)', () => {
    const deep = Array.from({ length: 24 }, (_, i) => `[1].all(x${i}, `).join('') + 'true' + ')'.repeat(24);
    expect(estimate(deep)).toEqual({ degree: 0, unbounded: [] });
  });
});

const POLICY = (limits: string, when = NESTED) => `
resources:
  lead:
    actions: [view]
    attributes: { tags: 'string[]' }
${limits}
roles:
  rep:
    grants:
      lead:
        view: { level: all, when: '${when}' }
`;

describe('issue 13.4: the budget of a policy set', () => {
  it('PC5007 warns at the comprehension, and says what the budget is', async () => {
    const text = POLICY('limits: { conditionBudget: 5000 }');
    const { diagnostics, output } = await compileTexts('budget', [{ path: 'policy.yaml', text }]);
    expect(output).toBeDefined();
    // (a PC5006 warning too: no query-plan filter expresses the comprehension)
    expect(diagnostics.filter((d) => d.code !== 'PC5006').map((d) => ({ code: d.code, severity: d.severity, text: text.slice(d.start, d.end), message: d.message }))).toEqual([
      {
        code: 'PC5007',
        severity: 'warning',
        text: NESTED,
        message: `the cost of \`${NESTED}\` grows with the product of request list sizes: a check spends up to 5000 steps on it and is denied beyond`,
      },
    ]);
  });

  it('`limits.conditionBudget` decides: within it the check answers, beyond it denies with code `condition` — as the reference interpreter does', async () => {
    const text = POLICY('limits: { conditionBudget: 5000 }');
    const checker = await compileSources({ 'policy.yaml': text });
    const files = [parse(text) as unknown];
    const principal = { id: 'u1', role: 'rep' };
    // `exists` stops at the match: n + n(n + 1) / 2 steps, 4,185 for 90 tags and 5,150 for 100
    for (const [n, allow] of [[90, true], [100, false]] as const) {
      const resource = { kind: 'lead', tags: tags(n) };
      expect(checker.can(principal, 'view', resource), `${n} tags`).toMatchObject(allow ? { allow: true } : { allow: false, code: 'condition' });
      expect(decide(files, principal, 'view', resource), `${n} tags`).toMatchObject(allow ? { allow: true } : { allow: false, code: 'condition' });
    }
    // the reason names the budget, so an operator knows what to raise; a failing condition says otherwise
    expect(checker.can(principal, 'view', { kind: 'lead', tags: tags(100) }).reason).toMatch(/and the condition went over its cost budget \(`limits\.conditionBudget`\)$/);
    expect(checker.can(principal, 'view', { kind: 'lead', tags: 'not a list' }).reason).toMatch(/the condition could not be evaluated/);
  });

  it('the default budget answers the 200-element nested comprehension; a larger budget answers more', async () => {
    const principal = { id: 'u1', role: 'rep' };
    const small = await compileSources({ 'policy.yaml': POLICY('') });
    expect(small.can(principal, 'view', { kind: 'lead', tags: tags(200) })).toMatchObject({ allow: true });
    expect(small.can(principal, 'view', { kind: 'lead', tags: tags(500) })).toMatchObject({ allow: false, code: 'condition' });
    const large = await compileSources({ 'policy.yaml': POLICY('limits: { conditionBudget: 1000000 }') });
    expect(large.can(principal, 'view', { kind: 'lead', tags: tags(500) })).toMatchObject({ allow: true });
  });

  it('a budget set twice, or not a positive integer, is an error', async () => {
    const twice = await compileTexts('budget', [
      { path: 'a.yaml', text: POLICY('limits: { conditionBudget: 5000 }') },
      { path: 'b.yaml', text: 'limits:\n  conditionBudget: 6000\n' },
    ]);
    expect(twice.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.file, d.message])).toEqual([['PC3004', 'b.yaml', '`limits.conditionBudget` is set twice']]);
    for (const bad of ['0', '1.5', '"many"']) {
      const { diagnostics } = await compileTexts('budget', [{ path: 'policy.yaml', text: POLICY(`limits: { conditionBudget: ${bad} }`) }]);
      expect(diagnostics.some((d) => d.severity === 'error' && d.code.startsWith('PC2')), bad).toBe(true);
    }
  });
});

describe('plans of a condition that does not decide for the principal', () => {
  // the planner writes these reasons with the ways of deciding as numbers (planner.ts): each must be
  // the reason `can` gives for the same rule, whatever record it is asked about
  const text = `
principal:
  teams: 'string[]'
  level: number
resources:
  lead:
    actions: [view, edit]
    attributes: { stage: string }
limits: { conditionBudget: 5000 }
roles:
  rep:
    grants:
      lead:
        view: { level: all, when: 'principal.teams.exists(a, principal.teams.exists(b, b == "x" && a == b))' }
        edit: { level: all, when: 'resource.stage == "won" && principal.level > 100' }
`;

  it('R-K9 over its budget, not evaluable, or holding nowhere: the plan denies every record with the reason of `can`', async () => {
    const checker = await compileSources({ 'policy.yaml': text });
    const record = { kind: 'lead', stage: 'won' };
    const reasons: string[] = [];
    for (const [principal, action] of [
      [{ id: 'u1', role: 'rep', teams: tags(100) }, 'view'],
      [{ id: 'u1', role: 'rep', teams: 'not a list' }, 'view'],
      [{ id: 'u1', role: 'rep', level: 5 }, 'edit'],
    ] as const) {
      const decision = checker.can(principal, action, record);
      expect(decision).toMatchObject({ allow: false, code: 'condition' });
      expect(checker.plan(principal, action, 'lead')).toMatchObject({ result: 'never', reason: decision.reason });
      reasons.push(decision.reason);
    }
    // the three reasons differ: over the budget, not evaluable, not holding
    expect(reasons[0]).toMatch(/went over its cost budget/);
    expect(reasons[1]).toMatch(/could not be evaluated/);
    expect(reasons[2]).toMatch(/does not hold$/);
  });
});
