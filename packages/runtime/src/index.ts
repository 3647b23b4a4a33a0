import { failure } from './failure.js';
import { isObject, listIncludes, ordinary, own, ownElements } from './own.js';
import { and, eq, FALSE, not, or, planOf, present, record, TRUE, type Filter, type QueryPlan } from './plan.js';

export { and, contains, eq, FALSE, not, oneOf, or, present, record, toPredicate, TRUE, type Filter, type PresentType, type QueryPlan, type Scalar } from './plan.js';
export { reportingDirectory, reportList, reportsInclude, reportsOf, type Directory, type ReportingDirectory, type ReportingOptions } from './reporting.js';
export {
  defineOrganisation,
  type Effect,
  type GuardDecision,
  type Member,
  type Organisation,
  type OrganisationData,
  type OrganisationState,
} from './organisation.js';
export { defineFields, type FieldData } from './fields.js';
export { DirectoryError, loadDirectory, type DirectoryUser, type UserDirectory } from './directory.js';
export { canAny, planAny, rolePrincipals } from './roles.js';
export { isObject, listIncludes, ordinary, own, ownElements, someElement, type ObjectPrototype } from './own.js';
export {
  Path,
  type CheckFunction,
  type Checker,
  type Context,
  type CoreChecker,
  type Decision,
  type DecisionCode,
  type FieldAccess,
  type FieldMask,
  type FieldRuleRef,
  type KindChecker,
  type KindCheckFunction,
  type KindCheckers,
  type Level,
  type PlanFunction,
  type Policy,
  type PolicyChecker,
  type PolicyData,
  type PolicySchema,
  type Principal,
  type Resource,
  type RuleRef,
  type RuleTable,
} from './types.js';
import { Path, type Checker, type Context, type CoreChecker, type Decision, type DecisionCode, type KindChecker, type Level, type Policy, type PolicyData, type Principal, type Resource, type RuleRef } from './types.js';

/**
 * The policyc runtime: the few functions a generated checker needs, and the types an
 * application sees. It has no dependencies and imports nothing from the compiler.
 *
 * A generated module calls {@link definePolicy} once at load time; its check functions
 * return preallocated {@link Decision}s through `policy.decide(rule, code)`, so a check
 * allocates nothing.
 */

/** The format of generated checkers this runtime reads. Bumped on any incompatible change. */
export const FORMAT_VERSION = 6;

const RULE_KINDS: readonly RuleRef['kind'][] = ['grant', 'administrator', 'default', 'public', 'sharing', 'subscribers', 'parent'];
const LEVELS: readonly Level[] = ['deny', 'own', 'team', 'all'];

const PATHS = Object.keys(Path).length;

/**
 * Thrown at load time when a checker cannot be used: generated for another format version than
 * this runtime reads, or (with `loadChecker(module, { policyHash })`) for another policy.
 */
export class PolicyFormatError extends Error {
  override readonly name = 'PolicyFormatError';
}

const COLOUR: Readonly<Record<Level, string>> = { deny: 'red', own: 'yellow', team: 'blue', all: 'green' };

const tick = (s: string): string => '`' + s + '`';

function denial(code: DecisionCode, reason: string): Decision {
  return Object.freeze({ allow: false, code, reason, rule: undefined });
}

const INVALID_PRINCIPAL = denial(
  'invalid-request',
  'denied: the principal must be an object with a string `id` and a string `role`',
);
const INVALID_RESOURCE = denial('invalid-request', 'denied: the resource must be an object with a string `kind`');
const INVALID_CONTEXT = denial('invalid-request', 'denied: the context must be an object');
const INVALID_RECORD = denial('invalid-request', 'denied: the record must be an object');
const NO_CONTEXT: Context = Object.freeze({});

/** A plan for a request that cannot be planned: `never`, with the denial's code and reason. */
function refusedPlan(decision: Decision): QueryPlan {
  return Object.freeze({ ...planOf(FALSE, decision.reason), code: decision.code as 'invalid-request' | 'error' });
}

/** Thrown inside `plan` for a cell no filter can express; `plan` returns `never` with its message. */
function grantText(rule: RuleRef): string {
  const inherited = rule.declaredIn === rule.role ? '' : ` (inherited from ${tick(rule.declaredIn)})`;
  const when = rule.condition === undefined ? '' : ` when ${tick(rule.condition)}`;
  return `role ${tick(rule.role)} grants ${tick(rule.action)} on ${tick(rule.resource)} as ${rule.level} (${COLOUR[rule.level]})${when}${inherited} at ${rule.file}:${rule.line}:${rule.column}`;
}

