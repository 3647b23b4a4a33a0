/**
 * Working hours (R-Z10) without the CEL runtime (issue 17): a `duringShift` grant's checker code
 * calls the runtime's `duringShift` on the policy's shifts as data, instead of the compiled CEL
 * text the analysis writes for it. That text stays the condition's meaning: here the reference
 * interpreter evaluates it (compiler/reference/conditions.ts `celMet`) for random requests —
 * principals whose `shift` is their own, their class's, only a polluted `Object.prototype`'s, of
 * another type or a throwing getter; contexts without `now`, with a string, a number, an invalid
 * or out-of-range `Date`, a class getter, a throwing getter, a Proxy, a `Map`; instants around
 * midnight, shift edges and Europe/Warsaw's DST changes — and the checker must answer the same.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileExpression, t } from '../compiler/cel/index.ts';
import { compileSources } from '../compiler/index.ts';
import type { PolicyModel } from '../compiler/ir/model.ts';
import { celMet } from '../compiler/reference/conditions.ts';
import { policyOf } from '../compiler/reference/read.ts';
import { CelTimestamp } from '../packages/runtime/src/cel.ts';
import { duringShift, ordinary, type Checker, type Decision, type Shift } from '../packages/runtime/src/index.ts';
import { checkerOf } from './helpers/policy.ts';
import { polluted } from './helpers/pollution.ts';
import { contextNow, likely, principalShift, request, withPollution } from './helpers/shift-requests.ts';

/** zoho-hierarchy's shifts, and two more: a weekend night at a negative offset, a Sunday early shift across Warsaw's DST hour. */
const POLICY = `
resources:
  lead:
    actions: [view, edit, delete, export]
    attributes: { amount: number }
context:
  channel: string
shifts:
  warsaw_office: { days: [mon, tue, wed, thu, fri], start: '08:00', end: '17:00', timeZone: Europe/Warsaw }
  sydney_night: { days: [mon, tue, wed, thu, fri], start: '22:00', end: '06:00', timeZone: '+11:00' }
  weekend_late: { days: [sat, sun], start: '20:00', end: '02:00', timeZone: '-02:30' }
  warsaw_dawn: { days: [sun], start: '01:30', end: '03:30', timeZone: Europe/Warsaw }
roles:
${['desk', 'nomad'].map((role) => `  ${role}:${role === 'desk' ? '\n    shift: warsaw_office' : ''}
    grants:
      lead:
        view: { level: all, duringShift: true }
        edit: { level: all, duringShift: true, when: 'context.channel == "web"' }
        delete: { level: all, duringShift: true, when: 'resource.amount > 10.0' }
        export: { level: all, duringShift: true, when: 'principal.groups.exists(g, g == "night")' }
`).join('')}`;

const ACTIONS = ['view', 'edit', 'delete', 'export'] as const;

/** What the checker's decision says of the condition: held, did not hold, or could not be evaluated. */
function outcome(d: Decision): boolean | undefined | string {
  if (d.allow) return true;
  if (d.reason.endsWith('the condition does not hold')) return false;
  if (d.reason.includes('the condition could not be evaluated')) return undefined;
  return d.reason;
}

