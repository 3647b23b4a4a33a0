/**
 * The plan side of the checker module: `plan`'s dispatch on kind and action, the plan functions of
 * the actions whose cells read the record, and the shorthands they are written with.
 *
 * Plans are not on the path of `can`, yet V8 parses their code whenever an application imports the
 * checker (issue 17: import and first decision within 5 ms). So they are written small: an action
 * whose cells read no record has no plan function (the kind's plan asks its action switch, as `can`
 * without a record); plan functions with the same code are one; a decision is `fixed(rule, path)`;
 * a stage or pipeline condition is planned by one function per condition (`when_1_plan`), its group,
 * attribute and value written there once rather than in every cell.
 */
import type { CodeBlockWriter, FunctionDeclarationStructure } from 'ts-morph';
import { StructureKind } from 'ts-morph';
import type { ConditionModel, ResourceModel } from '../ir/model.ts';
import { IdentifierPool, lit } from './literal.ts';

/** A kind's plans as `plan` dispatches them. */
export interface KindPlans {
  /** The actions whose cells read the record: the expression (of `p` and `c`) planning each. */
  readonly planned: { action: string; call: string }[];
  /** A plan restricted to the kind's declared stages and pipelines (R-K5); unchanged for a kind that declares none. */
  readonly declared: (plan: string) => string;
  /**
   * Whether an action not in `planned` plans what the kind's action switch decides without a record.
   * Not for a kind of an organisation, whose check refuses a record without one: all its actions are planned.
   */
  readonly fallback: boolean;
}

/** Plan functions, one per distinct body: `chat · view` and `chat · send` planned alike are one function. */
export class PlanFunctions {
  private readonly byBody = new Map<string, { name: string; about: string[] }>();

  constructor(private readonly names: IdentifierPool) {}

  /** The name of the function of `statements` (a new one named from `nameParts`, or the one with the same body). */
  add(nameParts: readonly string[], about: string, statements: string): string {
    const known = this.byBody.get(statements);
    if (known !== undefined) {
      known.about.push(about);
      return known.name;
    }
    const name = this.names.take(...(nameParts as [string, ...string[]]));
    this.byBody.set(statements, { name, about: [about] });
    return name;
  }

  statements(): FunctionDeclarationStructure[] {
    return [...this.byBody].map(([statements, { name, about }]) => ({
      kind: StructureKind.Function,
      name,
      docs: [`${about.join('; ')}: which records`],
      parameters: [
        { name: 'p', type: 'Principal' },
        { name: 'c', type: 'Context' },
      ],
      returnType: 'QueryPlan',
      statements,
    }));
  }
}

/** `fixed(rule, path)`: the plan of a cell decided without reading the record, as the cells' plans write it. */
export const FIXED_PLAN = [
  '/** The plan of a cell that does not read the record: what `can` decides, for every record. */',
  'function fixed(rule: number, path: Path): QueryPlan {',
  '  return planner.fixed(d(rule, path));',
  '}',
].join('\n');

/**
 * The plan twin of an equality condition's function `when` (a stage or a pipeline, R-K5): `then`
 * where the attribute holds the value, else `otherwise`; for a group's rule, `otherwise` alone
 * when the principal is not a member (decided when the plan is made, as `can` skips the rule).
 */
export function whenPlanFunction(name: string, condition: ConditionModel & { kind: 'equals' }, inGroup: (group: string) => string): FunctionDeclarationStructure {
  const plan = `planner.onAttribute(${lit(condition.attribute)}, ${lit(condition.value)}, then, otherwise)`;
  return {
    kind: StructureKind.Function,
    name,
    docs: [`${condition.text.replace(/\*\//g, '* /')}, as a plan`],
    parameters: [
      { name: 'p', type: 'Principal' },
      { name: 'then', type: '() => QueryPlan' },
      { name: 'otherwise', type: '() => QueryPlan' },
    ],
    returnType: 'QueryPlan',
    statements: `return ${condition.group === undefined ? plan : `${inGroup(condition.group)} ? ${plan} : otherwise()`};`,
  };
}

/** `plan`'s dispatch on the kind, then on the actions whose plan reads the record (else the kind's fallback). */
export function writePlanDispatch(w: CodeBlockWriter, dispatch: ReadonlyMap<ResourceModel, KindPlans>, actionFns: ReadonlyMap<ResourceModel, { name: string }>): void {
  w.write('switch (kind)').block(() => {
    for (const [resource, { planned, declared, fallback }] of dispatch) {
      // an action none of whose cells reads the record plans what `can` decides without one, and an
      // unknown action gets the action switch's `policy.unknownAction` (restricted to the declared
      // stages, still never: a plan of no record is one)
      const otherwise =
        fallback && planned.length < resource.actions.length ? declared(`planner.fixed(${actionFns.get(resource)!.name}(p, action, NO_RECORD, c))`) : 'planner.fixed(policy.unknownAction)';
      if (planned.length === 0) {
        w.writeLine(`case ${lit(resource.name)}: return ${otherwise};`);
        continue;
      }
      w.writeLine(`case ${lit(resource.name)}:`);
      w.indent(() => {
        w.write('switch (action)').block(() => {
          // actions planned by the same function share their case
          const byCall = new Map<string, string[]>();
          for (const { action, call } of planned) byCall.set(call, [...(byCall.get(call) ?? []), `case ${lit(action)}:`]);
          for (const [call, labels] of byCall) w.writeLine(`${labels.join(' ')} return ${call};`);
          w.writeLine(`default: return ${otherwise};`);
        });
      });
    }
    w.writeLine('default: return planner.fixed(policy.unknownResource);');
  });
}
