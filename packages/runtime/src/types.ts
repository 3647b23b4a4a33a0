/**
 * The types of the runtime: what a check takes and returns, and what a generated module hands
 * to {@link definePolicy}. Every other runtime file imports its types from here (no import cycles).
 */
import type { QueryPlan } from './plan.js';

export type Level = 'deny' | 'own' | 'team' | 'all';

/** What decided: the stable part of a decision, for programs (the `reason` is for people). */
export type DecisionCode =
  | 'admin'
  | 'all'
  | 'own'
  | 'team'
  | 'hierarchy'
  | 'peer'
  | 'group'
  | 'reports'
  | 'shared'
  | 'public'
  | 'subscriber'
  | 'parent'
  | 'capability'
  | 'condition'
  | 'denied'
  | 'default-deny'
  | 'not-reached'
  | 'missing-attribute'
  | 'unknown-role'
  | 'unknown-profile'
  | 'unknown-resource'
  | 'unknown-action'
  | 'other-organisation'
  | 'invalid-request'
  | 'field-denied'
  | 'error';

/** The policy rule that decided, with the place in the policy files where it is written. */
export interface RuleRef {
  readonly id: number;
  /**
   * `grant`, `administrator`, `default` (no grant: default deny) and `public` (a grant widened by
   * the org-wide default) decide for one role; `sharing` is a sharing rule (its `name` is set),
   * `subscribers` and `parent` a resource's subscribers and parent-record declarations (role `*`).
   */
  readonly kind: 'grant' | 'administrator' | 'default' | 'public' | 'sharing' | 'subscribers' | 'parent';
  /** The sharing rule's name. */
  readonly name: string | undefined;
  /** The rule applies only when this condition holds (CEL text: `when:`, stages, pipelines, shifts). */
  readonly condition: string | undefined;
  readonly role: string;
  /** The role the rule is written in; differs from `role` when inherited through `extends`. */
  readonly declaredIn: string;
  readonly resource: string;
  readonly action: string;
  readonly level: Level;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface Decision {
  readonly allow: boolean;
  readonly code: DecisionCode;
  /** One line for people: what decided and where it is written. */
  readonly reason: string;
  readonly rule: RuleRef | undefined;
  /** For `field-denied` (from `canWrite`): the field rule that makes the field hidden or read-only. */
  readonly field?: FieldRuleRef;
}

/** Who asks. `groups` are the teams the user belongs to (R-K8). */
export interface Principal {
  readonly id: string;
  /** The principal's role in the organisation the check is about. */
  readonly role: string;
  readonly groups?: readonly string[];
  /** The organisation the check is made in, for resources that declare one (R-Z13). */
  readonly organisation?: string;
  /** A partner's technical user: decides exactly like its role; `policyc explain` shows it (R-K11). */
  readonly technical?: boolean;
  /** The user's shift of working hours (R-Z10), if not the one of their role. */
  readonly shift?: string;
  /**
   * For a policy with `hierarchy: reporting` (R-Z4): the ids of every user who reports to this
   * one, directly or not. See {@link reportingDirectory} to fill it from a directory.
   */
  readonly reports?: readonly string[] | ReadonlySet<string>;
  /** Attributes the policy declares under `principal:`, for conditions (`principal.approvalLimit`). */
  readonly [attribute: string]: unknown;
}

/** What a check knows besides the principal and the record, for conditions: `now` (a `Date`) and declared attributes. */
export interface Context {
  readonly now?: Date;
  readonly [attribute: string]: unknown;
}

/** A record (or a module) the principal acts on: its kind and its attributes. */
export interface Resource {
  readonly kind: string;
  readonly [attribute: string]: unknown;
}

/** What a generated checker knows of its policy: per resource kind, its actions and attribute types. */
export interface PolicySchema {
  readonly [kind: string]: { readonly action: string; readonly attributes: { readonly [attribute: string]: unknown } };
}

/**
 * The check of one resource kind (issue 17): `checker.lead.can(user, 'edit', lead)` takes the
 * application's own record as it is — no `kind` field, nothing copied.
 */
export interface KindChecker<P = Principal, A extends string = string, R = object> {
  /** Decides whether `principal` may do `action` on `record`, a record of this kind. Never throws, never allows on error. */
  can(principal: P, action: A, record: R, context?: Context): Decision;
}

/** Every kind's {@link KindChecker}. */
export type KindCheckers<S extends PolicySchema = PolicySchema, P = Principal> = { readonly [K in keyof S & string]: KindChecker<P, S[K]['action'], S[K]['attributes']> };

/** A kind's entry as generated code hands it to `policy.checker`: the kind's action switch. */
export type KindCheckFunction = (principal: Principal, action: string, record: Resource, context: Context) => Decision;

/**
 * A generated checker. `P` is the principal the application passes: {@link Principal}, or its
 * own user type when the policy says where the principal's fields live (`principal: { groups: groupIds }`).
 */
export interface Checker<S extends PolicySchema = PolicySchema, P = Principal> {
  /** Decides whether `principal` may do `action` on `resource`. Never throws, never allows on error. */
  can<K extends keyof S & string>(principal: P, action: S[K]['action'], resource: { readonly kind: K } & S[K]['attributes'], context?: Context): Decision;
  /** The checks of each kind on records without a `kind` (also `checker.<kind>` unless the kind is named like a member of the checker). */
  readonly kinds: KindCheckers<S, P>;
  /**
   * Which records of `kind` the principal may `action`: a plan whose filter a record satisfies
   * exactly when `can` allows it. Never throws; on error the plan is `never`.
   */
  plan<K extends keyof S & string>(principal: P, action: S[K]['action'], kind: K, context?: Context): QueryPlan;
  /**
   * Access to every declared field of the record (R-K6, R-Z9): a shared frozen mask; every field
   * is hidden when the principal may not `view` the record. Never throws. See docs/fields.md.
   */
  fields<K extends keyof S & string>(principal: P, resource: { readonly kind: K } & S[K]['attributes'], context?: Context): FieldMask<keyof S[K]['attributes'] & string>;
  /** A new object with `kind` and the fields the principal may see; anything else is dropped. */
  redact<K extends keyof S & string>(principal: P, resource: { readonly kind: K } & S[K]['attributes'], context?: Context): { readonly kind: K } & S[K]['attributes'];
  /** Whether the principal may `edit` the record and change exactly these fields (each read-write). Never throws. */
  canWrite<K extends keyof S & string>(principal: P, resource: { readonly kind: K } & S[K]['attributes'], changes: S[K]['attributes'], context?: Context): Decision;
  readonly formatVersion: number;
  readonly policyName: string;
  readonly policyHash: string;
}

/**
 * The rules of a policy as generated: one string per rule, eleven comma-separated integers
 * `kind,role,declaredIn,resource,action,level,file,line,column,name,condition` — indexes into the
 * lists of {@link PolicyData} (kind: grant, administrator, default, public, sharing, subscribers,
 * parent; level: deny, own, team, all), a 1-based position, and the indexes in `names` of the
 * rule's name and condition, or -1. Strings rather than nested arrays keep an 80,000-rule policy quick to
 * compile and load; a row is decoded when its rule first decides. A large policy packs them into
 * one string instead, `ruleBits` giving the width of each field (`rules.ts`).
 */
export type RuleTable = readonly string[] | string;

/** Reads the rows of `PolicyData.rules` (`rules.ts`): how many there are, and row `id`'s integers or `undefined`. */
export interface RuleReader {
  count(data: PolicyData): number;
  row(data: PolicyData, id: number): number[] | undefined;
}

export interface PolicyData {
  readonly format: number;
  readonly name: string;
  readonly files: readonly string[];
  readonly roles: readonly string[];
  readonly resources: readonly string[];
  readonly actions: readonly string[];
  /** Names of sharing rules and texts of conditions. */
  readonly names: readonly string[];
  readonly rules: RuleTable;
  /** Where the application's principal keeps built-in values it names otherwise: `{ groups: "groupIds" }`. */
  readonly principal?: { readonly [builtIn: string]: string };
  /** With packed `rules`: the width in bits of each of the eleven fields. */
  readonly ruleBits?: readonly number[];
}


/** The ways a rule can decide, as indexes into its decision cache. Generated code names them. */
export const Path = /* @__PURE__ */ Object.freeze({
  Admin: 0,
  All: 1,
  Own: 2,
  Team: 3,
  Hierarchy: 4,
  Peer: 5,
  Denied: 6,
  DefaultDeny: 7,
  NotReached: 8,
  MissingOwner: 9,
  MissingTeam: 10,
  MissingOwnerRole: 11,
  InvalidGroups: 12,
  Group: 13,
  Reports: 14,
  Shared: 15,
  Public: 16,
  Subscriber: 17,
  MissingSubscribers: 18,
  MissingReports: 19,
  ParentRead: 20,
  ParentWrite: 21,
  ParentNoRead: 22,
  ParentNoWrite: 23,
  MissingParent: 24,
  ConditionNotMet: 25,
  ConditionFailed: 26,
  ConditionOverBudget: 27,
  /** The record's owner holds the top role too: the top role reaches every record (R-Z1). */
  TopPeer: 28,
} as const);
export type Path = (typeof Path)[keyof typeof Path];
/**
 * How many ways of deciding there are (the size of a rule's row in the decision cache): a number
 * rather than `Object.keys(Path).length`, so that a bundle of `can` alone, whose generated code
 * passes paths as numbers, leaves the table of names out. test/runtime-size.test.ts keeps it right.
 */
export const PATHS = 29;

export type CheckFunction = (principal: Principal, action: string, resource: Resource, context: Context) => Decision;
export type PlanFunction = (principal: Principal, action: string, kind: string, context: Context) => QueryPlan;

/** What {@link definePolicy} makes of a generated module's data: its decisions. Plans are the planner's. */
export interface Policy {
  /** The data the policy was defined with (field security reads its name lists). */
  readonly data: PolicyData;
  /** The decision of rule `rule` taken along `path`; created once, then shared. */
  readonly decide: (rule: number, path: Path) => Decision;
  /** The reference of rule `rule`, decoded from its row on first use. */
  readonly ruleRef: (rule: number) => RuleRef;
  /**
   * Sets how reasons are written, before the first decision (the planner installs the full text;
   * without it, the short form of `shortReason`).
   */
  readonly explainWith: (explain: (rule: RuleRef, path: Path) => string) => void;
  /** Denials that no rule decides. */
  readonly unknownRole: Decision;
  readonly unknownResource: Decision;
  readonly unknownAction: Decision;
}

/**
 * A generated checker with its per-kind entries as members (`checker.lead.can(user, 'edit', lead)`):
 * every kind not named like a member of {@link Checker}.
 */
export type PolicyChecker<S extends PolicySchema = PolicySchema, P = Principal> = Checker<S, P> & Omit<KindCheckers<S, P>, keyof Checker | '__proto__'>;

/** A checker before field security is added to it ({@link defineFields}). */
export type CoreChecker = Omit<Checker, 'fields' | 'redact' | 'canWrite'>;

/** What a principal may do with a field: not see it, see it, or see and change it. */
export type FieldAccess = 'hidden' | 'read-only' | 'read-write';

/** Access per declared field of a resource kind. */
export type FieldMask<F extends string = string> = { readonly [field in F]: FieldAccess };

/** The field rule that decided a field's access, with the place it is written. */
export interface FieldRuleRef {
  readonly id: number;
  /** `field`: a role's `fields` entry; `resource-default`: the resource's `fieldDefault`;
   * `default`: nothing written, so read-write; `administrator`: read-write. */
  readonly kind: 'field' | 'resource-default' | 'default' | 'administrator';
  readonly role: string;
  readonly declaredIn: string;
  readonly resource: string;
  /** The field as written: its name, or `*` for every other field. */
  readonly field: string;
  readonly access: FieldAccess;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}
