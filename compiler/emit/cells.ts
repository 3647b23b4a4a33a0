/**
 * The cells of the code layout: for a resource × action, the switch on the role (and on the
 * profile), each role's cell as code — its rule's record test, conditions, stage and pipeline
 * overrides — and the plan of each.
 */
import type { ConditionModel, PolicyModel, ResourceModel, RoleModel } from '../ir/model.ts';
import { lit } from './literal.ts';
import { ownRead, principalValue, type RecordTest } from './reach.ts';
import type { CellTemplate } from './table.ts';
import { path } from './path.ts';

/**
 * `can` and `plan` of a resource × action as a switch on the principal's role. Cells that do
 * not depend on the record (red, green, administrator, default deny, unknown role) plan
 * exactly what `can` decides for them, without reading the record; `plan` is undefined when no
 * cell reads it.
 */
export function roleSwitch(model: PolicyModel, resource: ResourceModel, action: string, cellsFn: string, emitters: CellEmitters): { check: string; plan: string | undefined } {
  const cells = model.roles.map((role) => ({ role, ...profileCells(model, role, (r) => cellBodies(model, r, resource, action, emitters)) }));
  // R-Z2: where roles vary by the principal's profile (`check` has refused profiles the policy lacks)
  const guard = model.profiles.length === 0 ? [] : [`const profile = ${ownRead('p', 'profile')};`];
  const declared = declaredGuards(resource, emitters);
  // `role`: the principal's role when an entry passes it (compiler/emit/entries.ts), else read here
  const roleCases = (indent: string, list: readonly (typeof cells)[number][], check: (cell: (typeof cells)[number]) => string): string[] =>
    list.map((cell) => `${indent}case ${lit(cell.role.name)}: ${check(cell)}`);
  const base = [`switch (${model.profiles.length === 0 ? `role ?? ${principalValue(model, 'role')}` : 'who'}) {`, ...roleCases('  ', cells, (cell) => cell.base.check), '  default: return policy.unknownRole;', '}'];
  // R-Z2: a principal carrying a profile that changes its role's cell is decided by that profile's
  // case; any other goes on to the role's own cell. Decided once, not a switch on the profile in
  // every role's case: a policy with profiles was several times the code to parse at import (issue 17)
  const profileCases = model.profiles.map((profile) => ({ profile, changed: cells.filter((cell) => cell.forProfile(profile).check !== cell.base.check) }));
  const unchanged = profileCases.filter(({ changed }) => changed.length === 0).map(({ profile }) => `case ${lit(profile)}:`);
  const byProfile = [
    // the role read once: a getter cannot answer one role to the profile's switch and another to the role's
    `const who = role ?? ${principalValue(model, 'role')};`,
    'switch (profile) {',
    `  ${['case undefined:', ...unchanged].join(' ')} break;`,
    ...profileCases
      .filter(({ changed }) => changed.length > 0)
      .flatMap(({ profile, changed }) => [`  case ${lit(profile)}:`, '    switch (who) {', ...roleCases('      ', changed, (cell) => cell.forProfile(profile).check), '    }', '    break;']),
    '  default: return badProfile(profile);',
    '}',
  ];
  const planned = cells.filter(({ plan }) => plan !== undefined);
  // one string per function: large policies have tens of thousands of cells
  return {
    check: [...declared, ...guard, ...(model.profiles.length === 0 ? [] : byProfile), ...base].join('\n'),
    // no cell reads the record (modules, red, green, administrators): the plan is what `can` decides
    // without one, which the kind's plan answers for every such action at once (checker.ts)
    plan: planned.length === 0 ? undefined : [
      ...guard,
      `switch (${principalValue(model, 'role')}) {`,
      ...planned.map(({ role, plan }) => `  case ${lit(role.name)}: ${plan}`),
      // a profile's switch breaks out when its cell does not read the record: then the same fallback
      ...(model.profiles.length === 0 ? [`  default: return planner.fixed(${cellsFn}(p, NO_RECORD, c));`, '}'] : ['}', `return planner.fixed(${cellsFn}(p, NO_RECORD, c));`]),
    ].join('\n'),
  };
}

/** R-K5: a record in a stage or pipeline its resource does not declare is refused before any role. */
export function declaredGuards(resource: ResourceModel, emitters: CellEmitters): string[] {
  return declaredValues(resource).map(({ attribute, set }) => `if (${ownRead('r', attribute)} !== undefined && !${emitters.valueSet(set)}.has(${ownRead('r', attribute)})) return UNDECLARED_STAGE;`);
}

