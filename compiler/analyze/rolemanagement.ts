/**
 * `roleManagement: { permission: module.permission }` (R-Z12): the module permission whose holders
 * may create, rename, move and delete roles — in Zoho, the profile's "Manage Roles". Written once
 * in a policy set; the permission must be a declared module's.
 */
import type { DiagnosticBag } from '../diagnostics/diagnostic.ts';
import type { RoleManagementModel } from '../ir/model.ts';
import type { PolicyFile } from '../load/load.ts';
import { spanOf, type Origin, type ResourceSpec, type Where } from './declarations.ts';
import { checkPermission } from './permissions.ts';

export function analyzeRoleManagement(files: readonly PolicyFile[], resources: ReadonlyMap<string, ResourceSpec>, bag: DiagnosticBag, where: Where): RoleManagementModel | undefined {
  let found: { permission: string; origin: Origin } | undefined;
  for (const file of files) {
    const raw = (file.value as { roleManagement?: { permission: string } } | null)?.roleManagement;
    if (raw === undefined) continue;
    const origin: Origin = { file, path: ['roleManagement'] };
    if (found) {
      bag.report('DuplicateName', spanOf(origin), '`roleManagement` is written twice', { related: [{ ...spanOf(found.origin), message: 'first written here' }] });
      continue;
    }
    found = { permission: raw.permission, origin };
  }
  if (found === undefined) return undefined;
  if (!checkPermission(found.permission, resources, bag, spanOf(found.origin, ['permission'], 'value'), 'the role-management permission')) return undefined;
  const dot = found.permission.indexOf('.');
  return { module: found.permission.slice(0, dot), permission: found.permission.slice(dot + 1), source: where(spanOf(found.origin)) };
}
