/**
 * Conditional rules as reviewers read them: a stage or pipeline override (R-K5) is named by its
 * stage or pipeline, a `when:` (or a shift, R-Z10) by its CEL text. Shared by `policyc test`
 * coverage, `policyc diff` and `policyc matrix`.
 */
import { escapeControls } from '../diagnostics/display.ts';
import type { ConditionModel, PolicyModel, RoleModel, Rule } from '../ir/model.ts';

/** A name or condition as markdown inline code, whatever characters it holds (controls shown escaped, as in diagnostics). */
export const code = (name: string): string => {
  const flat = escapeControls(name);
  const fence = '`'.repeat((flat.match(/`+/g) ?? []).reduce((n, run) => Math.max(n, run.length + 1), 1));
  return fence === '`' ? `\`${flat}\`` : `${fence} ${flat} ${fence}`;
};

/**
 * What a condition says, in words: ``stage `won` `` and ``pipeline `partners` `` for the
 * equality overrides of R-K5 (the resource names which attribute holds which), else
 * ``when `resource.amount < 1000.0` ``.
 */
export function conditionLabel(model: PolicyModel, resource: string, condition: ConditionModel): string {
  if (condition.kind === 'cel') return `when ${whenText(condition)}`;
  const r = model.resources.find((x) => x.name === resource);
  const what = r?.pipeline === condition.attribute ? 'pipeline' : r?.stage === condition.attribute ? 'stage' : `\`${condition.attribute}\` =`;
  // a group's pipeline rule for its members by request
  return `${condition.group === undefined ? '' : `for members of group ${code(condition.group)}, `}${what} ${code(condition.value)}`;
}

/**
 * A grant's condition for people, as markdown: the CEL text in code, or for `duringShift` (whose
 * CEL text is generated) ``during the shift (`office` unless the user has another)``.
 */
export function whenText(condition: ConditionModel): string {
  if (condition.kind === 'equals') return code(condition.text);
  const shift = condition.duringShift;
  if (shift === undefined) return code(condition.text);
  const during = `during the user's shift (${shift.roleShift === undefined ? 'none unless the user has one' : `${code(shift.roleShift)} unless the user has another`})`;
  return shift.when === undefined ? during : `${code(shift.when)} ${during}`;
}

/** The conditional override rules of a role's cell, in the order the checker tries them. */
export function overridesOf(model: PolicyModel, role: RoleModel, resource: string, action: string): Rule[] {
  return (role.overrides.get(resource)?.get(action) ?? []).map((id) => model.rules[id]).filter((r): r is Rule => r !== undefined);
}

export const place = (rule: Rule): string => `${rule.source.file}:${rule.source.line}:${rule.source.column}`;