describe('R-Z10 issue 17: working hours decided by the runtime, as the CEL text of the condition says', () => {
  let checker: Checker;
  let model: PolicyModel;
  let checkerTs: string;
  const files = [parse(POLICY) as unknown];
  const policy = policyOf(files);
  const kind = policy.kinds.get('lead')!;

  beforeAll(async () => {
    const result = await compileSources('shifts', [{ path: 'policy.yaml', text: POLICY }]);
    checker = await checkerOf(result);
    model = result.model!;
    checkerTs = result.output!.checkerTs;
  });

  /** The condition text of a role's grant, as the model keeps it. */
  const textOf = (role: string, action: string): string => {
    const rule = model.rules.find((r) => r.role === role && r.action === action && r.kind === 'grant');
    if (rule?.condition?.kind !== 'cel') throw new Error(`no condition for ${role} ${action}`);
    return rule.condition.text;
  };

  it('the conditions call the runtime with the role\'s shift, or none; a checker whose only conditions are working hours does not import the CEL runtime', async () => {
    expect(checkerTs).toContain('duringShift(p, c, SHIFTS, 2 /* warsaw_office */)');
    expect(checkerTs).toContain('duringShift(p, c, SHIFTS, -1)');
    expect(checkerTs).toContain('import * as cel from "@policyc/runtime/cel";');
    const alone = POLICY.replace(/\n {8}(edit|delete|export): .*/g, '').replace('context:\n  channel: string\n', '');
    const result = await compileSources('shifts', [{ path: 'policy.yaml', text: alone }]);
    expect(result.output?.checkerTs).toContain('duringShift(p, c, SHIFTS, 2 /* warsaw_office */)');
    expect(result.output?.checkerTs).not.toContain('@policyc/runtime/cel');
    expect(result.output?.checkerTs).not.toContain('cel.');
  });

  it('random requests: the checker answers every `duringShift` grant as the reference interpreter evaluates its CEL text', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(fc.constantFrom('desk', 'nomad'), fc.constantFrom(...ACTIONS), principalShift, contextNow, likely, likely, fc.double({ min: 0, max: 20, noNaN: true }), (role, action, shift, now, channel, night, amount) => {
        const text = textOf(role, action);
        const resource = { kind: 'lead', amount };
        const mine = request(role, shift, now, channel, night);
        const got = withPollution(mine.pollute, () => outcome(checker.can(mine.principal as never, action, resource, mine.context as never)));
        const theirs = request(role, shift, now, channel, night);
        const want = withPollution(theirs.pollute, () =>
          celMet(policy, kind, 'lead', text, ordinary(theirs.principal) as Record<string, unknown>, resource, theirs.context ?? {}),
        );
        const key = String(want);
        seen.set(key, (seen.get(key) ?? 0) + 1);
        const about = `${role} ${action} shift=${JSON.stringify(shift)} now=${JSON.stringify(now)} channel=${channel}`;
        expect(got, about).toBe(want);
        if (action !== 'delete') {
          // a plan of a grant whose condition reads no record decides the condition once: every record, or none
          const plan = withPollution(mine.pollute, () => checker.plan(mine.principal as never, action, 'lead', mine.context as never));
          expect(plan.result, about).toBe(want === true ? 'always' : 'never');
        }
      }),
      { numRuns: 5000 },
    );
    // the requests reach every outcome, each often
    for (const key of ['true', 'false', 'undefined']) expect(seen.get(key) ?? 0, key).toBeGreaterThan(200);
  });
  it('a `when:` over its cost budget is the whole condition\'s answer, whatever the shift says (docs/conditions.md, "Cost budget")', async () => {
    const result = await compileSources('shifts', [{ path: 'policy.yaml', text: `${POLICY}limits:\n  conditionBudget: 2\n` }]);
    const small = await checkerOf(result);
    const principal = { id: 'u1', role: 'desk', groups: ['a', 'b', 'c', 'd'] };
    // within the office shift, outside it, and without `now`
    for (const context of [{ now: new Date('2026-03-24T09:30:00Z') }, { now: new Date('2026-03-22T09:30:00Z') }, {}]) {
      expect(small.can(principal, 'export', { kind: 'lead' }, context).reason).toMatch(/the condition went over its cost budget/);
    }
    // within the budget, the shift decides
    expect(small.can({ ...principal, groups: ['night'] }, 'export', { kind: 'lead' }, { now: new Date('2026-03-24T09:30:00Z') }).allow).toBe(true);
    expect(small.can({ ...principal, groups: ['night'] }, 'export', { kind: 'lead' }, { now: new Date('2026-03-22T09:30:00Z') }).reason).toMatch(/the condition does not hold$/);
  });
});

