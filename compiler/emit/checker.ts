import {
  printStructure,
  StructureKind,
  VariableDeclarationKind,
  type CodeBlockWriter,
  type FunctionDeclarationStructure,
  type StatementStructures,
} from 'ts-morph';
import { COLOUR_OF, type OrganisationModel, type PolicyModel, type ResourceModel, type RoleModel } from '../ir/model.ts';
import { fieldSecurityData } from './fields.ts';
import { FORMAT_VERSION, header } from './header.ts';
import { IdentifierPool, lit } from './literal.ts';
import { schemaType } from './types.ts';

/** Above this many subordinate roles, reach is tested with a Set rather than a chain of `===`. */
const INLINE_REACH = 8;

/** Column order of a generated rule row; the runtime reads the same order. */
const RULE_KINDS = ['grant', 'administrator', 'default'] as const;
const LEVEL_CODES = ['deny', 'own', 'team', 'all'] as const;

export interface EmitOptions {
  /** Module specifier of the runtime in generated imports. */
  readonly runtimeImport: string;
}

/**
 * A record test shared by every cell that needs it: one per level (own or team), record
 * attributes read, and reach of the role (its subordinates and peers). Cells call it with
 * their rule id, so each test is written once, and V8 inlines it back into the cells.
 */
interface RecordTest {
  readonly name: string;
  /** Its twin that returns the same test as a query plan filter. */
  readonly planName: string;
  readonly level: 'own' | 'team';
  readonly owner: string;
  readonly team: string | undefined;
  readonly ownerRole: string | undefined;
  /** Roles below the principal's role whose records it reaches (R-Z1). */
  readonly below: readonly string[];
  /** The role whose users share records with each other (R-Z3). */
  readonly peers: string | undefined;
  readonly reachSet: string | undefined;
}

/**
 * The checker module: one function per resource × action that switches on the principal's
 * role; a role's cell returns its decision directly (red, green, administrator) or calls the
 * record test of its level and reach (yellow, blue, hierarchy, peers).
 */
