/**
 * Module permissions named outside grants: the capability a child record requires (R-K7) and the
 * permission that allows managing roles (R-Z12). Both must be a permission of a declared module.
 */
import type { DiagnosticBag, Span } from '../diagnostics/diagnostic.ts';
import { tick } from '../diagnostics/diagnostic.ts';
import { didYouMean } from '../diagnostics/suggest.ts';
import type { ResourceSpec } from './declarations.ts';

/** Every `module.permission` the policy declares: what `requires.capability` (and `roleManagement.permission`) may name. */
export function modulePermissions(resources: ReadonlyMap<string, ResourceSpec>): string[] {
  return [...resources.values()].filter((r) => r.model.kind === 'module').flatMap((r) => r.model.actions.map((a) => `${r.model.name}.${a}`));
}

/**
 * Whether `capability` names a permission of a declared module; if not, reports it at `span`
 * with a did-you-mean over every module permission.
 */
export function checkPermission(capability: string, resources: ReadonlyMap<string, ResourceSpec>, bag: DiagnosticBag, span: Span, what: string): boolean {
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

