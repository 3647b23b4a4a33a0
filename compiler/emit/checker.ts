import {
  printStructure,
  StructureKind,
  VariableDeclarationKind,
  type CodeBlockWriter,
  type FunctionDeclarationStructure,
  type StatementStructures,
} from 'ts-morph';
import { COLOUR_OF, type ConditionModel, type OrganisationModel, type PolicyModel, type ResourceModel, type RoleModel } from '../ir/model.ts';
import { actionSwitch, anyEntry, commonRole, ENTRY_NAMES, kindEntry, kindSwitch } from './entries.ts';
import { fieldSecurityData } from './fields.ts';
import { FORMAT_VERSION, header } from './header.ts';
import { IdentifierPool, lit } from './literal.ts';
import { ownRead, planFunction, principalKey, principalValue, reachSteps, testFunction, type RecordTest } from './reach.ts';
import { plainReads, unpollutedTest } from './unpolluted.ts';
import { CellTables, layoutOf, type CellTemplate, type Layout } from './table.ts';
import { packRules, type PackedLiterals } from './packed-rules.ts';
import { checkerType, schemaType } from './types.ts';
import { path } from './path.ts';
import { withRequirement } from './requires.ts';
import { roleManagementData } from './rolemanagement.ts';

/** Column order of a generated rule row; the runtime reads the same order. */
const RULE_KINDS = ['grant', 'administrator', 'default', 'public', 'sharing', 'subscribers', 'parent'] as const;
const LEVEL_CODES = ['deny', 'own', 'team', 'all'] as const;

export interface EmitOptions {
  /** Module specifier of the runtime in generated imports. */
  readonly runtimeImport: string;
  /** Cells as code or as tables (`table.ts`); by default tables for large policies only. */
  readonly layout?: Layout;
}

/**
 * The checker module: one function per resource × action that switches on the principal's
 * role; a role's cell returns its decision directly (red, green, administrator) or calls the
 * record test of its level and reach (yellow, blue, hierarchy, peers).
 */
