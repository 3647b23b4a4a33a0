/**
 * The short plan code of generated checkers (issue 17: plans are parsed at import, never run by
 * `can`): actions whose cells read no record have no plan function of their own (the kind's action
 * switch answers), plan functions with the same code are one, decisions are `fixed(rule, path)`,
 * and a stage or pipeline condition is planned by its twin `when_N_plan`. Whatever is written
 * shorter, a record passes the plan exactly when `can` allows it, for every principal, kind and
 * action of the example sets, in both layouts.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileDir, compileSources, type CompileResult, type PolicyModel } from '../compiler/index.ts';
import { toPredicate, type Checker } from '../packages/runtime/src/index.ts';
import { checkerOf } from './helpers/policy.ts';

const root = join(import.meta.dirname, '..');

/** A small deterministic generator: the same records on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Records of `kind` whose attributes take the values that matter: the principal's id, groups, roles, stages, pipelines, organisations, wrong types. */
function records(model: PolicyModel, kind: string, count: number, next: () => number, depth = 0): Record<string, unknown>[] {
  const resource = model.resources.find((r) => r.name === kind)!;
  const pick = <T,>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  const names = [...model.roles.map((r) => r.name), ...model.groups.map((g) => g.name)];
  const stages = [...(resource.pipelines?.values() ?? [])].flat();
  const valuesOf = (attribute: { name: string; type: string }): readonly unknown[] => {
    if (attribute.name === resource.owner) return [undefined, 'u1', 'u2', 7];
    if (attribute.name === resource.team) return [undefined, ...model.groups.map((g) => g.name), 'elsewhere'];
    if (attribute.name === resource.ownerRole) return [undefined, ...model.roles.map((r) => r.name)];
    if (attribute.name === resource.stage) return [undefined, ...stages, 'undeclared'];
    if (attribute.name === resource.pipeline) return [undefined, ...(resource.pipelines?.keys() ?? []), 'main', 'partners', 'undeclared'];
    if (attribute.name === resource.organisation) return [undefined, 'o1', 'o2'];
    switch (attribute.type) {
      case 'number':
        return [undefined, 5, 9_999, 10_000, 50_000, '5'];
      case 'boolean':
        return [undefined, true, false];
      case 'string[]':
        return [undefined, [], ['u1'], ['u2', 'u1'], 'u1'];
      case 'record':
        return depth > 0 || resource.parent === undefined ? [undefined] : [undefined, ...resource.parent.resources.flatMap((k) => records(model, k, 3, next, depth + 1))];
      default:
        return [undefined, 'u1', ...names, 7];
    }
  };
  return Array.from({ length: count }, () => Object.fromEntries([['kind', kind], ...resource.attributes.map((a) => [a.name, pick(valuesOf(a))])]));
}

/** Principals of every role, with no group, each group and all, with and without each profile, shift and organisation. */
function principals(model: PolicyModel): Record<string, unknown>[] {
  const groups = model.groups.map((g) => g.name);
  const out: Record<string, unknown>[] = [];
  for (const role of [...model.roles.map((r) => r.name), 'nobody'])
    for (const inGroups of [[], ...groups.map((g) => [g]), groups])
      for (const profile of [undefined, ...model.profiles]) {
        const p: Record<string, unknown> = { id: 'u1', role, groups: inGroups, reports: ['u2'], organisation: 'o1', shift: 'warsaw_office' };
        if (profile !== undefined) p['profile'] = profile;
        out.push(p);
      }
  return out;
}

const CONTEXTS = [undefined, { now: new Date('2026-01-05T10:00:00Z') }, { now: new Date('2026-01-10T23:30:00Z') }];

/** Every principal × kind × action (and an unknown action): the plan keeps exactly the records `can` allows (a superset where it says `recheck`). */
function expectPlansMatchCan(model: PolicyModel, checker: Checker, perKind: number): number {
  const next = random(17);
  let compared = 0;
  for (const resource of model.resources) {
    const sample = records(model, resource.name, perKind, next);
    for (const p of principals(model))
      for (const action of [...resource.actions, 'archive'])
        for (const context of CONTEXTS) {
          const plan = checker.plan(p as never, action, resource.name as never, context as never);
          const keep = toPredicate(plan);
          for (const record of sample) {
            const allowed = checker.can(p as never, action, record as never, context as never).allow;
            const at = `${JSON.stringify(p)} ${action} ${JSON.stringify(record)} ${JSON.stringify(context)}: ${JSON.stringify(plan)}`;
            if (plan.recheck) {
              if (allowed) expect(keep(record), at).toBe(true);
            } else expect(keep(record), at).toBe(allowed);
            compared++;
          }
        }
  }
  return compared;
}

