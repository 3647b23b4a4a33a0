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
  return lines.join('\n');
}

/** The declaration file of the bundled checker. */
export function emitDeclarations(model: PolicyModel, runtimeImport: string): string {
  return [
    header(model),
    `import type { Checker${model.organisation ? ', Organisation' : ''} } from ${lit(runtimeImport)};`,
    '',
    schemaType(model),
    '',
    "/** `checker.can` on its own, for applications that need nothing else: bundled alone, it leaves plans and field masks out. */",
    "export declare const can: Checker<Schema>['can'];",
    'export declare const checker: Checker<Schema>;',
    'export default checker;',
    ...(model.organisation ? ['/** Guards for adding, deleting and changing users and assigning workspaces (R-O1..R-O6). */', 'export declare const organisation: Organisation;'] : []),
    '',
  ].join('\n');
}