export function emitChecker(model: PolicyModel, options: EmitOptions): string {
  const names = new IdentifierPool();
  for (const reserved of ['policy', 'd', 'planner', 'check', 'plan', 'can', 'checker', 'p', 'r', 'c', 'k', 'rule', 'groups', 'Schema', 'NO_RECORD', 'NO_CONTEXT', 'cel', 'own', 'inGroup', 'listIncludes', 'someElement', 'ObjectPrototype', 'ordinary', 'record', 'parent', 'organisation', 'principalOrganisation', 'MISSING_ORGANISATION', 'NO_ORGANISATION', 'OTHER_ORGANISATION', 'PolicyChecker', 'AppPrincipal', 'TYPED_ARRAY', 'unpolluted', 'withRoles', 'rareChecker', 'runtimeChecker', 'lazyChecker', 'lazyEntries', 'onFirstUse', 'badProfile', 'UNDECLARED_STAGE', ...ENTRY_NAMES]) names.take(reserved);

  for (const helper of ['GROUP_ROLES', 'groupHasRole', 'rolesOfGroups', 'PROFILES', 'profile', 'who']) names.take(helper);

  const constants: StatementStructures[] = [];
  const sets = new Map<string, string>();
  /** A set of strings declared once at the top of the module (`prefix_N`), with a comment. */
  const namedSet = (prefix: string, values: readonly string[], about: string): string => {
    const key = JSON.stringify([prefix, values]);
    let name = sets.get(key);
    if (name === undefined) {
      name = names.take(prefix, String(sets.size + 1));
      sets.set(key, name);
      constants.push({
        kind: StructureKind.VariableStatement,
        declarationKind: VariableDeclarationKind.Const,
        leadingTrivia: `// ${about.replace(/[\r\n\u2028\u2029]/g, ' ').replace(/\*\//g, '* /')}\n`,
        declarations: [{ name, type: 'ReadonlySet<unknown>', initializer: `new Set([${values.map(lit).join(', ')}])` }],
      });
    }
    return name;
  };
  const roleSet = (roles: readonly string[], about: string): string => namedSet('roles', roles, about);

  const tests = new Map<string, RecordTest>();
  // the steps depend on the action only through the sharing rules and subscriber actions that
  // open it: cells of one role and resource share them (a large policy has 80,000 cells)
  const known = new Map<string, RecordTest>();
  const testFor = (role: RoleModel, resource: ResourceModel, action: string, level: 'own' | 'team' | undefined, fallback: string): RecordTest => {
    const sharing = model.sharingRules.length === 0 ? '' : model.sharingRules.filter((s) => s.resource === resource.name && s.actions.includes(action)).map((s) => s.rule).join(',');
    const quick = `${role.name}\u0000${resource.name}\u0000${level ?? ''}\u0000${fallback}\u0000${sharing}\u0000${resource.subscribers?.actions.includes(action) === true}`;
    const hit = known.get(quick);
    if (hit) return hit;
    const { steps, uses, doc } = reachSteps(model, role, resource, action, level, { roleSet });
    const key = JSON.stringify([steps, fallback]);
    let test = tests.get(key);
    if (!test) {
      const specific = steps.some((s) => s.kind === 'allow' && !['Own', 'Team', 'Subscriber', 'Reports'].includes(s.path)) || role.groups.length > 0;
      const name = names.take(`${level ?? 'subscribed'}_records`, ...(specific ? ['for', role.name] : []));
      const reads = [...new Set(steps.flatMap((s) => (s.kind === 'read' ? [lit(s.attribute)] : [])))].join(', ');
      const otherwise = level === undefined ? `; otherwise ${fallback === 'Denied' ? 'red' : 'default deny'}` : '';
      test = { name, planName: names.take(name, 'plan'), doc: `${doc.join(', or ')}${otherwise}; reads ${reads}`, steps, uses, fallback, principal: model };
      tests.set(key, test);
    }
    known.set(quick, test);
    return test;
  };

  /** Whether the principal's own groups list `group` (where the application's principal keeps them). */
  const groupsKey = principalKey(model, 'groups');
  const inGroup = (group: string): string => `inGroup(p, ${lit(group)}${groupsKey === 'groups' ? '' : `, ${lit(groupsKey)}`})`;
  const whens = new Map<string, FunctionDeclarationStructure>();
  /** The function testing a condition: `true`, `false`, `null` when it went over its cost budget, or `undefined` when it cannot be evaluated. */
  const whenFor = (condition: ConditionModel): string => {
    const key = JSON.stringify(condition);
    const known = whens.get(key);
    if (known) return known.name!;
    const name = names.take('when', String(whens.size + 1));
    const body =
      condition.kind === 'equals'
        ? [
            // a group's rule applies only to its members by request: others skip it, reading nothing
            ...(condition.group === undefined ? [] : [`if (!${inGroup(condition.group)}) return false;`]),
            `const v = ${ownRead('r', condition.attribute)};`,
            `return typeof v !== "string" ? undefined : v === ${lit(condition.value)};`,
          ]
        : ['try {', ...(condition.temps.length === 0 ? [] : [`  let ${condition.temps.map((t) => `${t}: any`).join(', ')};`]), `  const v: unknown = ${condition.js};`, '  return v === true ? true : v === false ? false : cel.isOverBudget(v) ? null : undefined;', '} catch {', '  return undefined;', '}'];
    whens.set(key, {
      kind: StructureKind.Function,
      name,
      docs: [condition.text.replace(/\*\//g, '* /')],
      parameters: [
        { name: 'p', type: 'Principal' },
        { name: 'r', type: 'Resource' },
        { name: 'c', type: 'Context' },
      ],
      returnType: 'boolean | null | undefined',
      statements: body.join('\n'),
    });
    return name;
  };
  /** A set of declared stage or pipeline values (R-K5). */
  const valueSet = (values: readonly string[]): string => namedSet('declared', values, 'declared stages or pipelines (R-K5)');

  const cellEmitters: CellEmitters = { testFor, whenFor, valueSet, inGroup };
  // R-K7: child kinds that also require a capability (emit/requires.ts)
  const requirements: string[] = [];
  const requirementEmitters = { names, whenFor, declare: (statement: string) => requirements.push(statement) };
  const requirementNames = new Map<ResourceModel, string>();
  const tables =
    layoutOf(model, options.layout) === 'table'
      ? new CellTables(model, names, {
          template: (role, resource, action) => cellTemplate(model, role, resource, action, cellEmitters),
        })
      : undefined;

  const functions: FunctionDeclarationStructure[] = [];
  const planFunctions: FunctionDeclarationStructure[] = [];
  const dispatch = new Map<ResourceModel, { action: string; fn: string; role: boolean }[]>();
  const planDispatch = new Map<ResourceModel, { action: string; fn: string }[]>();
  for (const resource of model.resources) {
    const entries: { action: string; fn: string; role: boolean }[] = [];
    const planEntries: { action: string; fn: string }[] = [];
    for (const action of resource.actions) {
      const fn = names.take('can', resource.name, action);
      const planFn = names.take('plan', resource.name, action);
      // cells as a role switch (not a child's or a table's) take the principal's role, which the
      // entries have just read and checked, so that it is not read again; an organisation's wrapper does not
      const switchesRole = resource.parent === undefined && tables === undefined;
      entries.push({ action, fn, role: switchesRole && resource.organisation === undefined });
      // R-K5: plans list no record in an undeclared stage or pipeline, as `can` allows none
      const planCall = declaredValues(resource).reduce(
        (call, { attribute, set }) => `planner.declaredOnly(${lit(attribute)}, ${cellEmitters.valueSet(set)}, ${call})`,
        `${planFn}(p, c)`,
      );
      planEntries.push({ action, fn: planCall });
      // a resource of an organisation is checked for the principal's organisation first (R-Z13),
      // then by the role switch, which then lives in functions of its own
      const org = resource.organisation;
      const cellsFn = org === undefined ? fn : names.take('cells', resource.name, action);
      const planCellsFn = org === undefined ? planFn : names.take('plan', 'cells', resource.name, action);
      const principal = { name: 'p', type: 'Principal' };
      const record = { name: 'r', type: 'Resource' };
      const context = { name: 'c', type: 'Context' };
      if (org !== undefined) {
        functions.push({
          kind: StructureKind.Function,
          name: fn,
          docs: [`${lit(resource.name)} · ${lit(action)}, within the principal's organisation`],
          parameters: [principal, record, context],
          returnType: 'Decision',
          statements: [
            `const organisation = ${ownRead('r', org)};`,
            'if (typeof organisation !== "string") return MISSING_ORGANISATION;',
            `const principalOrganisation = ${ownRead('p', principalKey(model, 'organisation'))};`,
            'if (typeof principalOrganisation !== "string") return NO_ORGANISATION;',
            'if (organisation !== principalOrganisation) return OTHER_ORGANISATION;',
            `return ${cellsFn}(p, r, c);`,
          ].join('\n'),
        });
        planFunctions.push({
          kind: StructureKind.Function,
          name: planFn,
          docs: [`${lit(resource.name)} · ${lit(action)}: which records, within the principal's organisation`],
          parameters: [principal, context],
          returnType: 'QueryPlan',
          statements: [
            `const organisation = ${ownRead('p', principalKey(model, 'organisation'))};`,
            'if (typeof organisation !== "string") return planner.fixed(NO_ORGANISATION);',
            `return planner.within(${lit(org)}, organisation, ${planCellsFn}(p, c));`,
          ].join('\n'),
        });
      }
      const bodies =
        resource.parent !== undefined
          ? withRequirement(resource, parentBodies(model, resource, action), requirementEmitters, requirementNames)
          : tables !== undefined ? tables.bodies(resource, action, declaredGuards(resource, cellEmitters)) : roleSwitch(model, resource, action, cellsFn, cellEmitters);
      planFunctions.push({
        kind: StructureKind.Function,
        name: planCellsFn,
        docs: [`${lit(resource.name)} · ${lit(action)}: which records${org === undefined ? '' : ', by role'}`],
        parameters: [principal, context],
        returnType: 'QueryPlan',
        statements: bodies.plan,
      });
      functions.push({
        kind: StructureKind.Function,
        name: cellsFn,
        docs: [`${lit(resource.name)} · ${lit(action)}${org === undefined ? '' : ', by role'}`],
        parameters: switchesRole ? [principal, record, context, { name: 'role', type: 'unknown', hasQuestionToken: true }] : [principal, record, context],
        returnType: 'Decision',
        statements: bodies.check,
      });
    }
    dispatch.set(resource, entries);
    planDispatch.set(resource, planEntries);
  }

  // each kind's action switch, once: `check` (after reading `kind`), the kind's runtime check and both entries call it
  const actionFns = new Map([...dispatch].map(([resource, entries]) => [resource, { name: names.take('actions', resource.name), entries }] as const));
  // one entry per kind (issue 17) for the runtime's checker: the profile guard, then the action switch
  const kindFns = new Map([...dispatch.keys()].map((resource) => [resource, names.take('check', resource.name)] as const));
  const kindChecks = [...dispatch.keys()].map((resource): FunctionDeclarationStructure => ({
    kind: StructureKind.Function,
    name: kindFns.get(resource)!,
    docs: [`${lit(resource.name)} records, whatever their \`kind\` says: \`checker.kinds[${lit(resource.name)}].can\``],
    parameters: [{ name: 'p', type: 'Principal' }, { name: 'action', type: 'string' }, { name: 'r', type: 'Resource' }, { name: 'c', type: 'Context' }],
    returnType: 'Decision',
    statements: (w) => {
      profileGuard(model, w, (denial) => denial);
      w.writeLine(`return ${actionFns.get(resource)!.name}(p, action, r, c);`);
    },
  }));
  // the entries of `checker` (issue 17): each decides the common request in one frame (entries.ts)
  const entries = [...actionFns].map(([resource, actions]) => ({ resource, name: names.take('entry', resource.name), actions: actions.name }));
  const roleNames = roleNamesOf(model);
  // rules and field rules packed with the tables: one string literal parses sooner than a row each
  const packed = tables?.literals;
  const fieldSecurity = fieldSecurityData(model, names, roleNames, packed);
  const printed = printStructure(
    {
      kind: StructureKind.SourceFile,
      statements: [
        header(model),
        {
          kind: StructureKind.ImportDeclaration,
          moduleSpecifier: options.runtimeImport,
          namedImports: [
            'and',
            'badProfile',
            'contains',
            'defineCan',
            'defineFields',
            'definePlanner',
            'definePolicy',
            ...(model.organisation ? ['defineOrganisation'] : []),
            ...(model.resources.some((r) => r.requires !== undefined) ? ['defineRequirement', 'planRequirement'] : []),
            ...(model.roleManagement ? ['defineRoleManagement'] : []),
            'eq',
            'EXHAUSTED',
            'FALSE',
            'groupsOf',
            'inGroup',
            'INVALID_CONTEXT',
            'INVALID_PRINCIPAL',
            'INVALID_RECORD',
            'INVALID_RESOURCE',
            'isPlain',
            'lazyChecker',
            'lazyEntries',
            'listIncludes',
            ...(model.resources.some((r) => r.organisation !== undefined) ? ['MISSING_ORGANISATION', 'NO_ORGANISATION', 'OTHER_ORGANISATION'] : []),
            'NO_CONTEXT',
            'oneOf',
            ...(model.roleManagement ? ['onFirstUse'] : []),
            'or',
            'ordinary',
            'own',
            ...(packed === undefined ? [] : ['packedRules']),
            'present',
            'PROBE',
            'reportList',
            'reportsInclude',
            'reportsOf',
            'someElement',
            ...(model.resources.some((r) => r.pipelines !== undefined) ? ['UNDECLARED_STAGE'] : []),
            ...(principalKey(model, 'id') === 'id' && principalKey(model, 'role') === 'role' ? [] : ['validator']),
            'withEntries',
            'withRoles',
            'type Context',
            'type CoreChecker',
            'type Decision',
            'type ObjectPrototype',
            'type PolicyChecker',
            'type Principal',
            'type Probed',
            'type QueryPlan',
            'type Resource',
          ],
        },
        ...([...whens.keys()].some((k) => JSON.parse(k).kind === 'cel')
          ? [{ kind: StructureKind.ImportDeclaration, moduleSpecifier: `${options.runtimeImport}/cel`, namespaceImport: 'cel' } as const]
          : []),
        policyData(model, roleNames, packed),
        'const d = policy.decide;',
        `const planner = /* @__PURE__ */ definePlanner(policy, ${lit(model.hash)});`,
        '/** What `plan` passes to a cell that does not read the record. */',
        'const NO_RECORD: Resource = /* @__PURE__ */ Object.freeze({ kind: "" });',
        schemaType(model),
        ...(model.groups.some((g) => g.roles.length > 0) ? groupTables(model) : []),
        ...(model.profiles.length === 0 ? [] : [`/** The profiles a principal may carry (R-Z2): any other \`profile\` is denied. */\nconst PROFILES: ReadonlySet<unknown> = /* @__PURE__ */ new Set([${model.profiles.map(lit).join(', ')}]);`]),
        ...constants,
        ...requirements,
        ...[...tests.values()].flatMap((t) => [testFunction(t), planFunction(t)]),
        ...whens.values(),
        ...(tables?.statements() ?? []),
        ...functions,
        ...planFunctions,
        fieldSecurity.statement,
        ...[...actionFns].map(([resource, { name, entries }]) => actionSwitch(resource, name, entries)),
        ...kindChecks,
        '/** `%TypedArray%.prototype`, the prototype of every typed array\'s prototype. */',
        // in a pure function: a bundler keeps a pure call whose argument reads a global (`Uint8Array.prototype`),
        // so `can` bundled alone, which has no use for it, would carry it
        'const TYPED_ARRAY: object = /* @__PURE__ */ (() => Object.getPrototypeOf(Uint8Array.prototype) as object)();',
        {
          kind: StructureKind.Function,
          name: 'unpolluted',
          docs: ["Whether no built-in prototype but Object.prototype has a key the checks read: then `can` takes any object as it is (docs/policy-language.md, \"Own data only\")."],
          returnType: 'boolean',
          statements: unpollutedTest(plainReads(model)),
        },
        dispatcher('check', { name: 'r', type: 'Resource' }, 'Decision', (w) => {
          profileGuard(model, w, (denial) => denial);
          kindSwitch(w, 'r.kind', actionFns, 'p, action, r, c');
        }),
        dispatcher('plan', { name: 'kind', type: 'string' }, 'QueryPlan', (w) => {
          profileGuard(model, w, (denial) => `planner.fixed(${denial})`);
          writeDispatch(w, planDispatch, 'kind', '', 'planner.fixed(policy.unknownAction)', 'planner.fixed(policy.unknownResource)');
        }),
        // `can` on its own: an application that imports only `can` bundles no plans, field masks or
        // their runtime (the pure annotations let a bundler drop `checker` when nothing uses it)
        {
          kind: StructureKind.VariableStatement,
          isExported: true,
          declarationKind: VariableDeclarationKind.Const,
          docs: ['`checker.can` on its own, for applications that need nothing else: bundled alone, it leaves plans and field masks out.'],
          // without `unpolluted`, whose test of every built-in prototype would be a fifth of the bundle
          declarations: [{ name: 'can', type: `${checkerType(model)}['can']`, initializer: `/* @__PURE__ */ defineCan<${canTypes(model)}>(check${canFields(model, 'undefined')})` }],
        },
        // made on the first request that needs it: importing the checker runs none of it (issue 17)
        'let rareChecker: CoreChecker | undefined;',
        {
          kind: StructureKind.Function,
          name: 'runtimeChecker',
          docs: ['The runtime\'s checker: `checker`\'s `plan`, and the requests its entries leave to it (several `roles`, a `profile`, objects that are not plain); made on first use.'],
          returnType: 'CoreChecker',
          statements: `return rareChecker ??= withRoles(planner.checker(defineCan<${canTypes(model)}>(check${canFields(model, 'unpolluted')}), plan, [${[...kindFns].map(([resource, fn]) => `[${lit(resource.name)}, ${fn}]`).join(', ')}], unpolluted)${principalKey(model, 'role') === 'role' ? '' : `, ${lit(principalKey(model, 'role'))}`});`,
        },
        '/** Where the entries send the requests they leave to the runtime\'s checker. */',
        `const rare = /* @__PURE__ */ lazyEntries(runtimeChecker, [${entries.map(({ resource }) => lit(resource.name)).join(', ')}]);`,
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
                `  kinds: [${entries.map(({ resource, name }) => `[${lit(resource.name)}, ${name}]`).join(', ')}],`,
                `}, () => ${fieldSecurity.name}.checker(withEntries(runtimeChecker(), entry, [${entries.map(({ resource, name }) => `[${lit(resource.name)}, ${name}]`).join(', ')}])))`,
              ].join('\n'),
            },
          ],
        },
        'export default checker;',
        ...(model.organisation ? [organisationData(model.organisation)] : []),
        ...(model.roleManagement ? [roleManagementData(model, model.roleManagement)] : []),
      ],
    },
    { indentNumberOfSpaces: 2 },
  );
  // (a name that imitates a placeholder: the same cells as code)
  return tables === undefined ? printed : (tables.literals.fill(printed) ?? emitChecker(model, { ...options, layout: 'code' }));
}

