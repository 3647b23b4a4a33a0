/**
 * Child records that require a capability (R-K7): `requires: { capability: module.permission,
 * when? }` next to a resource's `parent`. A message with a file needs `capabilities.media_access`
 * on top of access to its chat. The capability is a module permission, decided by the principal's
 * own grants (profiles, conditions and administrators included); `when:` is CEL, compiled with the
 * grants' conditions (conditions.ts reports its problems).
 */
import type { DiagnosticBag } from '../diagnostics/diagnostic.ts';
import { tick } from '../diagnostics/diagnostic.ts';
import { didYouMean } from '../diagnostics/suggest.ts';
import type { ConditionModel, RequirementModel } from '../ir/model.ts';
import { spanOf, type ResourceSpec, type Where } from './declarations.ts';

/** Every `module.permission` the policy declares: what `requires.capability` (and `roleManagement.permission`) may name. */
export function modulePermissions(resources: ReadonlyMap<string, ResourceSpec>): string[] {
  return [...resources.values()].filter((r) => r.model.kind === 'module').flatMap((r) => r.model.actions.map((a) => `${r.model.name}.${a}`));
}

/**
 * Whether `capability` names a permission of a declared module; if not, reports it at `span`
 * with a did-you-mean over every module permission.
 */
export function checkPermission(capability: string, resources: ReadonlyMap<string, ResourceSpec>, bag: DiagnosticBag, span: Parameters<DiagnosticBag['report']>[1], what: string): boolean {
  const known = modulePermissions(resources);
  if (known.includes(capability)) return true;
  const module = resources.get(capability.slice(0, capability.indexOf('.')));
  const help =
    didYouMean(capability, known) ??
    (module !== undefined && module.model.kind === 'record'
      ? `${tick(module.model.name)} is a resource, not a module: a capability is a permission listed under \`modules\``
      : known.length === 0
        ? 'declare it under `modules`, for example `capabilities: { permissions: [media_access] }`'
        : `the module permissions are ${known.slice(0, 8).map(tick).join(', ')}${known.length > 8 ? ', …' : ''}`);
  bag.report('UnknownPermission', span, `${what} ${tick(capability)} is not a permission of a declared module`, { help });
  return false;
}

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