function explain(rule: RuleRef, path: Path): { allow: boolean; code: DecisionCode; reason: string } {
  const at = `${rule.file}:${rule.line}:${rule.column}`;
  const inherited = rule.declaredIn === rule.role ? '' : ` (inherited from ${tick(rule.declaredIn)})`;
  const grant = grantText(rule);
  switch (path) {
    case Path.Admin:
      return { allow: true, code: 'admin', reason: `allowed: ${tick(rule.role)} is an administrator role${inherited} at ${at}` };
    case Path.All:
      return { allow: true, code: 'all', reason: `allowed: ${grant}` };
    case Path.Own:
      return { allow: true, code: 'own', reason: `allowed: ${grant}, and the principal is responsible for the record` };
    case Path.Team:
      return { allow: true, code: 'team', reason: `allowed: ${grant}, and the record's team is one of the principal's groups` };
    case Path.Hierarchy:
      return { allow: true, code: 'hierarchy', reason: `allowed: ${grant}, and the record's owner has a role below ${tick(rule.role)}` };
    case Path.Peer:
      return { allow: true, code: 'peer', reason: `allowed: ${grant}, and the record's owner is a peer in ${tick(rule.role)}, which shares data with peers` };
    case Path.Denied:
      return { allow: false, code: 'denied', reason: `denied: role ${tick(rule.role)} denies ${tick(rule.action)} on ${tick(rule.resource)} (red)${rule.condition === undefined ? '' : ` when ${tick(rule.condition)}`}${inherited} at ${at}` };
    case Path.ConditionNotMet:
      return { allow: false, code: 'condition', reason: `denied: ${grant}, and the condition does not hold` };
    case Path.ConditionFailed:
      return { allow: false, code: 'condition', reason: `denied: ${grant}, and the condition could not be evaluated (a missing attribute or context value, or a value of the wrong type)` };
    case Path.ConditionOverBudget:
      return { allow: false, code: 'condition', reason: `denied: ${grant}, and the condition went over its cost budget (\`limits.conditionBudget\`)` };
    case Path.DefaultDeny:
      return { allow: false, code: 'default-deny', reason: `denied: role ${tick(rule.role)} (${at}) has no grant for ${tick(rule.action)} on ${tick(rule.resource)}, so the default deny applies` };
    case Path.NotReached:
      return { allow: false, code: 'not-reached', reason: `denied: ${grant}, and the record is not one the principal reaches` };
    case Path.MissingOwner:
      return { allow: false, code: 'missing-attribute', reason: `denied: the ${tick(rule.resource)} record has no string owner attribute, needed by ${grant}` };
    case Path.MissingTeam:
      return { allow: false, code: 'missing-attribute', reason: `denied: the ${tick(rule.resource)} record has no string team attribute, needed by ${grant}` };
    case Path.MissingOwnerRole:
      return { allow: false, code: 'missing-attribute', reason: `denied: the ${tick(rule.resource)} record has no string owner-role attribute, needed by the hierarchy of ${tick(rule.role)}` };
    case Path.InvalidGroups:
      return { allow: false, code: 'invalid-request', reason: `denied: the principal's \`groups\` is not a list of strings, needed by ${grant}` };
    case Path.Group:
      return { allow: true, code: 'group', reason: `allowed: ${grant}, and the record's owner has a role that belongs to one of the principal's groups` };
    case Path.Reports:
      return { allow: true, code: 'reports', reason: `allowed: ${grant}, and the record's owner reports to the principal` };
    case Path.Shared:
      return { allow: true, code: 'shared', reason: `allowed: sharing rule ${tick(rule.name ?? '?')} at ${at} shares these ${tick(rule.resource)} records with the principal` };
    case Path.Public:
      return { allow: true, code: 'public', reason: `allowed: ${tick(rule.resource)} records are public by the org-wide default at ${at}, and role ${tick(rule.role)} may ${tick(rule.action)} them${inherited}` };
    case Path.Subscriber:
      return { allow: true, code: 'subscriber', reason: `allowed: the principal subscribes to this ${tick(rule.resource)} record, and subscribers may do this (${at})` };
    case Path.MissingSubscribers:
      return { allow: false, code: 'missing-attribute', reason: `denied: the ${tick(rule.resource)} record has no list of subscribers, needed by ${at}` };
    case Path.MissingReports:
      return { allow: false, code: 'invalid-request', reason: `denied: the principal has no \`reports\` list, needed by the reporting hierarchy for ${grant}` };
    case Path.ParentRead:
    case Path.ParentWrite:
      return { allow: true, code: 'parent', reason: `allowed: ${tick(rule.resource)} records follow their parent record (${at}), and the principal may ${path === Path.ParentRead ? 'read' : 'write'} the parent` };
    case Path.ParentNoRead:
    case Path.ParentNoWrite:
      return { allow: false, code: 'parent', reason: `denied: ${tick(rule.resource)} records follow their parent record (${at}), and the principal may not ${path === Path.ParentNoRead ? 'read' : 'write'} the parent` };
    case Path.MissingParent:
      return { allow: false, code: 'missing-attribute', reason: `denied: the ${tick(rule.resource)} record has no parent record of a kind declared at ${at}` };
  }
}