/** The attributes whose values a resource declares (R-K5): its stage and pipeline, with the declared values. */
export function declaredValues(resource: ResourceModel): { attribute: string; set: readonly string[] }[] {
  const pipelines = resource.pipelines;
  if (pipelines === undefined) return [];
  return [
    ...(resource.pipeline === undefined ? [] : [{ attribute: resource.pipeline, set: [...pipelines.keys()] }]),
    ...(resource.stage === undefined ? [] : [{ attribute: resource.stage, set: [...new Set([...pipelines.values()].flat())] }]),
  ];
}

/**
 * A role's cell: its bodies for `can` without a profile (`base`) and for each profile a principal
 * may carry (`forProfile`, R-Z2: the role's own, or the role as seen through another declared
 * profile), and one statement for `plan` when the cell reads the record — for a role whose users
 * may carry profiles, a switch on `principal.profile`.
 */
export function profileCells(
  model: PolicyModel,
  role: RoleModel,
  bodies: (role: RoleModel) => CellBodies,
): { base: CellBodies; forProfile: (profile: string | undefined) => { check: string }; plan: string | undefined } {
  const base = bodies(role);
  if (model.profiles.length === 0) return { base, forProfile: () => base, plan: base.readsRecord ? `return ${base.plan};` : undefined };
  // profiles whose entry is the role itself (an administrator role) share its case
  const same = [...role.byProfile].filter(([, variant]) => variant === role).map(([name]) => name);
  const variants = [...role.byProfile].filter(([, variant]) => variant !== role).map(([name, variant]) => ({ name, labels: `case ${lit(name)}:`, ...bodies(variant) }));
  const labels = ['case undefined:', ...[role.profile, ...same].flatMap((name) => (name === undefined ? [] : [`case ${lit(name)}:`]))].join(' ');
  const plans = [{ labels, ...base }, ...variants].filter((v) => v.readsRecord);
  // every declared profile is the role's own or one of `byProfile` (compiler/analyze/analyze.ts);
  // `check` has refused any other before a cell is called
  const forProfile = (profile: string | undefined): { check: string } => variants.find((v) => v.name === profile) ?? base;
  return {
    base,
    forProfile,
    // a cell that does not read the record plans what `can` decides without one
    plan: plans.length === 0 ? undefined : ['switch (profile) {', ...plans.map((v) => `    ${v.labels} return ${v.plan};`), '    default: break;', '  }', '  break;'].join('\n'),
  };
}

/**
 * A kind whose access follows its parent record (R-Z11): reading it needs the parent kind's
 * first read action, anything else its first write action, decided by the parent's own check.
 */
export function parentBodies(model: PolicyModel, resource: ResourceModel, action: string): { check: string; plan: string } {
  const parent = resource.parent!;
  const needs = parent.needs.get(action) ?? 'write';
  const kinds = parent.resources.map((name) => {
    const kind = model.resources.find((r) => r.name === name)!;
    return { name, action: (needs === 'read' ? kind.read[0] : kind.write[0])! };
  });
  const [allow, deny] = needs === 'read' ? ['ParentRead', 'ParentNoRead'] : ['ParentWrite', 'ParentNoWrite'];
  const id = parent.rule;
  return {
    check: [
      `const parent = ${ownRead('r', parent.attribute)};`,
      `if (typeof parent !== "object" || parent === null) return d(${id}, ${path('MissingParent')});`,
      // an ordinary object, as `can` passes: the parent's checks read it by the fast path too
      'const record = ordinary(parent) as Resource;',
      `switch (${ownRead('record', 'kind')}) {`,
      ...kinds.map((k) => `  case ${lit(k.name)}: return check(p, ${lit(k.action)}, record, c).allow ? d(${id}, ${path(allow)}) : d(${id}, ${path(deny)});`),
      `  default: return d(${id}, ${path('MissingParent')});`,
      '}',
    ].join('\n'),
    plan: [`return planner.parentPlan(${id}, ${lit(parent.attribute)}, [`, ...kinds.map((k) => `  [${lit(k.name)}, plan(p, ${lit(k.action)}, ${lit(k.name)}, c)],`), ']);'].join('\n'),
  };
}

