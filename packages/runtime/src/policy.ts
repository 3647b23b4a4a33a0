/**
 * The decisions of a policy: what a generated module hands to {@link definePolicy} at load time,
 * turned into frozen {@link Decision}s, each made once when its rule first decides along a path
 * and then shared, so a check allocates nothing.
 *
 * Only what `can` needs is here: query plans are made by the planner (planner.ts), field
 * security by fields.ts and the full text of reasons is reasons.ts, which the planner installs
 * (`explainWith`). An application that bundles a checker's `can` alone leaves all three out, and
 * its decisions give the short reason of {@link shortReason}: the same rule and position.
 *
 * No dependencies; imports nothing from the compiler.
 */
import { PATHS, type Decision, type DecisionCode, type Level, type Path, type Policy, type PolicyData, type RuleReader, type RuleRef } from './types.js';

/** The format of generated checkers this runtime reads. Bumped on any incompatible change. */
export const FORMAT_VERSION = 9;

const RULE_KINDS: readonly RuleRef['kind'][] = ['grant', 'administrator', 'default', 'public', 'sharing', 'subscribers', 'parent'];
const LEVELS: readonly Level[] = ['deny', 'own', 'team', 'all'];

/**
 * Thrown at load time when a checker cannot be used: generated for another format version than
 * this runtime reads, or (with `loadChecker(module, { policyHash })`) for another policy.
 */
export class PolicyFormatError extends Error {
  override readonly name = 'PolicyFormatError';
}

/** What each way of deciding (`Path`, by index) answers: whether it allows, and its code. A literal: nothing runs at load. */
const OUTCOMES: readonly (readonly [boolean, DecisionCode])[] = [
  [true, 'admin'], [true, 'all'], [true, 'own'], [true, 'team'], [true, 'hierarchy'], [true, 'peer'],
  [false, 'denied'], [false, 'default-deny'], [false, 'not-reached'],
  [false, 'missing-attribute'], [false, 'missing-attribute'], [false, 'missing-attribute'], [false, 'invalid-request'],
  [true, 'group'], [true, 'reports'], [true, 'shared'], [true, 'public'], [true, 'subscriber'],
  [false, 'missing-attribute'], [false, 'invalid-request'],
  [true, 'parent'], [true, 'parent'], [false, 'parent'], [false, 'parent'], [false, 'missing-attribute'],
  [false, 'condition'], [false, 'condition'], [false, 'condition'],
  [true, 'peer'],
];

/** Whether a way of deciding allows, and its code. */
export function outcome(path: Path): readonly [boolean, DecisionCode] {
  return OUTCOMES[path] ?? [false, 'error'];
}

/** How the reason of a rule's decision along a path is written. */
export type Explain = (rule: RuleRef, path: Path) => string;

/**
 * The reason of a decision when the full text (reasons.ts) is not bundled: allowed or denied, the
 * code and the position of the rule — what a log needs to find the line of YAML; the decision's
 * `rule` has the rest. For example `allowed (own) at roles.yaml:46:15`.
 */
export function shortReason(rule: RuleRef, path: Path): string {
  const [allow, code] = outcome(path);
  return `${allow ? 'allowed' : 'denied'} (${code}) at ${rule.file}:${rule.line}:${rule.column}`;
}


/** A denial no rule decides: an invalid request, an unknown name, another organisation. */
/* @__NO_SIDE_EFFECTS__ */
export function denial(code: DecisionCode, reason: string): Decision {
  return Object.freeze({ allow: false, code, reason, rule: undefined });
}

// Organisation checks (R-Z13), made before any rule: constants, so that a policy without
// organisations does not bundle their text
export const OTHER_ORGANISATION = /* @__PURE__ */ denial('other-organisation', "denied: the record belongs to another organisation than the principal's");
export const NO_ORGANISATION = /* @__PURE__ */ denial('invalid-request', 'denied: the principal has no string `organisation`, needed for records of an organisation');
export const UNDECLARED_STAGE = /* @__PURE__ */ denial('invalid-request', "denied: the record's stage or pipeline is not one its resource declares (R-K5)");
/** The denial of a `principal.profile` the policy does not declare (R-Z2): unknown, or not even a string. */
export const badProfile = (profile: unknown): Decision =>
  typeof profile === 'string' ? denial('unknown-profile', 'denied: the principal has a `profile` the policy does not declare') : denial('invalid-request', 'denied: the principal\'s `profile` is not a string');
