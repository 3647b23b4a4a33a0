/**
 * Issue 17: a condition without a comprehension binds its temporaries by assignment to locals its
 * function declares (compiler/cel/emit.ts), not by arrows called at once — no closure, so no
 * context or closure object is allocated per check and a check makes no garbage. The temporaries
 * must stay private to one evaluation: a getter that calls the checker again while its condition
 * runs (re-entrancy) gets its own, and the outer decision is the one it would be alone.
 */
import { describe, expect, it } from 'vitest';
import { compileExpression, emitCondition, emitExpression, parseExpression, checkExpression, t, type Declarations } from '../compiler/cel/index.ts';
import * as cel from '../packages/runtime/src/cel.ts';
import { compileSources } from './helpers/policy.ts';

const DECLS: Declarations = {
  principal: t.object('principal', { id: t.string, role: t.string }),
  resource: t.object('lead', { stage: t.string, amount: t.int, tags: t.list(t.string), owner: t.string }),
  context: t.object('context', { channel: t.string, now: t.timestamp }),
};
const NAMES = { variables: { principal: 'p', resource: 'r', context: 'c' }, runtime: 'cel', ordinary: ['principal', 'resource'] };

function emitted(text: string) {
  const parsed = parseExpression(text);
  if (!parsed.ok) throw new Error(text);
  const checked = checkExpression(parsed.ast, DECLS);
  return { condition: emitCondition(parsed.ast, NAMES, checked), expression: emitExpression(parsed.ast, NAMES, checked) };
}

describe('issue 17: conditions bind temporaries without closures', () => {
  it('a condition without a comprehension has no arrow: its temporaries are declared by the caller', () => {
    for (const text of [
      'resource.stage == "negotiation" && resource.amount >= 50000',
      'resource.stage in ["won", "lost"] || resource.owner == principal.id',
      'context.now.getHours("Europe/Warsaw") >= 9 && context.now.getHours("Europe/Warsaw") < 17',
      '(resource.amount > 10 ? "big" : "small") == "big"',
    ]) {
      const { condition } = emitted(text);
      expect(condition.code, text).not.toContain('=>');
      expect(condition.temps.length, text).toBeGreaterThan(0);
      for (const temp of condition.temps) expect(condition.code, text).toContain(`${temp} = `);
    }
  });

  it('a condition with a comprehension keeps its arrows (a predicate is a closure) and declares nothing outside', () => {
    const { condition } = emitted('resource.tags.exists(tag, tag == "vip") && resource.stage == "won"');
    expect(condition.temps).toEqual([]);
    expect(condition.code).toContain('=>');
  });

  it('emitExpression stays self-contained: the same values as the declared form, for every binding', () => {
    const text = 'resource.stage == "negotiation" && resource.amount >= 50000 || context.channel in ["web", "app"]';
    const { condition, expression } = emitted(text);
    const declared = new Function('cel', 'p', 'r', 'c', `"use strict"; let ${condition.temps.join(', ')}; return ${condition.code};`);
    const contained = new Function('cel', 'p', 'r', 'c', `"use strict"; return ${expression};`);
    const compiled = compileExpression(text, DECLS);
    if (!compiled.ok) throw new Error(text);
    const records = [{ stage: 'negotiation', amount: 60000 }, { stage: 'negotiation', amount: 10 }, { stage: 'won' }, {}, { amount: 2 ** 60 }];
    const contexts = [{ channel: 'web' }, { channel: 'fax' }, {}, { channel: 7 }];
    for (const r of records) {
      for (const c of contexts) {
        const want = compiled.evaluate({ principal: { id: 'u1' }, resource: r, context: c });
        // a CEL error is an object: compare what kind of value came back
        const shape = (v: unknown) => (typeof v === 'boolean' ? v : (v as object)?.constructor?.name);
        expect(shape(contained(cel, { id: 'u1' }, r, c))).toBe(shape(want));
        expect(shape(declared(cel, { id: 'u1' }, r, c))).toBe(shape(want));
      }
    }
  });

  it('hostile: a context getter that calls the checker again mid-condition changes neither decision', async () => {
    const checker = await compileSources({
      'policy.yaml': `
resources:
  lead:
    actions: [view]
    attributes: { stage: string, amount: number }
context:
  channel: string
roles:
  rep:
    grants:
      lead:
        view: { level: all, when: 'resource.stage == "negotiation" && context.channel == "web" && resource.amount >= 1000.0' }
`,
    });
    const rep = { id: 'u1', role: 'rep' };
    const big = { kind: 'lead', stage: 'negotiation', amount: 5000 };
    const small = { kind: 'lead', stage: 'won', amount: 10 };
    const inner: unknown[] = [];
    // the getter runs between the reads of `stage` and `amount` of the outer evaluation
    const context = {
      get channel() {
        inner.push(checker.can(rep, 'view', small, { channel: 'fax' }));
        return 'web';
      },
    };
    expect(checker.can(rep, 'view', big, context)).toMatchObject({ allow: true });
    expect(inner).toHaveLength(1);
    expect(inner[0]).toMatchObject({ allow: false, code: 'condition' });
    // and the other way round: the outer condition is false, the nested one true
    const nested: unknown[] = [];
    const denying = {
      get channel() {
        nested.push(checker.can(rep, 'view', big, { channel: 'web' }));
        return 'fax';
      },
    };
    expect(checker.can(rep, 'view', big, denying)).toMatchObject({ allow: false, code: 'condition' });
    expect(nested[0]).toMatchObject({ allow: true });
  });
});