export function emitChecker(model: PolicyModel, options: EmitOptions): string {
  const names = new IdentifierPool();
  for (const reserved of ['policy', 'd', 'check', 'plan', 'checker', 'p', 'r', 'rule', 'groups', 'Schema', 'NO_RECORD']) names.take(reserved);

  const reachSets: StatementStructures[] = [];
  const tests = new Map<string, RecordTest>();
  const testFor = (resource: ResourceModel, level: 'own' | 'team', role: RoleModel): RecordTest => {
    const ownerRole = resource.ownerRole;
    const below = ownerRole !== undefined ? role.subordinates : [];
    const peers = ownerRole !== undefined && role.sharesWithPeers ? role.name : undefined;
    const reaches = below.length > 0 || peers !== undefined;
    const team = level === 'team' ? resource.team : undefined;
    const key = JSON.stringify([level, resource.owner, team ?? null, reaches ? ownerRole : null, below, peers ?? null]);
    let test = tests.get(key);
    if (!test) {
      let reachSet: string | undefined;
      if (below.length > INLINE_REACH) {
        reachSet = names.take('below', role.name);
        reachSets.push({
          kind: StructureKind.VariableStatement,
          declarationKind: VariableDeclarationKind.Const,
          leadingTrivia: `// roles below ${lit(role.name)}\n`,
          declarations: [{ name: reachSet, type: 'ReadonlySet<string>', initializer: `new Set([${below.map(lit).join(', ')}])` }],
        });
      }
      const name = names.take(`${level}_records`, ...(reaches ? ['for', role.name] : []));
      const planName = names.take(name, 'plan');
      test = { name, planName, level, owner: resource.owner!, team, ownerRole: reaches ? ownerRole : undefined, below, peers, reachSet };
      tests.set(key, test);
    }
    return test;
  };

  const functions: FunctionDeclarationStructure[] = [];
  const planFunctions: FunctionDeclarationStructure[] = [];
  const dispatch = new Map<ResourceModel, { action: string; fn: string }[]>();
  const planDispatch = new Map<ResourceModel, { action: string; fn: string }[]>();
  for (const resource of model.resources) {
    const entries: { action: string; fn: string }[] = [];
    const planEntries: { action: string; fn: string }[] = [];
    for (const action of resource.actions) {
      const cells = model.roles.map((role) => ({ role, ...cellBodies(model, role, resource, action, testFor) }));
      const fn = names.take('can', resource.name, action);
      const planFn = names.take('plan', resource.name, action);
      entries.push({ action, fn });
      planEntries.push({ action, fn: planFn });
      // a resource of an organisation is checked for the principal's organisation first (R-Z13),
      // then by the role switch, which then lives in functions of its own
      const org = resource.organisation;
      const cellsFn = org === undefined ? fn : names.take('cells', resource.name, action);
      const planCellsFn = org === undefined ? planFn : names.take('plan', 'cells', resource.name, action);
      const principal = { name: 'p', type: 'Principal' };
      const record = { name: 'r', type: 'Resource' };
      if (org !== undefined) {
        functions.push({
          kind: StructureKind.Function,
          name: fn,
          docs: [`${lit(resource.name)} · ${lit(action)}, within the principal's organisation`],
          parameters: [principal, record],
          returnType: 'Decision',
          statements: [
            `const organisation = r[${lit(org)}];`,
            'if (typeof organisation !== "string") return policy.missingOrganisation;',
            'if (typeof p.organisation !== "string") return policy.noOrganisation;',
            'if (organisation !== p.organisation) return policy.otherOrganisation;',
            `return ${cellsFn}(p, r);`,
          ].join('\n'),
        });
        planFunctions.push({
          kind: StructureKind.Function,
          name: planFn,
          docs: [`${lit(resource.name)} · ${lit(action)}: which records, within the principal's organisation`],
          parameters: [principal],
          returnType: 'QueryPlan',
          statements: [
            'if (typeof p.organisation !== "string") return policy.fixed(policy.noOrganisation);',
            `return policy.within(${lit(org)}, p.organisation, ${planCellsFn}(p));`,
          ].join('\n'),
        });
      }
      planFunctions.push({
        kind: StructureKind.Function,
        name: planCellsFn,
        docs: [`${lit(resource.name)} · ${lit(action)}: which records${org === undefined ? '' : ', by role'}`],
        parameters: [principal],
        returnType: 'QueryPlan',
        // cells that do not depend on the record (red, green, administrator, default deny, unknown
        // role) plan exactly what `can` decides for them, without reading the record
        statements: [
          'switch (p.role) {',
          ...cells.filter(({ plan }) => plan !== undefined).map(({ role, plan }) => `  case ${lit(role.name)}: ${plan}`),
          `  default: return policy.fixed(${cellsFn}(p, NO_RECORD));`,
          '}',
        ].join('\n'),
      });
      functions.push({
        kind: StructureKind.Function,
        name: cellsFn,
        docs: [`${lit(resource.name)} · ${lit(action)}${org === undefined ? '' : ', by role'}`],
        parameters: [principal, record],
        returnType: 'Decision',
        // one string per function: large policies have tens of thousands of cells
        statements: [
          'switch (p.role) {',
          ...cells.map(({ role, check }) => `  case ${lit(role.name)}: ${check}`),
          '  default: return policy.unknownRole;',
          '}',
        ].join('\n'),
      });
    }
    dispatch.set(resource, entries);
    planDispatch.set(resource, planEntries);
  }

  const fieldSecurity = fieldSecurityData(model, names);
  return printStructure(
    {
      kind: StructureKind.SourceFile,
      statements: [
        header(model),
        {
          kind: StructureKind.ImportDeclaration,
          moduleSpecifier: options.runtimeImport,
          namedImports: [
            'and',
            'defineFields',
            'definePolicy',
            ...(model.organisation ? ['defineOrganisation'] : []),
            'eq',
            'FALSE',
            'groupsOf',
            'oneOf',
            'or',
            'Path',
            'present',
            'type Checker',
            'type Decision',
            'type Principal',
            'type QueryPlan',
            'type Resource',
          ],
        },
        policyData(model),
        'const d = policy.decide;',
        '/** What `plan` passes to a cell that does not read the record. */',
        'const NO_RECORD: Resource = Object.freeze({ kind: "" });',
        schemaType(model),
        ...reachSets,
        ...[...tests.values()].flatMap((t) => [recordTestFunction(t), recordPlanFunction(t)]),
        ...functions,
        ...planFunctions,
        fieldSecurity.statement,
        dispatcher('check', { name: 'r', type: 'Resource' }, 'Decision', (w) =>
          writeDispatch(w, dispatch, 'r.kind', '(p, r)', 'policy.unknownAction', 'policy.unknownResource'),
        ),
        dispatcher('plan', { name: 'kind', type: 'string' }, 'QueryPlan', (w) =>
          writeDispatch(w, planDispatch, 'kind', '(p)', 'policy.fixed(policy.unknownAction)', 'policy.fixed(policy.unknownResource)'),
        ),
        {
          kind: StructureKind.VariableStatement,
          isExported: true,
          declarationKind: VariableDeclarationKind.Const,
          declarations: [{ name: 'checker', type: 'Checker<Schema>', initializer: `${fieldSecurity.name}.checker(policy.checker(check, plan))` }],
        },
        'export default checker;',
        ...(model.organisation ? [organisationData(model.organisation)] : []),
      ],
    },
    { indentNumberOfSpaces: 2 },
  );
}