async function compiled(result: CompileResult): Promise<{ model: PolicyModel; checker: Checker; checkerTs: string }> {
  return { model: result.model!, checker: await checkerOf(result), checkerTs: result.output!.checkerTs };
}

const ORGANISATION = `resources:
  ticket:
    actions: [view, edit, close]
    attributes: { owner: string, org: string }
    owner: owner
    organisation: org
  note:
    actions: [view]
    attributes: { org: string }
    organisation: org
roles:
  agent: { grants: { ticket: { view: own, edit: own, close: red }, note: green } }
  lead: { grants: { ticket: green, note: red } }
  admin: { administrator: true }
`;

describe('short plan code plans exactly what can decides', () => {
  for (const set of ['kommo-crm', 'gtg-marketing', 'zoho-hierarchy'])
    for (const layout of ['code', 'table'] as const)
      it(`R-K5 R-K8 R-K9 R-Z1 R-Z2 R-Z10 R-Z11 ${set} as ${layout}: every principal, kind, action and sampled record`, async () => {
        const { model, checker } = await compiled(await compileDir(join(root, 'policies', set), { layout }));
        expect(expectPlansMatchCan(model, checker, 12)).toBeGreaterThan(1000);
      });

  it('R-Z13 kinds of an organisation: every action planned within the principal\'s organisation, an unknown action refused', async () => {
    const { model, checker, checkerTs } = await compiled(await compileSources('o', [{ path: 'p.yaml', text: ORGANISATION }]));
    expect(expectPlansMatchCan(model, checker, 40)).toBeGreaterThan(1000);
    // `note` reads no record attribute but its organisation: still a plan per action, never `can` without a record
    expect(checkerTs).toMatch(/function plan_note_view\(/);
    expect(checker.plan({ id: 'u1', role: 'agent', organisation: 'o1' }, 'view', 'note').filter).toEqual({ op: 'eq', attribute: 'org', value: 'o1' });
  });
});

describe('what is left out of the plan code', () => {
  it('R-K7 R-G1 a kind whose cells read no record has no plan function: its plan is `can` without a record, with the same reason', async () => {
    const { model, checker, checkerTs } = await compiled(await compileDir(join(root, 'policies', 'gtg-marketing'), { layout: 'code' }));
    const modules = model.resources.filter((r) => r.kind === 'module');
    expect(modules.length).toBeGreaterThan(5);
    for (const resource of modules) {
      expect(checkerTs).not.toMatch(new RegExp(`function plan_${resource.name}_`));
      for (const p of principals(model))
        for (const action of [...resource.actions, 'archive']) {
          const decision = checker.can(p as never, action, { kind: resource.name } as never);
          expect(checker.plan(p as never, action, resource.name as never)).toEqual({ result: decision.allow ? 'always' : 'never', filter: { op: decision.allow ? 'true' : 'false' }, reason: decision.reason });
        }
    }
  });

  it('R-K5 an unknown action of a kind with declared pipelines is refused as `can` refuses it, though the kind\'s plans keep declared stages only', async () => {
    const checker = await compiled(await compileDir(join(root, 'policies', 'kommo-crm'))).then((c) => c.checker);
    const p = { id: 'u1', role: 'sales_rep', groups: ['sales'] };
    const decision = checker.can(p, 'archive', { kind: 'lead' });
    expect(decision.code).toBe('unknown-action');
    expect(checker.plan(p, 'archive', 'lead')).toEqual({ result: 'never', filter: { op: 'false' }, reason: decision.reason });
  });

  it('R-K5 R-K8 a group\'s pipeline rule is written once, in its plan twin; plans of actions alike are one function', async () => {
    const { checkerTs } = await compiled(await compileDir(join(root, 'policies', 'kommo-crm')));
    // the group, attribute and value of the interns' pipeline rule appear in its function and its twin only
    expect(checkerTs.match(/"interns"/g)?.length).toBeLessThanOrEqual(4);
    expect(checkerTs).toMatch(/function when_\d+_plan\(p: Principal, then: \(\) => QueryPlan, otherwise: \(\) => QueryPlan\): QueryPlan \{\n {2}return inGroup\(p, "interns"\) \? planner\.onAttribute\("pipeline", "partners", then, otherwise\) : otherwise\(\);/);
    // `message` · `view` and `send` follow the same parent check: one function, one case for both
    expect(checkerTs).toContain('case "view": case "send": return plan_message_view(p, c);');
    expect(checkerTs).not.toContain('function plan_message_send(');
  });
});
