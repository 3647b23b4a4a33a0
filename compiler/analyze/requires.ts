/**
 * Child records that require a capability (R-K7): `requires: { capability: module.permission,
 * when? }` next to a resource's `parent`. A message with a file needs `capabilities.media_access`
 * on top of access to its chat. The capability is a module permission, decided by the principal's
 * own grants (profiles, conditions and administrators included); `when:` is CEL, compiled with the
 * grants' conditions (conditions.ts reports its problems).
 */
import type { DiagnosticBag } from '../diagnostics/diagnostic.ts';
import type { ConditionModel, RequirementModel } from '../ir/model.ts';
import { spanOf, type ResourceSpec, type Where } from './declarations.ts';
import { checkPermission } from './permissions.ts';

/** Reports every `requires.capability` that names no module permission. */
export function checkRequirements(resources: ReadonlyMap<string, ResourceSpec>, bag: DiagnosticBag): void {
  for (const spec of resources.values()) {
    if (spec.requires === undefined) continue;
    checkPermission(spec.requires.capability, resources, bag, spanOf(spec.origin, ['requires', 'capability'], 'value'), 'the required capability');
  }
}

/** The model of a resource's requirement, once every check passed; `when` compiles a condition on the resource. */
export function requirementOf(spec: ResourceSpec, where: Where, when: (text: string) => ConditionModel): RequirementModel | undefined {
  const requires = spec.requires;
  if (requires === undefined) return undefined;
  const dot = requires.capability.indexOf('.');
  return {
    module: requires.capability.slice(0, dot),
    permission: requires.capability.slice(dot + 1),
    condition: requires.when === undefined ? undefined : when(requires.when),
    unless: requires.when === undefined ? undefined : when(`!(${requires.when})`),
    source: where(spanOf(spec.origin, ['requires'])),
  };
}