export interface CellEmitters {
  readonly testFor: (role: RoleModel, resource: ResourceModel, action: string, level: 'own' | 'team' | undefined, fallback: string) => RecordTest;
  readonly whenFor: (condition: ConditionModel) => string;
  /** The plan twin of an equality condition's function (`when_1_plan(p, then, otherwise)`): its group, attribute and value written once. */
  readonly whenPlanFor: (condition: ConditionModel & { kind: 'equals' }) => string;
  readonly valueSet: (values: readonly string[]) => string;
  readonly inGroup: (group: string) => string;
}

/**
 * One role × resource × action cell: its statement for `can`, and for `plan` an expression when
 * the cell reads the record or has conditions (else the plan is what `can` decides without one).
 * Conditional rules (pipelines, stages, R-K5) are tried first, in order: the first whose
 * condition holds decides, one that cannot be evaluated denies. A `when:` on the cell's own
 * rule denies when it does not hold. Rule ids are written by `idExpr` (the table layout writes
 * them relative to the cell's rule, so that cells with the same conditions share their code).
 */
export function cellBodies(model: PolicyModel, role: RoleModel, resource: ResourceModel, action: string, emitters: CellEmitters, idExpr: (id: number) => string = String): CellBodies {
  const simple = simpleCell(model, role, resource, action, emitters, idExpr);
  if (simple !== undefined) return { check: `return ${simple.check};`, plan: simple.plan, readsRecord: simple.readsRecord };
  const id = role.cells.get(resource.name)!.get(action)!;
  const overrides = role.overrides.get(resource.name)?.get(action) ?? [];
  const base = model.rules[id]!;
  // each rule's body once, for both the check and the plan
  const baseBody = ruleBody(model, role, resource, action, id, emitters, idExpr);
  const overrideBodies = overrides.map((o) => ({ o, condition: model.rules[o]!.condition!, body: ruleBody(model, role, resource, action, o, emitters, idExpr) }));
  // the plan, built from the last rule back to the first
  let plan = baseBody.plan;
  if (base.condition !== undefined) plan = conditionPlan(base.condition, idExpr(id), emitters, plan, undefined);
  for (const { o, condition, body } of [...overrideBodies].reverse()) plan = conditionPlan(condition, idExpr(o), emitters, body.plan, plan);
  const check: string[] = [];
  overrideBodies.forEach(({ o, condition, body }, i) => {
    check.push(`const k${i} = ${emitters.whenFor(condition)}(p, r, c);`, `if (k${i} === true) return ${body.check};`, `if (k${i} !== false) return unmet(${idExpr(o)}, k${i});`);
  });
  if (base.condition !== undefined) {
    check.push(`const k = ${emitters.whenFor(base.condition)}(p, r, c);`, `if (k !== true) return unmet(${idExpr(id)}, k);`);
  }
  check.push(`return ${baseBody.check};`);
  return { check: `{\n${check.map((l) => `    ${l}`).join('\n')}\n  }`, plan, readsRecord: true };
}

/**
 * A cell as the table layout shares it among rows and actions: its code with its rule written
 * `rule`, and the rules of its conditions as offsets from it (a group's pipeline rule, R-K5, is the
 * same few lines in every role's cells).
 */
export function cellTemplate(model: PolicyModel, role: RoleModel, resource: ResourceModel, action: string, emitters: CellEmitters): CellTemplate {
  const id = role.cells.get(resource.name)?.get(action);
  const rule = role.administratorRule ?? id;
  if (rule === undefined) throw new Error(`policyc internal error: no rule for ${role.name} / ${resource.name} / ${action}`);
  const relative = (other: number): string => (other === rule ? 'rule' : other > rule ? `rule + ${other - rule}` : `rule - ${rule - other}`);
  const simple = simpleCell(model, role, resource, action, emitters, relative);
  if (simple !== undefined) return simple;
  const { check, plan, readsRecord } = cellBodies(model, role, resource, action, emitters, relative);
  return { rule, check, plan, readsRecord };
}

/**
 * A cell one rule decides (an administrator's, or one without conditions): its code, with the
 * rule's id written by `idExpr` (the table layout writes `rule`, shared by every cell of a shape).
 */
