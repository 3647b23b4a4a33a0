/**
 * The table layout of a large policy's cells (issue 17). In the code layout each resource × action
 * is a `switch` on the role with a case per role: readable, and what a reviewer sees for most
 * policies in `policies/`, but at 500 roles × 160 cells it is 80,000 cases and megabytes of code,
 * and a policy with profiles repeats the switch for each profile (zoho-hierarchy: 792 cases, over
 * half of its `checker.ts`, which V8 parses whenever an application imports the checker).
 * In the table layout a cell is one to four characters of a string indexed by a *row*: the role's
 * number, plus the number of roles times the profile's number when the principal carries a profile
 * (R-Z2; row 0 to roles − 1: no profile). A cell says which *shape* decides it (a shared function:
 * `d(rule, Path.All)`, a record test, …) and its rule, as an offset from the row's first rule. A
 * cell whose rules carry conditions (stages, pipelines, `when:`) is a shape too: its code as the
 * code layout writes it, the rules of its conditions as offsets from its own, so that the same
 * conditions in many roles' cells (a group's pipeline rule) are one shape. Decisions, plans and
 * reasons are the same in both layouts (test/table-layout.test.ts).
 */
import { StructureKind, VariableDeclarationKind, type StatementStructures } from 'ts-morph';
import type { PolicyModel, ResourceModel, RoleModel } from '../ir/model.ts';
import { IdentifierPool, lit } from './literal.ts';
import { PackedLiterals, packedDigits, packedNumber } from './packed-rules.ts';
import { ownRead, principalValue } from './reach.ts';
import type { CellBodies } from './cells.ts';

export type Layout = 'code' | 'table';

/**
 * Cells (rows × resource actions, a row per role and per role seen through each profile) from which
 * a policy is laid out as tables. Below it the code layout stays, readable for review: the bundled
 * examples have 6 to 270 cells, zoho-hierarchy 792 (11 roles × 18 actions × no profile and 3
 * profiles): as tables its `checker.js` is 74 KB instead of 127 KB, and its import and first
 * decision ~0.8 ms sooner (issue 17, bench/load.mjs).
 */
export const TABLE_FROM_CELLS = 500;

/** The cells of a policy's switches: each role's (and each profile's view of it) for each resource action. */
export function cellCount(model: PolicyModel): number {
  const actions = model.resources.reduce((n, r) => n + (r.parent === undefined ? r.actions.length : 0), 0);
  return model.roles.length * (1 + model.profiles.length) * actions;
}

/** The layout of a policy's cells: the one asked for, else tables from {@link TABLE_FROM_CELLS} cells. */
export function layoutOf(model: PolicyModel, asked: Layout | undefined): Layout {
  if (asked !== undefined) return asked;
  return cellCount(model) >= TABLE_FROM_CELLS ? 'table' : 'code';
}

/** The role a principal of `role` carrying `profile` is decided as (R-Z2): its view through that profile, else itself. */
function roleThrough(role: RoleModel, profile: string | undefined): RoleModel {
  return (profile === undefined ? undefined : role.byProfile.get(profile)) ?? role;
}

/**
 * A cell as the tables share it: its code with `rule` standing for the id of the rule that decides
 * it. `check` is the body of an arrow deciding the cell: an expression (a `Decision`), or a block of
 * statements for a cell with conditions, whose other rules are written as offsets from `rule`;
 * `plan` an expression planning it.
 */
export interface CellTemplate extends CellBodies {
  readonly rule: number;
}

/** What the checker's emitter knows how to write for a cell. */
export interface CellCode {
  /** The cell as a template, rules relative to its own. */
  readonly template: (role: RoleModel, resource: ResourceModel, action: string) => CellTemplate;
}

export class CellTables {
  private readonly shapes = new Map<string, { index: number; check: string; plan: string }>();
  private readonly tables: { name: string; cells: { shape: number; rule: number }[] }[] = [];
  /** Each row's first rule among its cells, by row number. */
  private readonly base: number[];
  /** The rows: per profile (none first), each role as a principal carrying it is decided. */
  private readonly rows: readonly RoleModel[];
  private readonly n: Record<'roleNumber' | 'profileRow' | 'ruleBase' | 'checks' | 'plans' | 'checkCell' | 'planCell', string>;

  constructor(
    private readonly model: PolicyModel,
    private readonly names: IdentifierPool,
    private readonly code: CellCode,
    /** Where the tables' strings wait while the module is printed. */
    readonly literals: PackedLiterals = new PackedLiterals(),
  ) {
    this.rows = [undefined, ...model.profiles].flatMap((profile) => model.roles.map((role) => roleThrough(role, profile)));
    this.base = this.rows.map(() => Number.POSITIVE_INFINITY);
    this.n = {
      roleNumber: names.take('ROLE_NUMBER'),
      profileRow: names.take('PROFILE_ROW'),
      ruleBase: names.take('RULE_BASE'),
      checks: names.take('CELL_CHECKS'),
      plans: names.take('CELL_PLANS'),
      checkCell: names.take('checkCell'),
      planCell: names.take('planCell'),
    };
  }

  /**
   * `can` and `plan` of a resource × action: a look-up in its table (`check`: statements, `plan`:
   * an expression of `p` and `c`). `guards`: statements `can` runs first (the declared-stage guard,
   * R-K5), as the code layout does.
   */
  bodies(resource: ResourceModel, action: string, guards: readonly string[] = []): { check: string; plan: string } {
    const cells = this.rows.map((role, i) => {
      const template = this.code.template(role, resource, action);
      if (template.rule < this.base[i]!) this.base[i] = template.rule;
      return { shape: this.shape(template), rule: template.rule };
    });
    const name = this.names.take('cells', resource.name, action);
    this.tables.push({ name, cells });
    return { check: [...guards, `return ${this.n.checkCell}(${name}, p, r, c);`].join('\n'), plan: `${this.n.planCell}(${name}, p, c)` };
  }

