import { printStructure, StructureKind, VariableDeclarationKind, type CodeBlockWriter, type FunctionDeclarationStructure, type StatementStructures } from 'ts-morph';
import type { ConditionModel, PolicyModel, ResourceModel, RoleModel } from '../ir/model.ts';
import { actionSwitch, ENTRY_NAMES, kindSwitch } from './entries.ts';
import { fieldSecurityData } from './fields.ts';
import { FORMAT_VERSION, header } from './header.ts';
import { IdentifierPool, lit } from './literal.ts';
import { ownRead, planFunction, planStatements, principalKey, reachSteps, testFunction, type RecordTest } from './reach.ts';
import { CellTables, layoutOf, type Layout } from './table.ts';
import { PackedLiterals } from './packed-rules.ts';
import { checkerType, schemaType } from './types.ts';
import { isShiftCondition, shiftConditionBody, shiftTable, SHIFTS, usesCel } from './shifts.ts';
import { FIXED_PLAN, PlanFunctions, whenPlanFunction, writePlanDispatch } from './plans.ts';
import { emitResources } from './resources.ts';
import { exportStatements } from './exports.ts';
import { cellTemplate, UNMET, type CellEmitters } from './cells.ts';
import { conditionLabel, groupTables, policyData, roleNamesOf } from './data.ts';

export interface EmitOptions {
  /** Module specifier of the runtime in generated imports. */
  readonly runtimeImport: string;
  /** Cells as code or as tables (`table.ts`); by default tables for large policies only. */
  readonly layout?: Layout;
  /** Whether rules may be packed into one string ({@link PACK_FROM_RULES}); false after a name imitated a placeholder. */
  readonly pack?: boolean;
  /**
   * The lean module of `checker.js` / `checker.cjs` (issue 17): the same decisions, but `plan`,
   * field security and role management come from the whole module, `checker.full.cjs`, loaded by
   * a function `loadFull` written after the bundle (lean.ts `leanLoader`). Bundled only: never written.
   */
  readonly lean?: boolean;
}

/**
 * Rules from which a policy's rule rows (and field rules) are packed into one string literal
 * (`packed-rules.ts`): it parses sooner than a row each (kommo-crm's `checker.js` 7% smaller),
 * while a small policy keeps rows a reviewer can read and `can` alone keeps one reader of rules.
 */
export const PACK_FROM_RULES = 100;

/**
 * The checker module: one function per resource × action that switches on the principal's
 * role; a role's cell returns its decision directly (red, green, administrator) or calls the
 * record test of its level and reach (yellow, blue, hierarchy, peers).
 */
