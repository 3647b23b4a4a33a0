/** The data of a generated checker: its rule rows, group tables and the organisation's role table. */
import type { ConditionModel, OrganisationModel, PolicyModel } from '../ir/model.ts';
import { FORMAT_VERSION } from './header.ts';
import { lit } from './literal.ts';
import { packRules, type PackedLiterals } from './packed-rules.ts';

/** Column order of a generated rule row; the runtime reads the same order. */
export const RULE_KINDS = ['grant', 'administrator', 'default', 'public', 'sharing', 'subscribers', 'parent'] as const;

export const LEVEL_CODES = ['deny', 'own', 'team', 'all'] as const;

/** Member roles of each group, for a principal's groups given at check time (R-Z7). */
export function groupTables(model: PolicyModel): string[] {
  return [
    '/** Roles whose users belong to each group (R-Z7). */',
    'const GROUP_ROLES: ReadonlyMap<string, ReadonlySet<unknown>> = new Map([',
    ...model.groups.filter((g) => g.roles.length > 0).map((g) => `  [${lit(g.name)}, new Set([${g.roles.map(lit).join(', ')}])],`),
    ']);',
    '/** Whether a user of `role` belongs to one of `groups` (the list\'s own elements). */',
    'function groupHasRole(groups: readonly string[] | undefined, role: unknown): boolean {',
    '  return groups !== undefined && someElement(groups, (g) => GROUP_ROLES.get(g as string)?.has(role) === true);',
    '}',
    '/** Every role whose users belong to one of `groups`. */',
    'function rolesOfGroups(groups: readonly string[]): string[] {',
    '  return groups.flatMap((g) => [...(GROUP_ROLES.get(g) ?? [])].map(String));',
    '}',
  ];
}

/**
 * A condition as decisions quote it: its text, but for working hours (whose generated CEL spells
 * out every shift) what it means.
 */
export function conditionLabel(condition: ConditionModel): string {
  if (condition.kind !== 'cel' || condition.duringShift === undefined) return condition.text;
  const { when, roleShift } = condition.duringShift;
  const shift = roleShift === undefined ? "during the principal's own shift" : `during the principal's shift (${roleShift} unless the principal names another)`;
  return when === undefined ? shift : `${when}, ${shift}`;
}

/** The policy data's role names: roles, then `*` (rules of no one role), then the profiles rules are declared in. */
export function roleNamesOf(model: PolicyModel): string[] {
  return [...new Set([...model.roles.map((r) => r.name), '*', ...model.rules.map((r) => r.declaredIn), ...model.fields.rules.map((r) => r.declaredIn)])];
}

/**
 * The policy's data for the runtime. A rule is a string of numbers — indexes into the name
 * lists — so a large policy stays small and quick to parse.
 */
export function policyData(model: PolicyModel, roleNames: readonly string[], packed: PackedLiterals | undefined): string {
  const roleIndex = new Map(roleNames.map((r, i) => [r, i]));
  const resourceNames = [...model.resources.map((r) => r.name), '*'];
  const resourceIndex = new Map(resourceNames.map((r, i) => [r, i]));
  const actionNames = [...new Set([...model.resources.flatMap((r) => r.actions), '*'])];
  const actionIndex = new Map(actionNames.map((a, i) => [a, i]));
  const fileIndex = new Map(model.files.map((f, i) => [f, i]));
  const list = (items: readonly string[]): string => `[${items.map(lit).join(', ')}]`;
  // sharing rules' names and conditions' texts, each once
  const labels = model.rules.map((r) => (r.condition === undefined ? undefined : conditionLabel(r.condition)));
  const ruleNames = [...new Set(model.rules.flatMap((r, i) => [...(r.name === undefined ? [] : [r.name]), ...(labels[i] === undefined ? [] : [labels[i]])]))];
  const nameIndex = new Map(ruleNames.map((n, i) => [n, i]));
  const rows = model.rules.map((rule, i) => {
    const label = labels[i];
    const row = [
      RULE_KINDS.indexOf(rule.kind),
      roleIndex.get(rule.role),
      roleIndex.get(rule.declaredIn),
      resourceIndex.get(rule.resource),
      actionIndex.get(rule.action),
      LEVEL_CODES.indexOf(rule.level),
      fileIndex.get(rule.source.file),
      rule.source.line,
      rule.source.column,
      rule.name === undefined ? -1 : nameIndex.get(rule.name),
      label === undefined ? -1 : nameIndex.get(label),
    ] as number[];
    return row;
  });
  const packedRules = packed === undefined ? undefined : packRules(rows);
  return [
    'const policy = definePolicy({',
    `  format: ${FORMAT_VERSION},`,
    `  name: ${lit(model.name)},`,
    `  files: ${list(model.files)},`,
    `  roles: ${list(roleNames)},`,
    `  resources: ${list(resourceNames)},`,
    `  actions: ${list(actionNames)},`,
    `  names: ${list(ruleNames)},`,
    ...(model.principalFields.size === 0 ? [] : [`  principal: { ${[...model.principalFields].map(([name, field]) => `${lit(name)}: ${lit(field)}`).join(', ')} },`]),
    ...(packedRules === undefined
      ? [
          '  // one rule per line: kind, role, declaredIn, resource, action, level, file, line, column, name, condition',
          '  rules: [',
          ...rows.map((row) => `    "${row.join(',')}",`),
          '  ],',
        ]
      : [
          `  // ${rows.length} rules packed (packages/runtime/src/rules.ts): kind, role, declaredIn, resource, action, level, file, line, column, name, condition`,
          `  ruleBits: [${packedRules.bits.join(', ')}],`,
          `  rules: ${packed!.literal(packedRules.text)},`,
        ]),
    packedRules === undefined ? '});' : '}, packedRules);',
  ].join('\n');
}

/**
 * The organisation's checked role table for the user-management guards (seed 004). Built with
 * `Object.fromEntries`, so a role name such as `__proto__` is just a key.
 */
export function organisationData(org: OrganisationModel): string {
  const list = (items: readonly string[]): string => `[${items.map(lit).join(', ')}]`;
  const roles = org.roles.map((r) => {
    const at = `${r.source.file}:${r.source.line}:${r.source.column}`;
    return `    [${lit(r.name)}, { capabilities: ${list(r.capabilities)}, manages: ${list(r.manages)}, assignsWorkspaces: ${r.assignsWorkspaces}, workspaces: ${lit(r.workspaces)}, at: ${lit(at)} }],`;
  });
  return [
    '/** Guards for adding, deleting and changing users and assigning workspaces (R-O1..R-O6). */',
    'export const organisation = defineOrganisation({',
    '  roles: Object.fromEntries([',
    ...roles,
    '  ]),',
    `  keepOne: ${lit(org.keepOne)},`,
    `  maxWorkspacesPerStep: ${org.maxWorkspacesPerStep ?? 'undefined'},`,
    '});',
  ].join('\n');
}