/**
 * `can` and `plan` of a resource × action as a switch on the principal's role. Cells that do
 * not depend on the record (red, green, administrator, default deny, unknown role) plan
 * exactly what `can` decides for them, without reading the record.
 */
function roleSwitch(model: PolicyModel, resource: ResourceModel, action: string, cellsFn: string, emitters: CellEmitters): { check: string; plan: string } {
  const cells = model.roles.map((role) => ({ role, ...profileCells(model, role, (r) => cellBodies(model, r, resource, action, emitters)) }));
  // R-Z2: where roles vary by the principal's profile (`check` has refused profiles the policy lacks)
  const guard = model.profiles.length === 0 ? [] : [`const profile = ${ownRead('p', 'profile')};`];
  const declared = declaredGuards(resource, emitters);
  // `role`: the principal's role when an entry passes it (compiler/emit/entries.ts), else read here
  const roleCases = (indent: string, list: readonly (typeof cells)[number][], check: (cell: (typeof cells)[number]) => string): string[] =>
    list.map((cell) => `${indent}case ${lit(cell.role.name)}: ${check(cell)}`);
  const base = [`switch (${model.profiles.length === 0 ? `role ?? ${principalValue(model, 'role')}` : 'who'}) {`, ...roleCases('  ', cells, (cell) => cell.base.check), '  default: return policy.unknownRole;', '}'];
  // R-Z2: a principal carrying a profile that changes its role's cell is decided by that profile's
  // case; any other goes on to the role's own cell. Decided once, not a switch on the profile in
  // every role's case: a policy with profiles was several times the code to parse at import (issue 17)
  const profileCases = model.profiles.map((profile) => ({ profile, changed: cells.filter((cell) => cell.forProfile(profile).check !== cell.base.check) }));
  const unchanged = profileCases.filter(({ changed }) => changed.length === 0).map(({ profile }) => `case ${lit(profile)}:`);
  const byProfile = [
    // the role read once: a getter cannot answer one role to the profile's switch and another to the role's
    `const who = role ?? ${principalValue(model, 'role')};`,
    'switch (profile) {',
    `  ${['case undefined:', ...unchanged].join(' ')} break;`,
    ...profileCases
      .filter(({ changed }) => changed.length > 0)
      .flatMap(({ profile, changed }) => [`  case ${lit(profile)}:`, '    switch (who) {', ...roleCases('      ', changed, (cell) => cell.forProfile(profile).check), '    }', '    break;']),
    '  default: return badProfile(profile);',
    '}',
  ];
  const planned = cells.filter(({ plan }) => plan !== undefined);
  // one string per function: large policies have tens of thousands of cells
  return {
    check: [...declared, ...guard, ...(model.profiles.length === 0 ? [] : byProfile), ...base].join('\n'),
    // no cell reads the record (modules, red, green, administrators): the plan is what `can` decides without one
    plan: planned.length === 0 ? `return planner.fixed(${cellsFn}(p, NO_RECORD, c));` : [
      ...guard,
      `switch (${principalValue(model, 'role')}) {`,
      ...planned.map(({ role, plan }) => `  case ${lit(role.name)}: ${plan}`),
      // a profile's switch breaks out when its cell does not read the record: then the same fallback
      ...(model.profiles.length === 0 ? [`  default: return planner.fixed(${cellsFn}(p, NO_RECORD, c));`, '}'] : ['}', `return planner.fixed(${cellsFn}(p, NO_RECORD, c));`]),
    ].join('\n'),
  };
}

