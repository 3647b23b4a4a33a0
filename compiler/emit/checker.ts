import { IndentationText, Project, QuoteKind, StructureKind, VariableDeclarationKind, type CodeBlockWriter, type FunctionDeclarationStructure, type StatementStructures } from 'ts-morph';
import type { PolicyModel, ResourceModel, RoleModel, Rule } from '../ir/model.ts';
import { IdentifierPool, lit, quoted } from './literal.ts';
import { FORMAT_VERSION, header } from './header.ts';
import { schemaType } from './types.ts';

/** Above this many subordinate roles, reach is tested with a Set rather than a chain of `===`. */
const INLINE_REACH = 8;

export interface EmitOptions {
  /** Module specifier of the runtime in generated imports. */
  readonly runtimeImport: string;
}

/**
 * The checker module: one function per resource × action that switches on the principal's
 * role, with the ownership, team and hierarchy tests of each role written out inline.
 */
export function emitChecker(model: PolicyModel, options: EmitOptions): string {
  const names = new IdentifierPool();
  names.take('policy');
  names.take('d');
  names.take('check');
  names.take('checker');
  // big hierarchies test reach with a Set, declared once per role
  const reachSets: StatementStructures[] = [];
  const reachSetOf = new Map<string, string>();
  for (const role of model.roles) {
    if (role.subordinates.length <= INLINE_REACH) continue;
    const name = names.take('below', role.name);
    reachSetOf.set(role.name, name);
    reachSets.push({
      kind: StructureKind.VariableStatement,
      declarationKind: VariableDeclarationKind.Const,
      leadingTrivia: `// roles below ${quoted(role.name)}\n`,
      declarations: [{ name, type: 'ReadonlySet<string>', initializer: `new Set([${role.subordinates.map(lit).join(', ')}])` }],
    });
  }
  const functions: FunctionDeclarationStructure[] = [];
  const dispatch = new Map<ResourceModel, { action: string; fn: string }[]>();

  for (const resource of model.resources) {
    const entries: { action: string; fn: string }[] = [];
    for (const action of resource.actions) {
      const fn = names.take('can', resource.name, action);
      entries.push({ action, fn });
      functions.push({
        kind: StructureKind.Function,
        name: fn,
        docs: [`${quoted(resource.name)} · ${quoted(action)}`],
        parameters: [
          { name: 'p', type: 'Principal' },
          { name: 'r', type: 'Resource' },
        ],
        returnType: 'Decision',
        statements: (w) => writeRoleSwitch(w, model, resource, action, reachSetOf),
      });
    }
    dispatch.set(resource, entries);
  }

  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Double },
  });
  const file = project.createSourceFile('checker.ts', {
    statements: [
      header(model),
      {
        kind: StructureKind.ImportDeclaration,
        moduleSpecifier: options.runtimeImport,
        namedImports: ['definePolicy', 'Path', 'type Checker', 'type Decision', 'type Principal', 'type Resource'],
      },
      {
        kind: StructureKind.VariableStatement,
        declarationKind: VariableDeclarationKind.Const,
        declarations: [{ name: 'policy', initializer: (w) => writePolicyData(w, model) }],
      },
      'const d = policy.decide;',
      schemaType(model),
      ...reachSets,
      ...functions,
      {
        kind: StructureKind.Function,
        name: 'check',
        parameters: [
          { name: 'p', type: 'Principal' },
          { name: 'action', type: 'string' },
          { name: 'r', type: 'Resource' },
        ],
        returnType: 'Decision',
        statements: (w) => writeDispatch(w, dispatch),
      },
      {
        kind: StructureKind.VariableStatement,
        isExported: true,
        declarationKind: VariableDeclarationKind.Const,
        declarations: [{ name: 'checker', type: 'Checker<Schema>', initializer: 'policy.checker(check) as Checker<Schema>' }],
      },
      'export default checker;',
    ],
  });
  return file.getFullText();
}

function writePolicyData(w: CodeBlockWriter, model: PolicyModel): void {
  const fileIndex = new Map(model.files.map((f, i) => [f, i]));
  w.write('definePolicy(').inlineBlock(() => {
    w.writeLine(`format: ${FORMAT_VERSION},`);
    w.writeLine(`name: ${lit(model.name)},`);
    w.writeLine(`hash: ${lit(model.hash)},`);
    w.writeLine(`files: [${model.files.map(lit).join(', ')}],`);
    w.writeLine('rules: [');
    w.indent(() => {
      for (const rule of model.rules) {
        const s = rule.source;
        w.writeLine(
          `/* ${rule.id} */ [${lit(rule.kind)}, ${lit(rule.role)}, ${lit(rule.declaredIn)}, ${lit(rule.resource)}, ${lit(rule.action)}, ${lit(rule.level)}, ${fileIndex.get(s.file) ?? -1}, ${s.line}, ${s.column}],`,
        );
      }
    });
    w.writeLine('],');
  });
  w.write(')');
}