/**
 * Called once by a generated module. Refuses a module generated for another format
 * version, so a stale checker can never be half-understood.
 */
/* @__NO_SIDE_EFFECTS__ */
export function definePolicy(data: PolicyData): Policy {
  if (data.format !== FORMAT_VERSION) {
    throw new PolicyFormatError(
      `checker for policy \`${data.name}\` was compiled for format ${data.format}, but this runtime reads format ${FORMAT_VERSION}; rebuild it with the matching policyc`,
    );
  }
  const rows = data.rules;
  // filled, not sparse: a hole would read `Array.prototype[i]`, which a polluted prototype sets
  const cache: (Decision | undefined)[] = new Array<Decision | undefined>(rows.length * PATHS).fill(undefined);
  const refs: (RuleRef | undefined)[] = new Array<RuleRef | undefined>(rows.length).fill(undefined);
  /** The rule's reference, made on first use (a large policy has many rules, most never hit). */
  function ruleRef(id: number): RuleRef {
    const known = refs[id];
    if (known !== undefined) return known;
    const row = rows[id]?.split(',').map(Number);
    if (row === undefined || row.length !== 11 || row.some((n) => !Number.isInteger(n))) throw new RangeError(`policyc: no rule ${id}`);
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

  function decide(rule: number, path: Path): Decision {
    const i = rule * PATHS + path;
    const hit = cache[i];
    if (hit !== undefined) return hit;
    const ref = ruleRef(rule);
    const made: Decision = Object.freeze({ ...explain(ref, path), rule: ref });
    cache[i] = made;
    return made;
  }

  const policy: Policy = {
    data,
    decide,
    unknownRole: denial('unknown-role', `denied: the principal's role is not defined in policy \`${data.name}\``),
    unknownResource: denial('unknown-resource', `denied: the resource kind is not defined in policy \`${data.name}\``),
    unknownAction: denial('unknown-action', `denied: the action is not defined for this resource kind in policy \`${data.name}\``),
    otherOrganisation: denial('other-organisation', "denied: the record belongs to another organisation than the principal's"),
    noOrganisation: denial('invalid-request', 'denied: the principal has no string `organisation`, needed for records of an organisation'),
    missingOrganisation: denial('missing-attribute', 'denied: the record has no string organisation attribute'),
    within: (attribute, organisation, plan) => planOf(and(eq(attribute, organisation), plan.filter), plan.reason, plan.recheck),
    fixed: (decision) => planOf(decision.allow ? TRUE : FALSE, decision.reason),
    filtered: (rule, filter) => planOf(filter, `filtered: ${grantText(ruleRef(rule))}`),
    onAttribute(attribute, value, then, otherwise) {
      const yes = then();
      const no = otherwise();
      const reason = yes.reason === no.reason ? yes.reason : `${yes.reason}; where \`${attribute}\` is not ${JSON.stringify(value)}: ${no.reason}`;
      return planOf(and(present(attribute), or(and(eq(attribute, value), yes.filter), and(not(eq(attribute, value)), no.filter))), reason, yes.recheck ?? no.recheck);
    },
    onCondition(k, rule, then, otherwise) {
      return k === true ? then() : k === false ? otherwise() : planOf(FALSE, decide(rule, k === null ? Path.ConditionOverBudget : Path.ConditionFailed).reason);
    },
    onFilter(filter, rule, then, exact = true) {
      if (filter.op === 'false') return planOf(FALSE, decide(rule, Path.ConditionNotMet).reason);
      const yes = then();
      const recheck = exact ? '' : `; recheck each record with \`can\`: no filter expresses all of ${tick(ruleRef(rule).condition ?? '?')}`;
      return planOf(and(filter, yes.filter), `${yes.reason}${recheck}`, !exact || yes.recheck);
    },
    parentPlan(rule, attribute, kinds) {
      const ref = ruleRef(rule);
      const filter = record(attribute, or(...kinds.map(([kind, plan]) => and(eq('kind', kind), plan.filter))));
      return planOf(filter, `filtered: ${tick(ref.resource)} records follow their parent record (${ref.file}:${ref.line}:${ref.column})`, kinds.some(([, plan]) => plan.recheck));
    },
    checker(check, plan, kinds = [], unpolluted = () => false) {
      // where the application's principal keeps its id and role (`principal: { id: userId }`)
      const ID = data.principal?.id ?? 'id';
      const ROLE = data.principal?.role ?? 'role';
      const valid = ID === 'id' && ROLE === 'role' ? hasIdAndRole : (p: object): boolean => hasFields(p, ID, ROLE);
      /**
       * The object as generated code may read it. While `unpolluted()` — no built-in prototype but
       * `Object.prototype` has a key the checks read, which V8 folds to `true` — that is the object
       * itself, whatever its prototype: nothing it could inherit such a key from is built in, and
       * each read tests `Object.prototype`. Otherwise an {@link ordinary} object (its prototype
       * `Object.prototype`, `null` or a class; a copy of what the rule lets a check read for the
       * odd array or `Date`).
       */
      const readable = <T extends object>(o: T, fast: boolean): T => (fast ? o : ordinary(o));
      const core: Record<string, unknown> = {
        formatVersion: data.format,
        policyName: data.name,
        policyHash: data.hash,
        can(principal: Principal, action: string, resource: Resource, context?: Context): Decision {
          // everything inside the `try`: validating reads the request, and a getter or a Proxy trap may throw
          try {
            if (typeof principal !== 'object' || principal === null) return INVALID_PRINCIPAL;
            const fast = unpolluted();
            const p = readable(principal, fast);
            if (!valid(p)) return INVALID_PRINCIPAL;
            if (typeof resource !== 'object' || resource === null) return INVALID_RESOURCE;
            const r = readable(resource, fast);
            const kind = 'kind' in Object.prototype ? own(r, 'kind') : r.kind;
            if (typeof kind !== 'string') return INVALID_RESOURCE;
            if (context !== undefined && (typeof context !== 'object' || context === null)) return INVALID_CONTEXT;
            return check(p, action, r, context ?? NO_CONTEXT);
          } catch (error) {
            return failure(error);
          }
        },
        plan(principal: Principal, action: string, kind: string, context?: Context): QueryPlan {
          try {
            const p = isObject(principal) ? ordinary(principal) : undefined;
            if (p === undefined || !valid(p)) return refusedPlan(INVALID_PRINCIPAL);
            if (typeof kind !== 'string') return refusedPlan(INVALID_RESOURCE);
            if (context !== undefined && !isObject(context)) return refusedPlan(INVALID_CONTEXT);
            return plan(p, action, kind, context ?? NO_CONTEXT);
          } catch (error) {
            return refusedPlan(failure(error));
          }
        },
      };
      // one entry per kind (issue 17): the application's own record, no `kind`, nothing copied
      const byKind: Record<string, KindChecker> = Object.create(null) as Record<string, KindChecker>;
      for (const [name, checkKind] of kinds) {
        const entry: KindChecker = Object.freeze({
          can(principal: Principal, action: string, record: object, context?: Context): Decision {
            try {
              if (typeof principal !== 'object' || principal === null) return INVALID_PRINCIPAL;
              const fast = unpolluted();
              const p = readable(principal, fast);
              if (!valid(p)) return INVALID_PRINCIPAL;
              if (typeof record !== 'object' || record === null) return INVALID_RECORD;
              if (context !== undefined && (typeof context !== 'object' || context === null)) return INVALID_CONTEXT;
              return checkKind(p, action, readable(record, fast) as Resource, context ?? NO_CONTEXT);
            } catch (error) {
              return failure(error);
            }
          },
        });
        Object.defineProperty(byKind, name, { value: entry, enumerable: true });
        // `checker.lead` too, unless the kind is named like a member of the checker
        if (!CHECKER_MEMBERS.includes(name)) Object.defineProperty(core, name, { value: entry, enumerable: true });
      }
      core.kinds = Object.freeze(byKind);
      return Object.freeze(core) as unknown as CoreChecker;
    },
  };
  return policy;
}

/**
 * Whether an {@link ordinary} principal has its own (or own-class) string `id` and `role`.
 * Generated code then reads `p.id` and `p.role` directly: they are the object's, never a
 * polluted prototype's.
 */
function hasIdAndRole(o: object): boolean {
  const p = o as Principal;
  // the read of generated code (compiler/emit/reach.ts `ownRead`): `own` only when Object.prototype has the key
  return typeof ('id' in Object.prototype ? own(p, 'id') : p.id) === 'string' && typeof ('role' in Object.prototype ? own(p, 'role') : p.role) === 'string';
}

/** {@link hasIdAndRole} for a policy that names other fields for them (`principal: { id: userId }`). */
function hasFields(p: object, id: string, role: string): boolean {
  return typeof own(p, id) === 'string' && typeof own(p, role) === 'string';
}

/** Names a per-kind entry cannot also have on the checker (`checker.kinds` has every kind). */
const CHECKER_MEMBERS: readonly string[] = ['can', 'plan', 'fields', 'redact', 'canWrite', 'formatVersion', 'policyName', 'policyHash', 'kinds', '__proto__'];

/**
 * The principal's groups for a plan: `undefined` when `groups` is not a list (a malformed
 * request, as in `can`), else its own string members (a missing list is no groups).
 */
export function groupsOf(principal: Principal, key = 'groups'): readonly string[] | undefined {
  const groups = own(principal, key);
  if (groups === undefined) return [];
  if (!Array.isArray(groups)) return undefined;
  return ownElements(groups).filter((g): g is string => typeof g === 'string');
}

/**
 * Whether the principal's own `groups` (or the field `key` the policy names for them) is a list
 * that holds `group` (a group's pipeline rules, R-K5).
 */
export function inGroup(principal: Principal, group: string, key = 'groups'): boolean {
  const groups = own(principal, key);
  return Array.isArray(groups) && listIncludes(groups, group);
}

export interface LoadOptions {
  /**
   * The sha256 of the policy the application was built against (the `policy-hash` line of the
   * generated header, with or without its `sha256:` prefix): a checker of any other policy is refused.
   */
  readonly policyHash?: string;
}

/**
 * Checks a dynamically imported checker module before use: it must export a `checker` of this
 * runtime's format and, when `options.policyHash` is given, of that policy. Throws at load time
 * (`TypeError` for something that is not a checker module, {@link PolicyFormatError} for a
 * checker of another format or policy); the checker it returns never throws.
 */
export function loadChecker(module: unknown, options: LoadOptions = {}): Checker {
  const notAChecker = (): TypeError => new TypeError('policyc: the module does not export a `checker`; is it a module generated by `policyc build`?');
  let checker: unknown;
  let formatVersion: unknown;
  let policyName: unknown;
  let policyHash: unknown;
  try {
    checker = isObject(module) ? own(module, 'checker') : undefined;
    if (!isObject(checker) || typeof own(checker, 'can') !== 'function') throw notAChecker();
    [formatVersion, policyName, policyHash] = [own(checker, 'formatVersion'), own(checker, 'policyName'), own(checker, 'policyHash')];
  } catch {
    // a module or checker that throws when read is not one `policyc build` generated
    throw notAChecker();
  }
  const name = typeof policyName === 'string' ? tick(policyName) : '`?`';
  if (formatVersion !== FORMAT_VERSION) {
    throw new PolicyFormatError(
      `checker for policy ${name} has format ${typeof formatVersion === 'number' ? formatVersion : '?'}, but this runtime reads format ${FORMAT_VERSION}; rebuild it with the matching policyc`,
    );
  }
  const wanted = isObject(options) ? own(options, 'policyHash') : undefined;
  if (wanted !== undefined) {
    if (typeof wanted !== 'string') throw new TypeError('policyc: `policyHash` must be the sha256 of the policy, as a string');
    const expected = wanted.replace(/^sha256:/, '').toLowerCase();
    if (policyHash !== expected) {
      throw new PolicyFormatError(
        `checker for policy ${name} was compiled from policy sha256:${typeof policyHash === 'string' ? policyHash : '?'}, but sha256:${expected} was expected; rebuild it from the policy this application was built against`,
      );
    }
  }
  return checker as Checker;
}