/** R-K5: a record in a stage or pipeline its resource does not declare is refused before any role. */
function declaredGuards(resource: ResourceModel, emitters: CellEmitters): string[] {
  return declaredValues(resource).map(({ attribute, set }) => `if (${ownRead('r', attribute)} !== undefined && !${emitters.valueSet(set)}.has(${ownRead('r', attribute)})) return UNDECLARED_STAGE;`);
}

/** The attributes whose values a resource declares (R-K5): its stage and pipeline, with the declared values. */
function declaredValues(resource: ResourceModel): { attribute: string; set: readonly string[] }[] {
  const pipelines = resource.pipelines;
  if (pipelines === undefined) return [];
  return [
    ...(resource.pipeline === undefined ? [] : [{ attribute: resource.pipeline, set: [...pipelines.keys()] }]),
    ...(resource.stage === undefined ? [] : [{ attribute: resource.stage, set: [...new Set([...pipelines.values()].flat())] }]),
  ];
}

/**
 * A role's cell: its bodies for `can` without a profile (`base`) and for each profile a principal
 * may carry (`forProfile`, R-Z2: the role's own, or the role as seen through another declared
 * profile), and one statement for `plan` when the cell reads the record — for a role whose users
 * may carry profiles, a switch on `principal.profile`.
 */