export const MISSING_ORGANISATION = /* @__PURE__ */ denial('missing-attribute', 'denied: the record has no string organisation attribute');

/** The rules of a small policy: eleven comma-separated integers per rule (`rules.ts` reads packed ones). */
const listedRules: RuleReader = {
  count: (data) => data.rules.length,
  // `String`: a missing row reads "undefined", one field, so no rule (never a throw here)
  row: (data, id) => {
    const row = String(data.rules[id]).split(',').map(Number);
    return row.length === 11 && row.every(Number.isInteger) ? row : undefined;
  },
};

/**
 * Called once by a generated module. Refuses a module generated for another format
 * version, so a stale checker can never be half-understood.
 */
/* @__NO_SIDE_EFFECTS__ */
export function definePolicy(data: PolicyData, rules: RuleReader = listedRules): Policy {
  if (data.format !== FORMAT_VERSION) {
    throw new PolicyFormatError(
      `policy \`${data.name}\` was compiled for format ${data.format}, but this runtime reads format ${FORMAT_VERSION}; rebuild it with the matching policyc`,
    );
  }
  const count = rules.count(data);
  // filled, not sparse: a hole would read `Array.prototype[i]`, which a polluted prototype sets.
  // One row of decisions per rule, made when the rule first decides: a table of every rule ×
  // path made at import costs more than the rest of the import (issue 17)
  const cache: ((Decision | undefined)[] | undefined)[] = new Array<(Decision | undefined)[] | undefined>(count).fill(undefined);
  const refs: (RuleRef | undefined)[] = new Array<RuleRef | undefined>(count).fill(undefined);
  /** The rule's reference, made on first use (a large policy has many rules, most never hit). */
  function ruleRef(id: number): RuleRef {
    const known = refs[id];
    if (known !== undefined) return known;
    const row = rules.row(data, id);
    if (row === undefined) throw new RangeError(`policyc: no rule ${id}`);
    const [kind, role, declaredIn, resource, action, level, file, line, column, ruleName, condition] = row as [number, number, number, number, number, number, number, number, number, number, number];
    const name = (list: readonly string[], i: number): string => list[i] ?? '?';
    const made: RuleRef = Object.freeze({
      id,
      kind: RULE_KINDS[kind] ?? 'grant',
      name: ruleName < 0 ? undefined : name(data.names, ruleName),
      condition: condition < 0 ? undefined : name(data.names, condition),
      role: name(data.roles, role),
      declaredIn: name(data.roles, declaredIn),
      resource: name(data.resources, resource),
      action: name(data.actions, action),
      level: LEVELS[level] ?? 'deny',
      file: name(data.files, file),
      line,
      column,
    });
    refs[id] = made;
    return made;
  }

  let explain: Explain = shortReason;

  // small, so that V8 inlines it into every cell: making a decision is the rare case
  function decide(rule: number, path: Path): Decision {
    return cache[rule]?.[path] ?? make(rule, path);
  }

  function make(rule: number, path: Path): Decision {
    const ref = ruleRef(rule);
    const [allow, code] = outcome(path);
    const made: Decision = Object.freeze({ allow, code, reason: explain(ref, path), rule: ref });
    // `ruleRef` has checked that the rule exists: `rule` is an index of `cache`
    (cache[rule] ??= new Array<Decision | undefined>(PATHS).fill(undefined))[path] = made;
    return made;
  }

  return {
    data,
    decide,
    ruleRef,
    explainWith(full) {
      explain = full;
    },
    unknownRole: denial('unknown-role', `denied: the principal's role is not defined in policy \`${data.name}\``),
    unknownResource: denial('unknown-resource', `denied: the resource kind is not defined in policy \`${data.name}\``),
    unknownAction: denial('unknown-action', `denied: the action is not defined for this resource kind in policy \`${data.name}\``),
  };
}