/** The statements of one role × resource × action cell: for `can`, and for `plan` when the cell reads the record. */
function cellBodies(
  model: PolicyModel,
  role: RoleModel,
  resource: ResourceModel,
  action: string,
  testFor: (resource: ResourceModel, level: 'own' | 'team', role: RoleModel) => RecordTest,
): { check: string; plan: string | undefined } {
  const fixed = (decision: string) => ({ check: `return ${decision};`, plan: undefined });
  if (role.administratorRule !== undefined) return fixed(`d(${role.administratorRule}, Path.Admin)`);
  const id = role.cells.get(resource.name)?.get(action);
  const rule = id === undefined ? undefined : model.rules[id];
  if (rule === undefined) throw new Error(`policyc internal error: no rule for ${role.name} / ${resource.name} / ${action}`);
  if (rule.kind === 'default') return fixed(`d(${id}, Path.DefaultDeny)`);
  if (rule.level === 'deny') return fixed(`d(${id}, Path.Denied)`);
  if (rule.level === 'all') return fixed(`d(${id}, Path.All)`);
  const test = testFor(resource, rule.level, role);
  return { check: `return ${test.name}(p, r, ${id});`, plan: `return ${test.planName}(p, ${id});` };
}

/** own (yellow), team (blue), then the hierarchy (R-Z1) and peers (R-Z3); missing attributes deny. */
function recordTestFunction(test: RecordTest): FunctionDeclarationStructure {
  const { level, owner, team, ownerRole, below, peers, reachSet } = test;
  const reads = [owner, team, ownerRole].filter((a): a is string => a !== undefined).map(lit).join(', ');
  const reach = [
    ...(below.length > 0 ? [`records owned below ${below.length > 3 ? `${below.length} roles` : below.map(lit).join(', ')}`] : []),
    ...(peers !== undefined ? ['records of peers'] : []),
  ];
  return {
    kind: StructureKind.Function,
    name: test.name,
    docs: [`${level} (${COLOUR_OF[level]})${reach.length > 0 ? `, or ${reach.join(' or ')}` : ''}; reads ${reads}`],
    parameters: [
      { name: 'p', type: 'Principal' },
      { name: 'r', type: 'Resource' },
      { name: 'rule', type: 'number' },
    ],
    returnType: 'Decision',
    statements: [
      `const owner = r[${lit(owner)}];`,
      'if (typeof owner !== "string") return d(rule, Path.MissingOwner);',
      'if (owner === p.id) return d(rule, Path.Own);',
      ...(team !== undefined
        ? [
            `const team = r[${lit(team)}];`,
            'if (typeof team !== "string") return d(rule, Path.MissingTeam);',
            'const groups = p.groups;',
            'if (groups !== undefined && !Array.isArray(groups)) return d(rule, Path.InvalidGroups);',
            'if (groups !== undefined && groups.includes(team)) return d(rule, Path.Team);',
          ]
        : []),
      ...(ownerRole !== undefined
        ? [
            `const ownerRole = r[${lit(ownerRole)}];`,
            'if (typeof ownerRole !== "string") return d(rule, Path.MissingOwnerRole);',
            ...(reachSet !== undefined ? [`if (${reachSet}.has(ownerRole)) return d(rule, Path.Hierarchy);`] : []),
            ...(reachSet === undefined && below.length > 0
              ? [`if (${below.map((r) => `ownerRole === ${lit(r)}`).join(' || ')}) return d(rule, Path.Hierarchy);`]
              : []),
            ...(peers !== undefined ? [`if (ownerRole === ${lit(peers)}) return d(rule, Path.Peer);`] : []),
          ]
        : []),
      'return d(rule, Path.NotReached);',
    ].join('\n'),
  };
}