function profileCells(
  model: PolicyModel,
  role: RoleModel,
  bodies: (role: RoleModel) => { check: string; plan: string | undefined },
): { base: { check: string; plan: string | undefined }; forProfile: (profile: string | undefined) => { check: string }; plan: string | undefined } {
  const base = bodies(role);
  if (model.profiles.length === 0) return { base, forProfile: () => base, plan: base.plan === undefined ? undefined : `return ${base.plan};` };
  // profiles whose entry is the role itself (an administrator role) share its case
  const same = [...role.byProfile].filter(([, variant]) => variant === role).map(([name]) => name);
  const variants = [...role.byProfile].filter(([, variant]) => variant !== role).map(([name, variant]) => ({ name, labels: `case ${lit(name)}:`, ...bodies(variant) }));
  const labels = ['case undefined:', ...[role.profile, ...same].flatMap((name) => (name === undefined ? [] : [`case ${lit(name)}:`]))].join(' ');
  const plans = [{ labels, ...base }, ...variants].filter((v) => v.plan !== undefined);
  // every declared profile is the role's own or one of `byProfile` (compiler/analyze/analyze.ts);
  // `check` has refused any other before a cell is called
  const forProfile = (profile: string | undefined): { check: string } => variants.find((v) => v.name === profile) ?? base;
  return {
    base,
    forProfile,
    // a cell that does not read the record plans what `can` decides without one
    plan: plans.length === 0 ? undefined : ['switch (profile) {', ...plans.map((v) => `    ${v.labels} return ${v.plan};`), '    default: break;', '  }', '  break;'].join('\n'),
  };
}