export function simpleCell(model: PolicyModel, role: RoleModel, resource: ResourceModel, action: string, emitters: CellEmitters, idExpr: (id: number) => string): CellTemplate | undefined {
  if (role.administratorRule !== undefined) return { rule: role.administratorRule, ...decided(idExpr(role.administratorRule), 'Admin') };
  const id = role.cells.get(resource.name)?.get(action);
  if (id === undefined) throw new Error(`policyc internal error: no rule for ${role.name} / ${resource.name} / ${action}`);
  const overrides = role.overrides.get(resource.name)?.get(action) ?? [];
  if (overrides.length > 0 || model.rules[id]!.condition !== undefined) return undefined;
  return { rule: id, ...ruleBody(model, role, resource, action, id, emitters, idExpr) };
}

/**
 * `unmet(rule, k)`, written once per module with conditions: the decision of a condition that did
 * not hold (`false`), went over its cost budget (`null`) or could not be evaluated (`undefined`).
 */
export const UNMET = `/** The denial of rule \`rule\` whose condition gave \`k\`: not met (\`false\`), over its cost budget (\`null\`), not evaluable. */
function unmet(rule: number, k: boolean | null | undefined): Decision {
  return d(rule, k === false ? ${path('ConditionNotMet')} : k === null ? ${path('ConditionOverBudget')} : ${path('ConditionFailed')});
}`;

/**
 * A cell's code: `check` decides it for `can`; `plan` plans it, as `can` decides it for every
 * record when it does not read the record (`fixed(rule, path)`, the module's shorthand of
 * `planner.fixed(d(rule, path))`: plans are not on the path of `can`, so their code is kept short).
 */
export interface CellBodies {
  readonly check: string;
  readonly plan: string;
  readonly readsRecord: boolean;
}

/** A decision that reads nothing of the record, for `can` and as its plan. */
const decided = (id: string, name: string): CellBodies => ({ check: `d(${id}, ${path(name)})`, plan: `fixed(${id}, ${path(name)})`, readsRecord: false });

/**
 * The plan of a conditional rule: `then` where its condition holds; where it does not, `otherwise`
 * (an override) or the rule's denial (a `when:`); where it cannot be evaluated, its denial.
 * A condition on a stage or pipeline is a filter; one that only reads the principal and the
 * context is decided now; a CEL condition reading the record is a filter (a superset to recheck
 * when no filter expresses some part of it).
 */
export function conditionPlan(condition: ConditionModel, rule: string, emitters: CellEmitters, then: string, otherwise: string | undefined): string {
  const notMet = otherwise ?? decided(rule, 'ConditionNotMet').plan;
  const orElse = `() => ${notMet}`;
  // a group's rule, for members by request, is decided for the principal when the plan is made (in the twin)
  if (condition.kind === 'equals') return `${emitters.whenPlanFor(condition)}(p, () => ${then}, ${orElse})`;
  if (condition.readsResource) {
    // the records on which a `when:` holds, as a filter (overrides are stages and pipelines, never CEL)
    if (condition.planFilter === undefined || otherwise !== undefined) throw new Error('policyc internal error: a condition reading the record without its filter');
    const { code, exact } = condition.planFilter;
    return `planner.onFilter(${code}, ${rule}, () => ${then}${exact ? '' : ', false'})`;
  }
  return `planner.onCondition(${emitters.whenFor(condition)}(p, NO_RECORD, c), ${rule}, () => ${then}, ${orElse})`;
}

/** What rule `id` decides for the cell: a decision expression for `can`, and a plan expression when it reads the record. */
export function ruleBody(
  model: PolicyModel,
  role: RoleModel,
  resource: ResourceModel,
  action: string,
  ruleId: number,
  emitters: CellEmitters,
  idExpr: (id: number) => string = String,
): CellBodies {
  const rule = model.rules[ruleId]!;
  const id = idExpr(ruleId);
  const tested = (test: RecordTest): CellBodies => ({ check: `${test.name}(p, r, ${id})`, plan: `${test.planName}(p, ${id})`, readsRecord: true });
  // red and default deny: only a subscriber gets past them (R-K9)
  const subscribed = resource.subscribers?.actions.includes(action) === true;
  if (rule.kind === 'default') return subscribed ? tested(emitters.testFor(role, resource, action, undefined, 'DefaultDeny')) : decided(id, 'DefaultDeny');
  if (rule.level === 'deny') return subscribed ? tested(emitters.testFor(role, resource, action, undefined, 'Denied')) : decided(id, 'Denied');
  if (rule.kind === 'public') return decided(id, 'Public');
  if (rule.level === 'all') return decided(id, 'All');
  return tested(emitters.testFor(role, resource, action, rule.level, 'NotReached'));
}