/** The record test as a filter, in the same order, so a record passes it exactly when the test allows. */
function recordPlanFunction(test: RecordTest): FunctionDeclarationStructure {
  const { level, owner, team, ownerRole, below, peers } = test;
  const reach =
    ownerRole === undefined
      ? []
      : [`and(present(${lit(ownerRole)}), or(oneOf(${lit(ownerRole)}, [${below.map(lit).join(', ')}])${peers !== undefined ? `, eq(${lit(ownerRole)}, ${lit(peers)})` : ''}))`];
  const teamFilter =
    team === undefined ? [] : [`and(present(${lit(team)}), groups === undefined ? FALSE : or(oneOf(${lit(team)}, groups)${reach.map((r) => `, ${r}`).join('')}))`];
  const alternatives = [`eq(${lit(owner)}, p.id)`, ...(team === undefined ? reach : teamFilter)];
  return {
    kind: StructureKind.Function,
    name: test.planName,
    docs: [`the records ${test.name} allows, as a filter`],
    parameters: [
      { name: 'p', type: 'Principal' },
      { name: 'rule', type: 'number' },
    ],
    returnType: 'QueryPlan',
    statements: [
      ...(level === 'team' ? ['const groups = groupsOf(p);'] : []),
      `return policy.filtered(rule, and(present(${lit(owner)}), or(`,
      ...alternatives.map((a) => `  ${a},`),
      ')));',
    ].join('\n'),
  };
}

/**
 * The policy's data for the runtime. A rule is a string of numbers — indexes into the name
 * lists — so a large policy stays small and quick to parse.
 */
function policyData(model: PolicyModel): string {
  const roleIndex = new Map(model.roles.map((r, i) => [r.name, i]));
  const resourceNames = [...model.resources.map((r) => r.name), '*'];
  const resourceIndex = new Map(resourceNames.map((r, i) => [r, i]));
  const actionNames = [...new Set([...model.resources.flatMap((r) => r.actions), '*'])];
  const actionIndex = new Map(actionNames.map((a, i) => [a, i]));
  const fileIndex = new Map(model.files.map((f, i) => [f, i]));
  const list = (items: readonly string[]): string => `[${items.map(lit).join(', ')}]`;
  const rows = model.rules.map((rule) => {
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
    ];
    return `    "${row.join(',')}",`;
  });
  return [
    'const policy = definePolicy({',
    `  format: ${FORMAT_VERSION},`,
    `  name: ${lit(model.name)},`,
    `  hash: ${lit(model.hash)},`,
    `  files: ${list(model.files)},`,
    `  roles: ${list(model.roles.map((r) => r.name))},`,
    `  resources: ${list(resourceNames)},`,
    `  actions: ${list(actionNames)},`,
    '  // one rule per line: kind, role, declaredIn, resource, action, level, file, line, column',
    '  rules: [',
    ...rows,
    '  ],',
    '});',
  ].join('\n');
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
    parameters: [{ name: 'p', type: 'Principal' }, { name: 'action', type: 'string' }, target],
    returnType,
    statements,
  };
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