/**
 * A kind whose access follows its parent record (R-Z11): reading it needs the parent kind's
 * first read action, anything else its first write action, decided by the parent's own check.
 */
function parentBodies(model: PolicyModel, resource: ResourceModel, action: string): { check: string; plan: string } {
  const parent = resource.parent!;
  const needs = parent.needs.get(action) ?? 'write';
  const kinds = parent.resources.map((name) => {
    const kind = model.resources.find((r) => r.name === name)!;
    return { name, action: (needs === 'read' ? kind.read[0] : kind.write[0])! };
  });
  const [allow, deny] = needs === 'read' ? ['ParentRead', 'ParentNoRead'] : ['ParentWrite', 'ParentNoWrite'];
  const id = parent.rule;
  return {
    check: [
      `const parent = ${ownRead('r', parent.attribute)};`,
      `if (typeof parent !== "object" || parent === null) return d(${id}, ${path('MissingParent')});`,
      // an ordinary object, as `can` passes: the parent's checks read it by the fast path too
      'const record = ordinary(parent) as Resource;',
      `switch (${ownRead('record', 'kind')}) {`,
      ...kinds.map((k) => `  case ${lit(k.name)}: return check(p, ${lit(k.action)}, record, c).allow ? d(${id}, ${path(allow)}) : d(${id}, ${path(deny)});`),
      `  default: return d(${id}, ${path('MissingParent')});`,
      '}',
    ].join('\n'),
    plan: [`return planner.parentPlan(${id}, ${lit(parent.attribute)}, [`, ...kinds.map((k) => `  [${lit(k.name)}, plan(p, ${lit(k.action)}, ${lit(k.name)}, c)],`), ']);'].join('\n'),
  };
}

interface CellEmitters {
  readonly testFor: (role: RoleModel, resource: ResourceModel, action: string, level: 'own' | 'team' | undefined, fallback: string) => RecordTest;
  readonly whenFor: (condition: ConditionModel) => string;
  readonly valueSet: (values: readonly string[]) => string;
  readonly inGroup: (group: string) => string;
}

/**
 * One role × resource × action cell: its statement for `can`, and for `plan` an expression when
 * the cell reads the record or has conditions (else the plan is what `can` decides without one).
 * Conditional rules (pipelines, stages, R-K5) are tried first, in order: the first whose
 * condition holds decides, one that cannot be evaluated denies. A `when:` on the cell's own
 * rule denies when it does not hold. Rule ids are written by `idExpr` (the table layout writes
 * them relative to the cell's rule, so that cells with the same conditions share their code).
 */