export function emitChecker(model: PolicyModel, options: EmitOptions): string {
  const names = new IdentifierPool();
  for (const reserved of ['policy', 'd', 'planner', 'check', 'plan', 'can', 'checker', 'p', 'r', 'c', 'k', 'rule', 'groups', 'Schema', 'NO_RECORD', 'NO_CONTEXT', 'cel', 'own', 'inGroup', 'listIncludes', 'someElement', 'ObjectPrototype', 'ordinary', 'record', 'parent', 'organisation', 'principalOrganisation', 'MISSING_ORGANISATION', 'NO_ORGANISATION', 'OTHER_ORGANISATION', 'PolicyChecker', 'AppPrincipal', 'unmet', 'withRoles', 'rareChecker', 'runtimeChecker', 'lazyChecker', 'lazyEntries', 'onFirstUse', 'badProfile', 'UNDECLARED_STAGE', 'validator', 'fixed', 'then', 'otherwise', 'Path', 'duringShift', 'Shift', 'full', 'whole', 'wholeModule', 'loadFull', 'WholeModule', SHIFTS, ...ENTRY_NAMES]) names.take(reserved);

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
  /** Each plan twin by its body, with the test that names it. */
  const twins = new Map<string, RecordTest>();
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
      // tests that differ only in their fallback share one plan twin
      const twin = planStatements({ steps, uses, principal: model });
      const shared = twins.get(twin);
      test = { name, planName: shared?.planName ?? names.take(name, 'plan'), doc: `${doc.join(', or ')}${otherwise}; reads ${reads}`, steps, uses, fallback, principal: model };
      if (shared === undefined) twins.set(twin, test);
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
    const body = isShiftCondition(condition)
      ? shiftConditionBody(condition, model.shifts)
      : condition.kind === 'equals'
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
      // a shift's CEL spells out every shift of the policy: its function says what it means instead
      docs: [(isShiftCondition(condition) ? conditionLabel(condition) : condition.text).replace(/\*\//g, '* /')],
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
  const whenPlans = new Map<string, FunctionDeclarationStructure>();
  /** The plan twin of an equality condition's function (plans.ts). */
  const whenPlanFor = (condition: ConditionModel & { kind: 'equals' }): string => {
    const key = JSON.stringify(condition);
    const known = whenPlans.get(key);
    if (known) return known.name!;
    const twin = whenPlanFunction(names.take(whenFor(condition), 'plan'), condition, inGroup);
    whenPlans.set(key, twin);
    return twin.name!;
  };
  /** A set of declared stage or pipeline values (R-K5). */
  const valueSet = (values: readonly string[]): string => namedSet('declared', values, 'declared stages or pipelines (R-K5)');

  const cellEmitters: CellEmitters = { testFor, whenFor, whenPlanFor, valueSet, inGroup };
  // R-K7: child kinds that also require a capability (emit/requires.ts)
  const requirements: string[] = [];
  const requirementEmitters = { names, whenFor, declare: (statement: string) => requirements.push(statement) };
  const tables =
    layoutOf(model, options.layout) === 'table'
      ? new CellTables(model, names, {
          template: (role, resource, action) => cellTemplate(model, role, resource, action, cellEmitters),
        })
      : undefined;

  const planFunctions = new PlanFunctions(names);
  const { functions, dispatch, planDispatch } = emitResources({ model, names, tables, cellEmitters, requirementEmitters, planFunctions });

  // each kind's action switch, once: `check` (on the record's `kind`, or the kind a runtime entry decides for) and both entries call it
  const actionFns = new Map([...dispatch].map(([resource, entries]) => [resource, { name: names.take('actions', resource.name), entries }] as const));
  // the entries of `checker` (issue 17): each decides the common request in one frame (entries.ts)
  const entries = [...actionFns].map(([resource, actions]) => ({ resource, name: names.take('entry', resource.name), actions: actions.name }));
  const roleNames = roleNamesOf(model);
  // rules and field rules packed with the tables, or from PACK_FROM_RULES rules: one string literal parses sooner than a row each
  const packed = tables?.literals ?? (options.pack !== false && model.rules.length >= PACK_FROM_RULES ? new PackedLiterals() : undefined);
  const fieldSecurity = fieldSecurityData(model, names, roleNames, packed);
  const shiftConditions = [...whens.keys()].some((k) => isShiftCondition(JSON.parse(k) as ConditionModel));
  const twinOwners = new Set(twins.values());
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
            ...(model.roleManagement ? ['defineRoleManagement', ...(options.lean === true ? ['type RoleManagement'] : [])] : []),
            ...(shiftConditions ? ['duringShift'] : []),
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
            ...(options.lean === true ? ['wholeModule'] : []),
            'someElement',
            ...(model.resources.some((r) => r.pipelines !== undefined) ? ['UNDECLARED_STAGE'] : []),
            ...(principalKey(model, 'id') === 'id' && principalKey(model, 'role') === 'role' ? [] : ['validator']),
            'withEntries',
            'withRoles',
            'type Context',
            'type CoreChecker',
            'type Decision',
            'type ObjectPrototype',
            'type Path',
            'type PolicyChecker',
            'type Principal',
            'type Probed',
            'type QueryPlan',
            'type Resource',
            ...(shiftConditions ? ['type Shift'] : []),
          ],
        },
        ...([...whens.keys()].some((k) => usesCel(JSON.parse(k) as ConditionModel))
          ? [{ kind: StructureKind.ImportDeclaration, moduleSpecifier: `${options.runtimeImport}/cel`, namespaceImport: 'cel' } as const]
          : []),
        policyData(model, roleNames, packed),
        'const d = policy.decide;',
        ...(whens.size > 0 ? [UNMET] : []),
        `const planner = /* @__PURE__ */ definePlanner(policy, ${lit(model.hash)});`,
        '/** What `plan` passes to a cell that does not read the record. */',
        'const NO_RECORD: Resource = /* @__PURE__ */ Object.freeze({ kind: "" });',
        schemaType(model),
        ...(model.groups.some((g) => g.roles.length > 0) ? groupTables(model) : []),
        ...(model.profiles.length === 0 ? [] : [`/** The profiles a principal may carry (R-Z2): any other \`profile\` is denied. */\nconst PROFILES: ReadonlySet<unknown> = /* @__PURE__ */ new Set([${model.profiles.map(lit).join(', ')}]);`]),
        ...constants,
        ...(shiftConditions ? [shiftTable(model.shifts)] : []),
        ...requirements,
        ...[...tests.values()].flatMap((t) => [testFunction(t), ...(twinOwners.has(t) ? [planFunction(t)] : [])]),
        ...whens.values(),
        ...whenPlans.values(),
        ...(tables?.statements() ?? []),
        ...functions,
        FIXED_PLAN,
        ...planFunctions.statements(),
        fieldSecurity.statement,
        ...[...actionFns].map(([resource, { name, entries }]) => actionSwitch(resource, name, entries)),
        {
          ...dispatcher('check', { name: 'r', type: 'Resource' }, 'Decision', (w) => {
            profileGuard(model, w, (denial) => denial);
            kindSwitch(w, 'kind', actionFns, 'p, action, r, c');
          }),
          docs: ['The runtime\'s check of a request: the record\'s `kind`, or the `kind` a per-kind entry (`checker.kinds["lead"].can`) decides for, whatever the record says.'],
          parameters: [{ name: 'p', type: 'Principal' }, { name: 'action', type: 'string' }, { name: 'r', type: 'Resource' }, { name: 'c', type: 'Context' }, { name: 'kind', type: 'string', initializer: 'r.kind' }],
        },
        dispatcher('plan', { name: 'kind', type: 'string' }, 'QueryPlan', (w) => {
          profileGuard(model, w, (denial) => `planner.fixed(${denial})`);
          writePlanDispatch(w, planDispatch, actionFns);
        }),
        ...exportStatements({ model, actionFns, entries, fieldSecurity: fieldSecurity.name, lean: options.lean === true }),
      ],
    },
    { indentNumberOfSpaces: 2 },
  );
  // (a name that imitates a placeholder: the same cells as code, rules as rows)
  return packed === undefined ? printed : (packed.fill(printed) ?? emitChecker(model, { ...options, layout: 'code', pack: false }));
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