function writeDispatch(w: CodeBlockWriter, dispatch: ReadonlyMap<ResourceModel, { action: string; fn: string }[]>): void {
  w.write('switch (r.kind)').block(() => {
    for (const [resource, entries] of dispatch) {
      w.writeLine(`case ${lit(resource.name)}:`);
      w.indent(() => {
        w.write('switch (action)').block(() => {
          for (const { action, fn } of entries) w.writeLine(`case ${lit(action)}: return ${fn}(p, r);`);
          w.writeLine('default: return policy.unknownAction;');
        });
      });
    }
    w.writeLine('default: return policy.unknownResource;');
  });
}

function writeRoleSwitch(
  w: CodeBlockWriter,
  model: PolicyModel,
  resource: ResourceModel,
  action: string,
  reachSetOf: ReadonlyMap<string, string>,
): void {
  w.write('switch (p.role)').block(() => {
    for (const role of model.roles) {
      w.write(`case ${lit(role.name)}:`);
      if (role.administratorRule !== undefined) {
        w.write(` return d(${role.administratorRule}, Path.Admin);`).newLine();
        continue;
      }
      const ruleId = role.cells.get(resource.name)?.get(action);
      const rule = ruleId === undefined ? undefined : model.rules[ruleId];
      if (rule === undefined) throw new Error(`policyc internal error: no rule for ${role.name}/${resource.name}/${action}`);
      writeCell(w, role, resource, rule, reachSetOf.get(role.name));
    }
    w.writeLine('default: return policy.unknownRole;');
  });
}

/** The body of one role × resource × action cell (R-K3 levels, R-Z1 hierarchy, R-Z3 peers). */
function writeCell(w: CodeBlockWriter, role: RoleModel, resource: ResourceModel, rule: Rule, reachSet: string | undefined): void {
  const id = rule.id;
  if (rule.kind === 'default') return void w.write(` return d(${id}, Path.DefaultDeny);`).newLine();
  if (rule.level === 'deny') return void w.write(` return d(${id}, Path.Denied);`).newLine();
  if (rule.level === 'all') return void w.write(` return d(${id}, Path.All);`).newLine();
  w.write(' ').inlineBlock(() => {
    w.writeLine(`const owner = r[${lit(resource.owner!)}];`);
    w.writeLine(`if (typeof owner !== "string") return d(${id}, Path.MissingOwner);`);
    w.writeLine(`if (owner === p.id) return d(${id}, Path.Own);`);
    if (rule.level === 'team') {
      w.writeLine(`const team = r[${lit(resource.team!)}];`);
      w.writeLine(`if (typeof team !== "string") return d(${id}, Path.MissingTeam);`);
      w.writeLine('const groups = p.groups;');
      w.writeLine(`if (groups !== undefined && !Array.isArray(groups)) return d(${id}, Path.InvalidGroups);`);
      w.writeLine(`if (groups !== undefined && groups.includes(team)) return d(${id}, Path.Team);`);
    }
    const reach = role.subordinates;
    if (resource.ownerRole !== undefined && (reach.length > 0 || role.sharesWithPeers)) {
      w.writeLine(`const ownerRole = r[${lit(resource.ownerRole)}];`);
      w.writeLine(`if (typeof ownerRole !== "string") return d(${id}, Path.MissingOwnerRole);`);
      if (reachSet !== undefined) {
        w.writeLine(`if (${reachSet}.has(ownerRole)) return d(${id}, Path.Hierarchy);`);
      } else if (reach.length > 0) {
        w.writeLine(`if (${reach.map((r) => `ownerRole === ${lit(r)}`).join(' || ')}) return d(${id}, Path.Hierarchy);`);
      }
      if (role.sharesWithPeers) w.writeLine(`if (ownerRole === ${lit(role.name)}) return d(${id}, Path.Peer);`);
    }
    w.writeLine(`return d(${id}, Path.NotReached);`);
  });
  w.newLine();
}