function cellBodies(model: PolicyModel, role: RoleModel, resource: ResourceModel, action: string, emitters: CellEmitters, idExpr: (id: number) => string = String): { check: string; plan: string | undefined } {
  const simple = simpleCell(model, role, resource, action, emitters, idExpr);
  if (simple !== undefined) return { check: `return ${simple.check};`, plan: simple.plan };
  const id = role.cells.get(resource.name)!.get(action)!;
  const overrides = role.overrides.get(resource.name)?.get(action) ?? [];
  const base = model.rules[id]!;
  // each rule's body once, for both the check and the plan
  const baseBody = ruleBody(model, role, resource, action, id, emitters, idExpr);
  const overrideBodies = overrides.map((o) => ({ o, condition: model.rules[o]!.condition!, body: ruleBody(model, role, resource, action, o, emitters, idExpr) }));
  // the plan, built from the last rule back to the first
  let plan = baseBody.plan ?? fixedPlan(baseBody.check);
  if (base.condition !== undefined) plan = conditionPlan(base.condition, idExpr(id), emitters, plan, undefined);
  for (const { o, condition, body } of [...overrideBodies].reverse()) plan = conditionPlan(condition, idExpr(o), emitters, body.plan ?? fixedPlan(body.check), plan);
  const check: string[] = [];
  overrideBodies.forEach(({ o, condition, body }, i) => {
    check.push(`const k${i} = ${emitters.whenFor(condition)}(p, r, c);`, `if (k${i} === true) return ${body.check};`, `if (k${i} !== false) return d(${idExpr(o)}, ${failed(`k${i}`)});`);
  });
  if (base.condition !== undefined) {
    check.push(`const k = ${emitters.whenFor(base.condition)}(p, r, c);`, `if (k !== true) return d(${idExpr(id)}, k === false ? ${path('ConditionNotMet')} : ${failed('k')});`);
  }
  check.push(`return ${baseBody.check};`);
  return { check: `{\n${check.map((l) => `    ${l}`).join('\n')}\n  }`, plan };
}

/**
 * A cell as the table layout shares it among rows and actions: its code with its rule written
 * `rule`, and the rules of its conditions as offsets from it (a group's pipeline rule, R-K5, is the
 * same few lines in every role's cells).
 */
function cellTemplate(model: PolicyModel, role: RoleModel, resource: ResourceModel, action: string, emitters: CellEmitters): CellTemplate {
  const id = role.cells.get(resource.name)?.get(action);
  const rule = role.administratorRule ?? id;
  if (rule === undefined) throw new Error(`policyc internal error: no rule for ${role.name} / ${resource.name} / ${action}`);
  const relative = (other: number): string => (other === rule ? 'rule' : other > rule ? `rule + ${other - rule}` : `rule - ${rule - other}`);
  const simple = simpleCell(model, role, resource, action, emitters, relative);
  if (simple !== undefined) return simple;
  const { check, plan } = cellBodies(model, role, resource, action, emitters, relative);
  return { rule, check, plan };
}

/**
 * A cell one rule decides (an administrator's, or one without conditions): its code, with the
 * rule's id written by `idExpr` (the table layout writes `rule`, shared by every cell of a shape).
 */
function simpleCell(model: PolicyModel, role: RoleModel, resource: ResourceModel, action: string, emitters: CellEmitters, idExpr: (id: number) => string): CellTemplate | undefined {
  if (role.administratorRule !== undefined) return { rule: role.administratorRule, check: `d(${idExpr(role.administratorRule)}, ${path('Admin')})`, plan: undefined };
  const id = role.cells.get(resource.name)?.get(action);
  if (id === undefined) throw new Error(`policyc internal error: no rule for ${role.name} / ${resource.name} / ${action}`);
  const overrides = role.overrides.get(resource.name)?.get(action) ?? [];
  if (overrides.length > 0 || model.rules[id]!.condition !== undefined) return undefined;
  const body = ruleBody(model, role, resource, action, id, emitters, idExpr);
  return { rule: id, check: body.check, plan: body.plan };
}

/** The path of a condition that neither held nor failed to hold: over its cost budget (`null`), or not evaluable. */
const failed = (k: string): string => `${k} === null ? ${path('ConditionOverBudget')} : ${path('ConditionFailed')}`;

/** A decision that does not read the record, as a plan. */
const fixedPlan = (decision: string): string => `planner.fixed(${decision})`;

/**
 * The plan of a conditional rule: `then` where its condition holds; where it does not, `otherwise`
 * (an override) or the rule's denial (a `when:`); where it cannot be evaluated, its denial.
 * A condition on a stage or pipeline is a filter; one that only reads the principal and the
 * context is decided now; a CEL condition reading the record is a filter (a superset to recheck
 * when no filter expresses some part of it).
 */
function conditionPlan(condition: ConditionModel, rule: string, emitters: CellEmitters, then: string, otherwise: string | undefined): string {
  const notMet = otherwise ?? `planner.fixed(d(${rule}, ${path('ConditionNotMet')}))`;
  const orElse = `() => ${notMet}`;
  if (condition.kind === 'equals') {
    const plan = `planner.onAttribute(${lit(condition.attribute)}, ${lit(condition.value)}, () => ${then}, ${orElse})`;
    // a group's rule for members by request: decided for the principal when the plan is made
    return condition.group === undefined ? plan : `(${emitters.inGroup(condition.group)} ? ${plan} : ${notMet})`;
  }
  if (condition.readsResource) {
    // the records on which a `when:` holds, as a filter (overrides are stages and pipelines, never CEL)
    if (condition.planFilter === undefined || otherwise !== undefined) throw new Error('policyc internal error: a condition reading the record without its filter');
    const { code, exact } = condition.planFilter;
    return `planner.onFilter(${code}, ${rule}, () => ${then}${exact ? '' : ', false'})`;
  }
  return `planner.onCondition(${emitters.whenFor(condition)}(p, NO_RECORD, c), ${rule}, () => ${then}, ${orElse})`;
}

