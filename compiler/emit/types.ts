import type { AttributeType, PolicyModel } from '../ir/model.ts';
import { header } from './header.ts';
import { lit } from './literal.ts';

const TS_TYPE: Readonly<Record<AttributeType, string>> = {
  string: 'string',
  number: 'number',
  boolean: 'boolean',
  'string[]': 'readonly string[]',
  record: '{ readonly kind: string; readonly [attribute: string]: unknown }',
};

/**
 * The policy's names as types, for the application: `Role` and `Kind` (literal unions),
 * `ActionOf<K>` (the actions of a kind), and `Schema` (each kind's actions and optional
 * attribute types, which types `checker.can`).
 */
export function schemaType(model: PolicyModel): string {
  const union = (names: readonly string[]): string => (names.length === 0 ? 'never' : names.map(lit).join(' | '));
  const lines = [
    '/** The roles of the policy. */',
    `export type Role = ${union(model.roles.map((r) => r.name))};`,
    '/** The resource kinds (records and modules) of the policy. */',
    `export type Kind = ${union(model.resources.map((r) => r.name))};`,
    '/** The actions of a resource kind. */',
    "export type ActionOf<K extends Kind> = Schema[K]['action'];",
    'export type Schema = {',
  ];
  for (const r of model.resources) {
    lines.push(`  ${lit(r.name)}: {`);
    lines.push(`    action: ${r.actions.map(lit).join(' | ')};`);
    const attrs = r.attributes.map((a) => `${lit(a.name)}?: ${TS_TYPE[a.type]}`);
    lines.push(`    attributes: { ${attrs.join('; ')}${attrs.length > 0 ? ' ' : ''}};`);
    lines.push('  };');
  }
  lines.push('};');
  lines.push(...principalType(model));
  return lines.join('\n');
}

/** The type of the generated `checker`: its principal is the application's own when the policy maps its fields. */
export function checkerType(model: PolicyModel): string {
  return model.principalFields.size === 0 ? 'PolicyChecker<Schema>' : 'PolicyChecker<Schema, AppPrincipal>';
}

/**
 * The principal the application passes, when the policy says where its built-in values live
 * (`principal: { groups: groupIds }`): those fields under their own names, typed. No index
 * signature, so that an application's own interface (`User`) is one.
 */
function principalType(model: PolicyModel): string[] {
  if (model.principalFields.size === 0) return [];
  const fields: [string, string, boolean][] = [
    ['id', 'string', true],
    ['role', 'string', true],
    ['groups', 'readonly string[]', false],
    ['organisation', 'string', false],
    ['technical', 'boolean', false],
    ['shift', 'string', false],
    ['reports', 'readonly string[] | ReadonlySet<string>', false],
  ];
  const members = fields.map(([name, type, required]) => `  readonly ${lit(model.principalFields.get(name) ?? name)}${required ? '' : '?'}: ${type};`);
  return [
    "/** The principal as the application keeps it: the policy's `principal:` section says which field holds what. */",
    'export type AppPrincipal = {',
    ...members,
    '};',
  ];
}

/** The declaration file of the bundled checker. */
export function emitDeclarations(model: PolicyModel, runtimeImport: string): string {
  return [
    header(model),
    `import type { PolicyChecker${model.organisation ? ', Organisation' : ''}${model.roleManagement ? ', RoleManagement' : ''} } from ${lit(runtimeImport)};`,
    '',
    schemaType(model),
    '',
    "/** `checker.can` on its own, for applications that need nothing else: bundled alone, it leaves plans and field masks out. */",
    `export declare const can: ${checkerType(model)}['can'];`,
    `export declare const checker: ${checkerType(model)};`,
    'export default checker;',
    ...(model.organisation ? ['/** Guards for adding, deleting and changing users and assigning workspaces (R-O1..R-O6). */', 'export declare const organisation: Organisation;'] : []),
    ...(model.roleManagement ? ['/** Guards for creating, renaming, moving and deleting roles (R-Z12). */', 'export declare const roleManagement: RoleManagement;'] : []),
    '',
  ].join('\n');
}
