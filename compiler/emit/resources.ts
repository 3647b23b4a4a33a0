import { StructureKind, type FunctionDeclarationStructure } from 'ts-morph';
import type { PolicyModel, ResourceModel } from '../ir/model.ts';
import { declaredGuards, declaredValues, parentBodies, roleSwitch, type CellEmitters } from './cells.ts';
import { IdentifierPool, lit } from './literal.ts';
import type { PlanFunctions, KindPlans } from './plans.ts';
import { ownRead, principalKey } from './reach.ts';
import { withRequirement, type RequirementEmitters } from './requires.ts';
import type { CellTables } from './table.ts';


/**
 * The principal's membership of `organisation`, the one it acts in (R-Z13): it lists no
 * `organisations`, or a list that has it as an own element; else `denied`. `organisations` is no
 * policy field but the user directory's (docs/directory.md): anything else there belongs nowhere.
 */
const membership = (denied: string): string[] => [
  `const memberships = ${ownRead('p', 'organisations')};`,
  `if (memberships !== undefined && !(Array.isArray(memberships) && listIncludes(memberships, organisation))) return ${denied};`,
];
/**
 * Each resource's actions as the checker module writes them: per action, the function deciding
 * its cells (a role switch, a table's look-up or a child kind's parent check, behind the
 * organisation check of a kind of an organisation, R-Z13) and the plan of the actions whose cells
 * read the record. `emitChecker` (checker.ts) assembles the module around them.
 */

/** What the resources are emitted with: the model, the module's names, its tables and emitters. */
export interface ResourceEmitters {
  readonly model: PolicyModel;
  readonly names: IdentifierPool;
  /** The cell tables of a policy of the table layout; `undefined` for the code layout. */
  readonly tables: CellTables | undefined;
  readonly cellEmitters: CellEmitters;
  readonly requirementEmitters: RequirementEmitters;
  readonly planFunctions: PlanFunctions;
}

/** The cells functions of every resource action, each kind's actions for `check`, and each kind's plans for `plan`. */
export function emitResources({ model, names, tables, cellEmitters, requirementEmitters, planFunctions }: ResourceEmitters): {
  functions: FunctionDeclarationStructure[];
  dispatch: Map<ResourceModel, { action: string; fn: string; role: boolean }[]>;
  planDispatch: Map<ResourceModel, KindPlans>;
} {
  const functions: FunctionDeclarationStructure[] = [];
  const dispatch = new Map<ResourceModel, { action: string; fn: string; role: boolean }[]>();
  const planDispatch = new Map<ResourceModel, KindPlans>();
  // R-K7: the requirement of each child kind, named once
  const requirementNames = new Map<ResourceModel, string>();
  for (const resource of model.resources) {
    const entries: { action: string; fn: string; role: boolean }[] = [];
    // R-K5: plans list no record in an undeclared stage or pipeline, as `can` allows none
    const declared = (call: string): string => declaredValues(resource).reduce((plan, { attribute, set }) => `planner.declaredOnly(${lit(attribute)}, ${cellEmitters.valueSet(set)}, ${plan})`, call);
    const kindPlans: KindPlans = { planned: [], declared, fallback: resource.organisation === undefined };
    for (const action of resource.actions) {
      const fn = names.take('can', resource.name, action);
      // cells as a role switch (not a child's or a table's) take the principal's role, which the
      // entries have just read and checked, so that it is not read again; an organisation's wrapper does not
      const switchesRole = resource.parent === undefined && tables === undefined;
      entries.push({ action, fn, role: switchesRole && resource.organisation === undefined });
      // a resource of an organisation is checked for the principal's organisation first (R-Z13),
      // then by the role switch, which then lives in functions of its own
      const org = resource.organisation;
      const cellsFn = org === undefined ? fn : names.take('cells', resource.name, action);
      const principal = { name: 'p', type: 'Principal' };
      const record = { name: 'r', type: 'Resource' };
      const context = { name: 'c', type: 'Context' };
      const about = `${lit(resource.name)} · ${lit(action)}`;
      // the plan: statements of a function, an expression (a table's look-up), or none when no cell
      // reads the record (the kind's plan then asks its action switch, as `can` without a record)
      let plan: { statements: string } | { expression: string } | undefined;
      if (resource.parent !== undefined) {
        const bodies = withRequirement(resource, parentBodies(model, resource, action), requirementEmitters, requirementNames);
        functions.push(cellsFunction(cellsFn, about, [principal, record, context], bodies.check));
        plan = { statements: bodies.plan };
      } else if (tables !== undefined) {
        const bodies = tables.bodies(resource, action, declaredGuards(resource, cellEmitters));
        functions.push(cellsFunction(cellsFn, `${about}${org === undefined ? '' : ', by role'}`, [principal, record, context], bodies.check));
        plan = { expression: bodies.plan };
      } else {
        const bodies = roleSwitch(model, resource, action, cellsFn, cellEmitters);
        functions.push(cellsFunction(cellsFn, `${about}${org === undefined ? '' : ', by role'}`, [principal, record, context, { name: 'role', type: 'unknown', hasQuestionToken: true }], bodies.check));
        plan = bodies.plan === undefined ? undefined : { statements: bodies.plan };
      }
      if (org !== undefined) {
        functions.push({
          kind: StructureKind.Function,
          name: fn,
          docs: [`${about}, within the principal's organisation`],
          parameters: [principal, record, context],
          returnType: 'Decision',
          statements: [
            `const organisation = ${ownRead('r', org)};`,
            'if (typeof organisation !== "string") return MISSING_ORGANISATION;',
            `const principalOrganisation = ${ownRead('p', principalKey(model, 'organisation'))};`,
            'if (typeof principalOrganisation !== "string") return NO_ORGANISATION;',
            'if (organisation !== principalOrganisation) return OTHER_ORGANISATION;',
            ...membership('OTHER_ORGANISATION'),
            `return ${cellsFn}(p, r, c);`,
          ].join('\n'),
        });
        const cells = plan === undefined ? `planner.fixed(${cellsFn}(p, NO_RECORD, c))` : 'expression' in plan ? plan.expression : `${planFunctions.add(['plan', 'cells', resource.name, action], `${about}, by role`, plan.statements)}(p, c)`;
        plan = {
          statements: [
            `const organisation = ${ownRead('p', principalKey(model, 'organisation'))};`,
            'if (typeof organisation !== "string") return planner.fixed(NO_ORGANISATION);',
            ...membership('planner.fixed(OTHER_ORGANISATION)'),
            `return planner.within(${lit(org)}, organisation, ${cells});`,
          ].join('\n'),
        };
      }
      if (plan !== undefined) kindPlans.planned.push({ action, call: declared('expression' in plan ? plan.expression : `${planFunctions.add(['plan', resource.name, action], `${about}${org === undefined ? '' : ", within the principal's organisation"}`, plan.statements)}(p, c)`) });
    }
    dispatch.set(resource, entries);
    planDispatch.set(resource, kindPlans);
  }
  return { functions, dispatch, planDispatch };
}

/** A `can` cells function (a role switch, a table's look-up, a child kind's parent check). */
function cellsFunction(name: string, about: string, parameters: { name: string; type: string; hasQuestionToken?: boolean }[], statements: string): FunctionDeclarationStructure {
  return { kind: StructureKind.Function, name, docs: [about], parameters, returnType: 'Decision', statements };
}
