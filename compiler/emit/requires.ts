/**
 * Emission of child records that require a capability (R-K7). A kind with `requires:` gets one
 * `defineRequirement` constant; its `can` asks the checker's own `check` about the module
 * permission before the parent decides, and its `plan` keeps only the records that need no
 * capability when the principal lacks it (a media message is never listed to a user without
 * `media_access`). Kept apart from checker.ts, whose dispatch is tuned for speed: the hook there is
 * a call to {@link withRequirement}.
 */
import type { ConditionModel, RequirementModel, ResourceModel } from '../ir/model.ts';
import type { IdentifierPool } from './literal.ts';
import { lit } from './literal.ts';

/** What the emitter needs from checker.ts: unique names, the condition functions, and a place for constants. */
export interface RequirementEmitters {
  readonly names: IdentifierPool;
  readonly whenFor: (condition: ConditionModel) => string;
  readonly declare: (statement: string) => void;
}

/**
 * `bodies` (the statements of a kind's `can` and `plan` for one action) with the kind's
 * requirement in front, or unchanged for a kind that has none.
 */
export function withRequirement(
  resource: ResourceModel,
  bodies: { check: string; plan: string },
  emitters: RequirementEmitters,
  known: Map<ResourceModel, string>,
): { check: string; plan: string } {
  const requires = resource.requires;
  if (requires === undefined || resource.parent === undefined) return bodies;
  let name = known.get(resource);
  if (name === undefined) {
    name = emitters.names.take('requires', resource.name);
    known.set(resource, name);
    emitters.declare(requirementConstant(name, resource.parent.rule, requires));
  }
  const has = `check(p, ${lit(requires.permission)}, ${name}.record, c)`;
  const condition = requires.condition;
  // `can`: the condition (if any), then the capability where it may be needed; the parent's check follows unchanged
  const need = condition === undefined ? 'true' : `${emitters.whenFor(condition)}(p, r, c)`;
  const check = [
    `// R-K7: ${lit(resource.name)} records need ${lit(`${requires.module}.${requires.permission}`)}${condition === undefined ? '' : ` where ${comment(condition.text)}`}`,
    `const need = ${need};`,
    `if (need !== false) { const lacking = ${name}.check(${has}, need); if (lacking !== undefined) return lacking; }`,
    bodies.check,
  ].join('\n');
  const unneeded =
    condition === undefined
      ? 'true'
      : condition.kind === 'cel' && condition.readsResource
        ? unneededFilter(requires)
        : `${emitters.whenFor(condition)}(p, NO_RECORD, c)`;
  const plan = [`return planRequirement(${name}, ${has}, ${unneeded}, (): QueryPlan => {`, bodies.plan, '});'].join('\n');
  return { check, plan };
}

/** The filter of the records that need no capability: `!(when)` as the planner writes it. */
function unneededFilter(requires: RequirementModel): string {
  const unless = requires.unless;
  if (unless === undefined || unless.kind !== 'cel' || unless.planFilter === undefined) throw new Error('policyc internal error: a requirement reading the record without its filter');
  return `{ filter: ${unless.planFilter.code}, exact: ${unless.planFilter.exact} }`;
}

function requirementConstant(name: string, rule: number, requires: RequirementModel): string {
  const at = `${requires.source.file}:${requires.source.line}:${requires.source.column}`;
  const when = requires.condition === undefined ? 'undefined' : lit(requires.condition.text);
  return [
    `/** R-K7: ${comment(`${requires.module}.${requires.permission}`)} is required besides the parent's access (${comment(at)}). */`,
    `const ${name} = /* @__PURE__ */ defineRequirement(policy, { rule: ${rule}, module: ${lit(requires.module)}, permission: ${lit(requires.permission)}, when: ${when}, at: ${lit(at)} });`,
  ].join('\n');
}

/** Text from the policy inside a comment: no line breaks, no end of comment. */
const comment = (text: string): string => text.replace(/[\r\n\u2028\u2029]/g, ' ').replace(/\*\//g, '* /');