  /** The shape of a cell (looked up by its template: most cells share a few shapes). */
  private shape(template: CellTemplate): number {
    const key = `${template.check}\u0000${template.plan}`;
    let shape = this.shapes.get(key);
    if (shape === undefined) this.shapes.set(key, (shape = { index: this.shapes.size, check: `(p, r, c, rule) => ${template.check}`, plan: `(p, c, rule) => ${template.plan}` }));
    return shape.index;
  }

  /** The tables, the shapes and the look-up, after every resource × action has been laid out. */
  statements(): (string | StatementStructures)[] {
    const base = this.base.map((b) => (Number.isFinite(b) ? b : 0));
    const offsets = this.tables.flatMap((t) => t.cells.map((cell, i) => cell.rule - base[i]!));
    const span = offsets.reduce((max, o) => Math.max(max, o), 0) + 1;
    const width = packedDigits(this.shapes.size * span);
    const encode = (shape: number, offset: number): string => packedNumber(shape * span + offset, width);
    const { roleNumber, profileRow, ruleBase, checks, plans, checkCell, planCell } = this.n;
    const roles = this.model.roles.length;
    const profiles = this.model.profiles;
    const shapes = [...this.shapes.values()];
    // R-Z2: the principal's profile (read before its role, as the code layout reads them) picks the
    // rows; one the policy does not declare is refused, as `check` has refused it already
    const row = (refuse: (denial: string) => string): string[] =>
      profiles.length === 0
        ? [`  const role = ${roleNumber}.get(${principalValue(this.model, 'role')});`, `  if (role === undefined) return ${refuse('policy.unknownRole')};`]
        : [
            `  const profile = ${ownRead('p', 'profile')};`,
            `  const rows = profile === undefined ? 0 : ${profileRow}.get(profile);`,
            `  if (rows === undefined) return ${refuse('badProfile(profile)')};`,
            `  const number = ${roleNumber}.get(${principalValue(this.model, 'role')});`,
            `  if (number === undefined) return ${refuse('policy.unknownRole')};`,
            '  const role = rows + number;',
          ];
    // the row's cell, decoded where it is read: a function of its own would be one more to compile
    // for the first decision; integer arithmetic, not `Math.floor` of a fraction, whose first call
    // in a fresh process cost ~0.2 ms of zoho-hierarchy's first decision (issue 17)
    const decode =
      width === 1
        ? ['  const ch = table.charCodeAt(role);', '  const v = ch - 35 - (ch > 92 ? 1 : 0);']
        : ['  let v = 0;', `  for (let i = role * ${width}; i < role * ${width} + ${width}; i++) {`, '    const ch = table.charCodeAt(i);', '    v = v * 64 + ch - 35 - (ch > 92 ? 1 : 0);', '  }'];
    return [
      `/** Roles by number: the first ${roles} role names of the policy data (a Map, so a role named \`__proto__\` is just a key). */`,
      `const ${roleNumber}: ReadonlyMap<unknown, number> = new Map(policy.data.roles.slice(0, ${roles}).map((role, i) => [role, i]));`,
      ...(profiles.length === 0
        ? []
        : [
            `/** The first row of each profile's cells (R-Z2): after the ${roles} rows of principals without one, ${roles} per profile. */`,
            `const ${profileRow}: ReadonlyMap<unknown, number> = new Map([${profiles.map((profile, i) => `[${lit(profile)}, ${(i + 1) * roles}]`).join(', ')}]);`,
          ]),
      '/** Each row\'s first rule: a cell names its rule as an offset from it. */',
      `const ${ruleBase}: readonly number[] = [${base.join(', ')}];`,
      '/** How a cell decides, given its rule: the shapes shared by the cells of the tables. */',
      `const ${checks}: readonly ((p: Principal, r: Resource, c: Context, rule: number) => Decision)[] = [`,
      ...shapes.map((s) => `  ${s.check},`),
      '];',
      `const ${plans}: readonly ((p: Principal, c: Context, rule: number) => QueryPlan)[] = [`,
      ...shapes.map((s) => `  ${s.plan},`),
      '];',
      `/** Cell tables: per resource × action, ${width} character${width === 1 ? '' : 's'} per row, in base 64 (code points 35–99 without the backslash): shape × ${span} + rule offset. */`,
      ...this.tables.map((t) => ({
        kind: StructureKind.VariableStatement,
        declarationKind: VariableDeclarationKind.Const,
        declarations: [{ name: t.name, initializer: this.literals.literal(t.cells.map((cell, i) => encode(cell.shape, cell.rule - base[i]!)).join('')) }],
      }) satisfies StatementStructures),
      '/** `can` by a cell table: the shape and rule of the principal\'s row. */',
      `function ${checkCell}(table: string, p: Principal, r: Resource, c: Context): Decision {`,
      ...row((denial) => denial),
      ...decode,
      `  return ${checks}[(v - (v % ${span})) / ${span}]!(p, r, c, ${ruleBase}[role]! + (v % ${span}));`,
      '}',
      '/** `plan` by a cell table. */',
      `function ${planCell}(table: string, p: Principal, c: Context): QueryPlan {`,
      ...row((denial) => `planner.fixed(${denial})`),
      ...decode,
      `  return ${plans}[(v - (v % ${span})) / ${span}]!(p, c, ${ruleBase}[role]! + (v % ${span}));`,
      '}',
    ];
  }
}
