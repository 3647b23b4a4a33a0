/**
 * The exports of a generated module: `can` on its own, the entries of `checker` (entries.ts) and
 * the runtime's checker they leave uncommon requests to, `checker`, and the organisation and
 * role-management guards. In a lean module (lean.ts) the runtime's checker, `checker`'s other
 * members and the guards are the whole module's.
 */
import { StructureKind, VariableDeclarationKind, type StatementStructures } from 'ts-morph';
import type { PolicyModel, ResourceModel } from '../ir/model.ts';
import { anyEntry, commonRole, kindEntry } from './entries.ts';
import { FORMAT_VERSION } from './header.ts';
import { wholeModuleAccess } from './lean.ts';
import { lit } from './literal.ts';
import { principalKey } from './reach.ts';
import { roleManagementData } from './rolemanagement.ts';
import { checkerType } from './types.ts';
import { organisationData } from './data.ts';

export interface ExportsOf {
  readonly model: PolicyModel;
  /** Each kind's action switch, by resource. */
  readonly actionFns: ReadonlyMap<ResourceModel, { readonly name: string }>;
  /** Each kind's entry (`entry_lead`) and the action switch it calls. */
  readonly entries: readonly { readonly resource: ResourceModel; readonly name: string; readonly actions: string }[];
  /** The constant of `defineFields` (fields.ts). */
  readonly fieldSecurity: string;
  readonly lean: boolean;
}

export function exportStatements({ model, actionFns, entries, fieldSecurity, lean }: ExportsOf): (string | StatementStructures)[] {
  const kinds = `[${entries.map(({ resource, name }) => `[${lit(resource.name)}, ${name}]`).join(', ')}]`;
  return [
    // `can` on its own: an application that imports only `can` bundles no plans, field masks or
    // their runtime (the pure annotations let a bundler drop `checker` when nothing uses it)
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: ['`checker.can` on its own, for applications that need nothing else: bundled alone, it leaves plans and field masks out.'],
      declarations: [{ name: 'can', type: `${checkerType(model)}['can']`, initializer: `/* @__PURE__ */ defineCan<${canTypes(model)}>(check${canFields(model)})` }],
    },
    // made on the first request that needs it: importing the checker runs none of it (issue 17);
    // a lean module leaves those requests to the whole module's checker (lean.ts)
    ...(lean
      ? []
      : [
          'let rareChecker: CoreChecker | undefined;',
          {
            kind: StructureKind.Function as const,
            name: 'runtimeChecker',
            docs: ['The runtime\'s checker: `checker`\'s `plan`, and the requests its entries leave to it (several `roles`, a `profile`, objects that are not plain); made on first use.'],
            returnType: 'CoreChecker',
            statements: `return rareChecker ??= withRoles(planner.checker(can, plan, [${[...actionFns.keys()].map((resource) => `[${lit(resource.name)}, (p, action, r, c) => check(p, action, r, c, ${lit(resource.name)})]`).join(', ')}])${principalKey(model, 'role') === 'role' ? '' : `, ${lit(principalKey(model, 'role'))}`});`,
          },
        ]),
    '/** Where the entries send the requests they leave to the runtime\'s checker. */',
    `const rare = /* @__PURE__ */ lazyEntries(${lean ? '() => full().checker' : 'runtimeChecker'}, [${entries.map(({ resource }) => lit(resource.name)).join(', ')}]);`,
    commonRole(model),
    ...entries.map(({ resource, name, actions }) => kindEntry(resource, actions, name)),
    anyEntry(actionFns),
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      declarations: [
        {
          name: 'checker',
          type: checkerType(model),
          // `plan`, field security and the runtime's checker are made on the first call that needs them
          initializer: [
            `/* @__PURE__ */ lazyChecker<${checkerType(model)}>({`,
            `  formatVersion: ${FORMAT_VERSION}, policyName: ${lit(model.name)}, policyHash: ${lit(model.hash)}, can: entry,`,
            `  kinds: ${kinds},${lean ? ' policy,' : ''}`,
            lean
              ? '}, () => full().checker)'
              : `}, () => ${fieldSecurity}.checker(withEntries(runtimeChecker(), entry, ${kinds})))`,
          ].join('\n'),
        },
      ],
    },
    'export default checker;',
    ...(model.organisation ? [organisationData(model.organisation)] : []),
    ...(model.roleManagement ? [roleManagementData(model, model.roleManagement, lean)] : []),
    ...(lean ? [wholeModuleAccess(model.hash)] : []),
  ];
}

/** The type arguments of `defineCan`: the schema, and the application's principal when the policy maps its fields. */
function canTypes(model: PolicyModel): string {
  return model.principalFields.size === 0 ? 'Schema' : 'Schema, AppPrincipal';
}

/**
 * `defineCan`'s argument after `check`: the test of the principal's id and role when the policy
 * names other fields for them (`principal: { id: userId }`).
 */
function canFields(model: PolicyModel): string {
  const id = principalKey(model, 'id');
  const role = principalKey(model, 'role');
  return id === 'id' && role === 'role' ? '' : `, validator(${lit(id)}, ${lit(role)})`;
}