/** What rule `id` decides for the cell: a decision expression for `can`, and a plan expression when it reads the record. */
function ruleBody(
  model: PolicyModel,
  role: RoleModel,
  resource: ResourceModel,
  action: string,
  ruleId: number,
  emitters: CellEmitters,
  idExpr: (id: number) => string = String,
): { check: string; plan: string | undefined } {
  const rule = model.rules[ruleId]!;
  const id = idExpr(ruleId);
  const fixed = (decision: string) => ({ check: decision, plan: undefined });
  const tested = (test: RecordTest) => ({ check: `${test.name}(p, r, ${id})`, plan: `${test.planName}(p, ${id})` });
  // red and default deny: only a subscriber gets past them (R-K9)
  const subscribed = resource.subscribers?.actions.includes(action) === true;
  if (rule.kind === 'default') return subscribed ? tested(emitters.testFor(role, resource, action, undefined, 'DefaultDeny')) : fixed(`d(${id}, ${path('DefaultDeny')})`);
  if (rule.level === 'deny') return subscribed ? tested(emitters.testFor(role, resource, action, undefined, 'Denied')) : fixed(`d(${id}, ${path('Denied')})`);
  if (rule.kind === 'public') return fixed(`d(${id}, ${path('Public')})`);
  if (rule.level === 'all') return fixed(`d(${id}, ${path('All')})`);
  return tested(emitters.testFor(role, resource, action, rule.level, 'NotReached'));
}

/** Member roles of each group, for a principal's groups given at check time (R-Z7). */
function groupTables(model: PolicyModel): string[] {
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
function conditionLabel(condition: ConditionModel): string {
  if (condition.kind !== 'cel' || condition.duringShift === undefined) return condition.text;
  const { when, roleShift } = condition.duringShift;
  const shift = roleShift === undefined ? "during the principal's own shift" : `during the principal's shift (${roleShift} unless the principal names another)`;
  return when === undefined ? shift : `${when}, ${shift}`;
}

/** The policy data's role names: roles, then `*` (rules of no one role), then the profiles rules are declared in. */
function roleNamesOf(model: PolicyModel): string[] {
  return [...new Set([...model.roles.map((r) => r.name), '*', ...model.rules.map((r) => r.declaredIn), ...model.fields.rules.map((r) => r.declaredIn)])];
}

/**
 * The policy's data for the runtime. A rule is a string of numbers — indexes into the name
 * lists — so a large policy stays small and quick to parse.
 */
function policyData(model: PolicyModel, roleNames: readonly string[], packed: PackedLiterals | undefined): string {
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

/** The type arguments of `defineCan`: the schema, and the application's principal when the policy maps its fields. */
function canTypes(model: PolicyModel): string {
  return model.principalFields.size === 0 ? 'Schema' : 'Schema, AppPrincipal';
}

/**
 * `defineCan`'s arguments after `check`: `unpolluted` (or `undefined`), then the test of the
 * principal's id and role when the policy names other fields for them (`principal: { id: userId }`).
 */
function canFields(model: PolicyModel, unpolluted: 'unpolluted' | 'undefined'): string {
  const id = principalKey(model, 'id');
  const role = principalKey(model, 'role');
  const fields = id === 'id' && role === 'role' ? '' : `, validator(${lit(id)}, ${lit(role)})`;
  return unpolluted === 'undefined' && fields === '' ? '' : `, ${unpolluted}${fields}`;
}

/** `check(p, action, r)` or `plan(p, action, kind)`: dispatch on the kind, then the action. */
function dispatcher(
  name: string,
  target: { name: string; type: string },
  returnType: string,
  statements: (w: CodeBlockWriter) => void,
): FunctionDeclarationStructure {
  return {
    kind: StructureKind.Function,
    name,
    parameters: [{ name: 'p', type: 'Principal' }, { name: 'action', type: 'string' }, target, { name: 'c', type: 'Context' }],
    returnType,
    statements,
  };
}

/** A malformed request (R-Z2): a `profile` that is not one of the policy's is denied before anything else. */
function profileGuard(model: PolicyModel, w: CodeBlockWriter, wrap: (denial: string) => string): void {
  w.writeLine(`const profile = ${ownRead('p', 'profile')};`);
  // a policy without profiles declares none: any profile is unknown
  w.writeLine(`if (profile !== undefined${model.profiles.length === 0 ? '' : ' && !PROFILES.has(profile)'}) return ${wrap('badProfile(profile)')};`);
}

function writeDispatch(
  w: CodeBlockWriter,
  dispatch: ReadonlyMap<ResourceModel, { action: string; fn: string }[]>,
  kind: string,
  args: string,
  unknownAction: string,
  unknownResource: string,
): void {
  w.write(`switch (${kind})`).block(() => {
    for (const [resource, entries] of dispatch) {
      w.writeLine(`case ${lit(resource.name)}:`);
      w.indent(() => {
        w.write('switch (action)').block(() => {
          for (const { action, fn } of entries) w.writeLine(`case ${lit(action)}: return ${fn}${args};`);
          w.writeLine(`default: return ${unknownAction};`);
        });
      });
    }
    w.writeLine(`default: return ${unknownResource};`);
  });
}

/**
 * The organisation's checked role table for the user-management guards (seed 004). Built with
 * `Object.fromEntries`, so a role name such as `__proto__` is just a key.
 */
function organisationData(org: OrganisationModel): string {
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
