/**
 * The `roleManagement` export of a checker whose policy names a role-management permission
 * (R-Z12): the checked hierarchy — each role with the role it reports to, the top role, the
 * profiles whose names are taken, the sharing rules naming each role — handed to the runtime's
 * `defineRoleManagement` with the checker's own `can`, which decides the permission.
 */
import type { PolicyModel, RoleManagementModel } from '../ir/model.ts';
import { lit } from './literal.ts';

const at = (s: { readonly file: string; readonly line: number; readonly column: number }): string => `${s.file}:${s.line}:${s.column}`;

/** The statement exporting `roleManagement`; `Object.fromEntries`, so a role named `__proto__` is just a key. */
export function roleManagementData(model: PolicyModel, management: RoleManagementModel, lean = false): string {
  const methods = '["createRole", "renameRole", "moveRole", "deleteRole"]';
  if (lean) {
    // the lean module's guards are the whole module's (lean.ts)
    return [
      '/** Guards for creating, renaming, moving and deleting roles (R-Z12), for holders of the role-management permission: the whole module\'s, loaded on first use. */',
      `export const roleManagement = /* @__PURE__ */ onFirstUse(() => full().roleManagement as RoleManagement, ${methods});`,
    ].join('\n');
  }
  const top = model.roles.find((r) => r.top)?.name;
  const roles = model.roles.map((r) => `    [${lit(r.name)}, { reportsTo: ${r.reportsTo === undefined ? 'undefined' : lit(r.reportsTo)}, at: ${lit(at(r.source))} }],`);
  const naming = new Map<string, string[]>();
  for (const rule of model.sharingRules) {
    for (const party of [rule.from, rule.to]) {
      if (party.kind === 'group') continue;
      const list = naming.get(party.name) ?? [];
      if (!list.includes(rule.name)) list.push(rule.name);
      naming.set(party.name, list);
    }
  }
  const rules = [...naming].map(([role, names]) => `    [${lit(role)}, [${names.map(lit).join(', ')}]],`);
  return [
    '/** Guards for creating, renaming, moving and deleting roles (R-Z12), for holders of the role-management permission. */',
    // built on the first call of a guard: importing the checker runs none of it (issue 17)
    'export const roleManagement = /* @__PURE__ */ onFirstUse(() => defineRoleManagement({',
    '  roles: /* @__PURE__ */ Object.fromEntries([',
    ...roles,
    '  ]),',
    `  profiles: [${model.profiles.map(lit).join(', ')}],`,
    `  top: ${top === undefined ? 'undefined' : lit(top)},`,
    '  sharingRules: /* @__PURE__ */ Object.fromEntries([',
    ...rules,
    '  ]),',
    `  permission: { module: ${lit(management.module)}, action: ${lit(management.permission)}, at: ${lit(at(management.source))} },`,
    // a function, not `checker.can` read now: an application that does not use the guards bundles none of `checker`
    `}, (principal: Principal, action: string, resource: Resource): Decision => (checker.can as unknown as (p: Principal, a: string, r: Resource) => Decision)(principal, action, resource)), ${methods});`,
  ].join('\n');
}
