/**
 * Child records that require a capability (R-K7): a message with a file needs the module
 * permission `capabilities.media_access` on top of access to its chat. The generated check of
 * such a kind first asks the checker itself whether the principal holds the capability (so
 * profiles, conditions and administrators count as for any module permission), then decides by
 * the parent. A checker without requirements does not bundle this module.
 *
 * No dependencies; imports nothing from the compiler.
 */
import { and, FALSE, planOf, rechecks, type Filter, type QueryPlan } from './plan.js';
import type { Decision, Policy, Resource } from './types.js';

/** Where a requirement is written and what it needs, as the generated module passes it. */
export interface RequirementData {
  /** The parent rule of the child kind: decisions name it, so explain and coverage find the kind. */
  readonly rule: number;
  readonly module: string;
  readonly permission: string;
  /** The `when:` condition as written, if any. */
  readonly when: string | undefined;
  /** `file:line:column` of `requires:`. */
  readonly at: string;
}

/** The records that need no capability (the filter of `!(when)`), and whether that filter is exact. */
export interface Unneeded {
  readonly filter: Filter;
  readonly exact: boolean;
}

export interface Requirement {
  /** The record of the module `check` is asked about: `{ kind: <module> }`. */
  readonly record: Resource;
  /**
   * The denial of a record that may need the capability, or `undefined` when nothing stands in
   * the way. `has`: the checker's decision on the capability; `need`: the condition, `true`, or
   * `null` / `undefined` when it went over its budget / could not be evaluated — a principal
   * holding the capability passes whatever it is; one lacking it is then denied (fail closed).
   */
  check(has: Decision, need: true | null | undefined): Decision | undefined;
  /** The denial of a principal lacking the capability, given its decision on it. */
  lacking(has: Decision): Decision;
  /** The denial when the condition could not be evaluated (for a principal lacking the capability). */
  failed(): Decision;
  /** `file:line:column` of `requires:`, the capability and the condition, for plans' reasons. */
  readonly data: RequirementData;
}

const tick = (s: string): string => '`' + s + '`';

/* @__NO_SIDE_EFFECTS__ */
export function defineRequirement(policy: Policy, data: RequirementData): Requirement {
  // the reasons are written on the first denial, not at import (issue 17: import and first decision within 5 ms)
  const capability = (): string => `${tick(data.permission)} (module ${tick(data.module)}, ${data.at})`;
  const kind = (): string => tick(policy.ruleRef(data.rule).resource);
  const made = (code: Decision['code'], reason: string): Decision => Object.freeze({ allow: false, code, reason, rule: policy.ruleRef(data.rule) });
  let failedOnce: Decision | undefined;
  const failed = (): Decision =>
    (failedOnce ??= made('condition', `denied: whether this ${kind()} record needs capability ${capability()}, which the principal lacks, could not be decided: ${tick(data.when ?? '')} could not be evaluated or went over its cost budget`));
  // one denial per decision of the capability: decisions are shared, so this stays small
  const denials = new Map<Decision, Decision>();
  const lacking = (has: Decision): Decision => {
    let denial = denials.get(has);
    if (denial === undefined) {
      const why = data.when === undefined ? '' : ` where ${tick(data.when)} holds`;
      denial = made('capability', `denied: ${kind()} records${why} need capability ${capability()}, and the principal lacks it: ${has.reason}`);
      denials.set(has, denial);
    }
    return denial;
  };
  const check = (has: Decision, need: true | null | undefined): Decision | undefined => (has.allow ? undefined : need === true ? lacking(has) : failed());
  const requirement: Requirement = {
    record: Object.freeze({ kind: data.module }),
    check,
    data,
    lacking,
    failed,
  };
  return Object.freeze(requirement);
}

/**
 * The plan of a kind that requires a capability: `inner()` (the parent's plan) when the principal
 * holds the capability or the condition does not hold; with `need` a filter of the records that
 * need no capability, only those; otherwise nothing. A function of its own, not a member of the
 * requirement, so that an application bundling `can` alone leaves plans out.
 */
export function planRequirement(requirement: Requirement, has: Decision, need: boolean | null | undefined | Unneeded, inner: () => QueryPlan): QueryPlan {
  const { data } = requirement;
  if (has.allow || need === false) return inner();
  if (typeof need === 'object' && need !== null) {
    if (need.filter.op === 'false') return planOf(FALSE, requirement.lacking(has).reason);
    const plan = inner();
    const recheck = need.exact ? '' : `; recheck each record with \`can\`: no filter expresses all of ${tick(data.when ?? '')}`;
    return planOf(and(need.filter, plan.filter), `${plan.reason}; only records that need no capability ${tick(data.permission)} (module ${tick(data.module)}, ${data.at})${recheck}`, rechecks(plan) || !need.exact);
  }
  return planOf(FALSE, (need === true ? requirement.lacking(has) : requirement.failed()).reason);
}