describe("R-Z10 issue 17: the runtime's `duringShift` on values no checker request of the example sets makes", () => {
  let rows: Shift[];
  let text: string;
  const policy = policyOf([parse(POLICY) as unknown]);
  const kind = policy.kinds.get('lead')!;

  beforeAll(async () => {
    const result = await compileSources('shifts', [{ path: 'policy.yaml', text: POLICY }]);
    // the table as the checker declares it, and the CEL text of `desk`'s shift condition
    rows = JSON.parse(/const SHIFTS: readonly Shift\[\] = (.*);/.exec(result.output!.checkerTs)![1]!) as Shift[];
    const rule = result.model!.rules.find((r) => r.role === 'desk' && r.action === 'view' && r.kind === 'grant')!;
    text = (rule.condition as { text: string }).text;
  });

  const office = (): number => rows.findIndex((r) => r[0] === 'warsaw_office');
  /** Monday 2026-03-23, 10:00 in Warsaw: within the office shift. */
  const MONDAY = Date.parse('2026-03-23T09:00:00Z');

  const both = (principal: object, context: object, zoneOf = (zone: string) => zone): [boolean | undefined, boolean | undefined] => {
    const table = rows.map(([name, days, start, end, zone]): Shift => [name, days, start, end, zoneOf(zone)]);
    const cel = text.replace(/"(Europe\/Warsaw|[+-]\d\d:\d\d)"/g, (_, zone: string) => JSON.stringify(zoneOf(zone)));
    if (cel === text) return [duringShift(principal, context, table, office()), celMet(policy, kind, 'lead', cel, principal as Record<string, unknown>, { kind: 'lead' }, context)];
    // a zone the compiler's checks refuse: the text compiled unchecked, as a runtime without that zone runs it
    const compiled = compileExpression(cel, { principal: t.dyn, resource: t.dyn, context: t.dyn }, { check: false });
    if (!compiled.ok) throw new Error('does not compile');
    const value = compiled.test({ principal, resource: { kind: 'lead' }, context });
    return [duringShift(principal, context, table, office()), typeof value === 'boolean' ? value : undefined];
  };

  it('a zone this runtime does not know is an error of the shifts in it only', () => {
    const mars = (zone: string) => (zone === 'Europe/Warsaw' ? 'Mars/Olympus' : zone);
    for (const principal of [{ id: 'u', role: 'desk' }, { id: 'u', role: 'desk', shift: 'sydney_night' }, { id: 'u', role: 'desk', shift: Symbol('x') }]) {
      for (const at of [MONDAY, Date.parse('2026-03-23T12:00:00Z'), Date.parse('2026-03-22T12:00:00Z')]) {
        const [mine, reference] = both(principal, { now: new Date(at) }, mars);
        expect(mine).toBe(reference);
      }
    }
    expect(both({ id: 'u', role: 'desk' }, { now: new Date(MONDAY) }, mars)[0]).toBeUndefined();
    expect(both({ id: 'u', role: 'desk', shift: 'sydney_night' }, { now: new Date(Date.parse('2026-03-23T12:00:00Z')) }, mars)[0]).toBe(true);
  });

  it('`now` as CEL timestamps: the runtime\'s own, one of NaN or infinite seconds, one beyond what a zone can format', () => {
    const principal = { id: 'u', role: 'desk' };
    const cases: [CelTimestamp, boolean | undefined][] = [
      [new CelTimestamp(MONDAY / 1000, 0), true],
      [new CelTimestamp(MONDAY / 1000 + 3600 * 12, 0), false],
      [new CelTimestamp(NaN, 0), undefined],
      [new CelTimestamp(Infinity, 0), undefined],
      [new CelTimestamp(1e20, 0), undefined],
    ];
    for (const [now, expected] of cases) {
      expect(both(principal, { now })).toEqual([expected, expected]);
      const [mine, reference] = both({ ...principal, shift: 'sydney_night' }, { now });
      expect(mine).toBe(reference);
    }
  });

  it('a principal or context that is a Map, or a principal whose `shift` getter throws: as CEL reads them', () => {
    const now = new Date(MONDAY);
    const throwing = Object.defineProperty({ id: 'u', role: 'desk' }, 'shift', { get: () => { throw new Error('x'); } });
    const requests: [object, object][] = [
      [new Map([['shift', 'warsaw_office']]), { now }],
      [{ id: 'u', role: 'desk' }, new Map([['now', now]])],
      [{ id: 'u', role: 'desk' }, new Map([['now', 'Monday']])],
      [throwing, { now }],
    ];
    for (const [principal, context] of requests) {
      const [mine, reference] = both(principal, context);
      expect(mine).toBe(reference);
    }
    expect(both(throwing, { now })[0]).toBeUndefined();
    polluted(Object.prototype, 'shift', 'sydney_night', () => {
      for (const [principal, context] of requests) {
        const [mine, reference] = both(principal, context);
        expect(mine).toBe(reference);
      }
    });
  });
});
