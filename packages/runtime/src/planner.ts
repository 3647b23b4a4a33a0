/**
 * The planner of a generated checker: the pieces its `plan` functions are made of (a cell's
 * filter, a condition's, a parent record's, an organisation's), and the checker object that puts
 * `can` and `plan` together. Separate from `definePolicy` so that an application that imports a
 * checker's `can` alone bundles no plans.
 *
 * No dependencies; imports nothing from the compiler.
 */
import type { Can } from './can.js';
import { coreChecker } from './core.js';
import { and, eq, FALSE, not, oneOf, or, planOf, present, rechecks, record, TRUE, type Filter, type QueryPlan } from './plan.js';
import { explain, grantText, tick } from './reasons.js';
import type { CoreChecker, Decision, KindCheckFunction, PlanFunction, Policy, PolicySchema } from './types.js';

export interface Planner {
  /** A plan restricted to records whose `attribute` is absent or one of the declared `values` (R-K5). */
  readonly declaredOnly: (attribute: string, values: ReadonlySet<unknown>, plan: QueryPlan) => QueryPlan;
  /** A plan restricted to the records of one organisation. */
  readonly within: (attribute: string, organisation: string, plan: QueryPlan) => QueryPlan;
  /** A plan that allows every record or none, with the reason of `decision`. */
  readonly fixed: (decision: Decision) => QueryPlan;
  /** A plan with a filter, explained by the grant of `rule`. */
  readonly filtered: (rule: number, filter: Filter) => QueryPlan;
  /** A stage or pipeline override's plan (R-K5): `then` where the attribute equals `value`, else `otherwise`. */
  readonly onAttribute: (attribute: string, value: string, then: () => QueryPlan, otherwise: () => QueryPlan) => QueryPlan;
  /** A condition decided for the principal (`k`): `then` if true, `otherwise` if false, rule `rule`'s denial if it failed or went over its budget (`null`). */
  readonly onCondition: (k: boolean | null | undefined, rule: number, then: () => QueryPlan, otherwise: () => QueryPlan) => QueryPlan;
  /**
   * A `when:` reading the record, as `filter`: `then` on the records where it holds; rule `rule`'s
   * denial when it holds nowhere. Not `exact`: the filter is a superset, and the plan says to recheck.
   */
  readonly onFilter: (filter: Filter, rule: number, then: () => QueryPlan, exact?: boolean) => QueryPlan;
  /** A child kind's plan (R-Z11): records whose parent record, of one of the kinds, its plan allows. */
  readonly parentPlan: (rule: number, attribute: string, kinds: readonly (readonly [string, QueryPlan])[]) => QueryPlan;
  /**
   * The checker of `can` and the generated `plan` dispatch, wrapped to fail closed, with one entry
   * per kind (`kinds`: each kind's action switch, reading the request as `defineCan` does); field
   * security is added by `defineFields`.
   */
  readonly checker: <S extends PolicySchema, P>(can: Can<S, P>, plan: PlanFunction, kinds?: readonly (readonly [string, KindCheckFunction])[]) => CoreChecker;
}

/**
 * Called once by a generated module, after {@link definePolicy}, with the policy's sha256 (the
 * checker's `policyHash`: here rather than in the policy's data, which `can` alone bundles). Installs the full text of reasons
 * into the policy: plans quote them, and a checker with `plan` is the whole `checker`, whose
 * decisions have always had them. (Marked free of side effects on purpose: when a bundle drops
 * the planner because the application uses `can` alone, it drops the full text with it.)
 */
/* @__NO_SIDE_EFFECTS__ */
export function definePlanner(policy: Policy, hash: string): Planner {
  const { data, decide, ruleRef } = policy;
  policy.explainWith(explain);
  return {
    declaredOnly: (attribute, values, plan) =>
      planOf(and(or(not(present(attribute, 'any')), oneOf(attribute, [...values] as string[])), plan.filter), plan.reason, rechecks(plan)),
    within: (attribute, organisation, plan) => planOf(and(eq(attribute, organisation), plan.filter), plan.reason, rechecks(plan)),
    fixed: (decision) => planOf(decision.allow ? TRUE : FALSE, decision.reason),
    filtered: (rule, filter) => planOf(filter, `filtered: ${grantText(ruleRef(rule))}`),
    onAttribute(attribute, value, then, otherwise) {
      const yes = then();
      const no = otherwise();
      const reason = yes.reason === no.reason ? yes.reason : `${yes.reason}; where \`${attribute}\` is not ${JSON.stringify(value)}: ${no.reason}`;
      return planOf(and(present(attribute), or(and(eq(attribute, value), yes.filter), and(not(eq(attribute, value)), no.filter))), reason, rechecks(yes) || rechecks(no));
    },
    onCondition(k, rule, then, otherwise) {
      return k === true ? then() : k === false ? otherwise() : planOf(FALSE, decide(rule, k === null ? 27 /* Path.ConditionOverBudget */ : 26 /* Path.ConditionFailed */).reason);
    },
    onFilter(filter, rule, then, exact = true) {
      if (filter.op === 'false') return planOf(FALSE, decide(rule, 25 /* Path.ConditionNotMet */).reason);
      const yes = then();
      const recheck = exact ? '' : `; recheck each record with \`can\`: no filter expresses all of ${tick(ruleRef(rule).condition ?? '?')}`;
      return planOf(and(filter, yes.filter), `${yes.reason}${recheck}`, !exact || rechecks(yes));
    },
    parentPlan(rule, attribute, kinds) {
      const ref = ruleRef(rule);
      const filter = record(attribute, or(...kinds.map(([kind, plan]) => and(eq('kind', kind), plan.filter))));
      return planOf(filter, `filtered: ${tick(ref.resource)} records follow their parent record (${ref.file}:${ref.line}:${ref.column})`, kinds.some(([, plan]) => rechecks(plan)));
    },
    checker: (can, plan, kinds = []) => coreChecker(data, hash, can as Can, plan, kinds),
  };
}
