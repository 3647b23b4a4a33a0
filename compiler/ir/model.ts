/**
 * The policy model: plain data handed from phase to phase. Nothing here imports
 * another part of the compiler (see STYLE.md: `ir/` is a leaf).
 *
 * `load` produces {@link SourceFile}s, `analyze` turns them into a {@link PolicyModel},
 * `emit` and the reference interpreter read the model and nothing else.
 */

/** The four colour-coded grant levels of R-K3, from narrowest to widest. */
export type Level = 'deny' | 'own' | 'team' | 'all';

export const LEVELS: readonly Level[] = ['deny', 'own', 'team', 'all'];

/** The colour names authors may write instead of the level names. */
export const COLOUR_OF: Readonly<Record<Level, string>> = {
  deny: 'red',
  own: 'yellow',
  team: 'blue',
  all: 'green',
};

/** Level by the word an author wrote (a Map: policy text never reaches a prototype). */
export const LEVEL_OF_WORD: ReadonlyMap<string, Level> = new Map<string, Level>([
  ['deny', 'deny'], ['red', 'deny'],
  ['own', 'own'], ['yellow', 'own'],
  ['team', 'team'], ['blue', 'team'],
  ['all', 'all'], ['green', 'all'],
]);

/** A place in a policy file; line and column are 1-based. */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export type AttributeType = 'string' | 'number' | 'boolean' | 'string[]' | 'record';

export interface AttributeModel {
  readonly name: string;
  readonly type: AttributeType;
  readonly source: SourceRef;
}

/**
 * A record kind (lead, contact, …) or a module of switch-like sub-permissions
 * (landing pages, social, …). Modules have no owner, so only `deny` and `all` apply.
 */
export interface ResourceModel {
  readonly name: string;
  readonly kind: 'record' | 'module';
  readonly title: string | undefined;
  readonly actions: readonly string[];
  readonly attributes: readonly AttributeModel[];
  /** Attribute holding the id of the responsible user (R-K3 yellow). */
  readonly owner: string | undefined;
  /** Attribute holding the group (team) of the responsible user (R-K3 blue, R-K8). */
  readonly team: string | undefined;
  /** Attribute holding the role of the responsible user (R-Z1 hierarchy). */
  readonly ownerRole: string | undefined;
  /** Attribute holding the record's organisation; checks stay within the principal's (R-Z13). */
  readonly organisation: string | undefined;
  /** Actions that read a record and that write it (org-wide defaults, sharing rules, parents). */
  readonly read: readonly string[];
  readonly write: readonly string[];
  /** Org-wide default (per resource): who reaches records beyond the grants' own reach. */
  readonly defaultAccess: 'private' | 'public-read-only' | 'public-read-write';
  /** Subscribers of a record (R-K9, R-K10). */
  readonly subscribers: SubscribersModel | undefined;
  /** The parent record whose access decides this kind's (R-Z11). */
  readonly parent: ParentModel | undefined;
  /** A capability a child record needs on top of its parent's access (R-K7). */
  readonly requires: RequirementModel | undefined;
  /** Attributes holding the record's pipeline stage and pipeline (R-K5). */
  readonly stage: string | undefined;
  readonly pipeline: string | undefined;
  /** Declared pipelines → their stages (R-K5); undefined: not declared, any value counts. */
  readonly pipelines: ReadonlyMap<string, readonly string[]> | undefined;
  readonly source: SourceRef;
}

/**
 * When a rule applies. `equals`: a record attribute is a string equal to `value` (pipeline
 * stages and pipelines, R-K5); `cel`: a condition written in CEL (`when:`), or generated (shifts,
 * R-Z10), compiled to the JavaScript expression `js` over `p`, `r`, `c` and the runtime's `cel`.
 * A condition that fails (missing attribute, CEL error) denies: it never falls through.
 */
export type ConditionModel =
  | {
      readonly kind: 'equals';
      readonly attribute: string;
      readonly value: string;
      readonly text: string;
      /** A group's pipeline rule for members by request: it applies only when `principal.groups` lists it. */
      readonly group?: string;
    }
  | {
      readonly kind: 'cel';
      readonly text: string;
      readonly js: string;
      /** The temporaries `js` assigns, which the function around it declares (`compiler/cel/emit.ts`). */
      readonly temps: readonly string[];
      readonly readsResource: boolean;
      /**
       * For a condition reading `resource`: JavaScript building the filter of the records on which
       * it is `true` (over `p`, `c`, the runtime's `cel` and the plan helpers `and`, `or`;
       * `compiler/cel/filter.ts`) — exactly, or a superset to recheck with `can` when some part
       * of the condition has no filter.
       */
      readonly planFilter?: { readonly code: string; readonly exact: boolean };
      /**
       * Set for a grant with `duringShift` (R-Z10), whose `text` is generated: the `when:` as
       * written (if any) and the role's own shift, so that reviews can say "during the shift".
       */
      readonly duringShift?: { readonly when: string | undefined; readonly roleShift: string | undefined };
      /**
       * For a `duringShift` grant with a `when:`: that `when:` compiled alone (its `js` and
       * `temps`), which the checker joins by CEL's `&&` to the runtime's working-hours test
       * (`@policyc/runtime` `duringShift`) rather than running `js`, whose CEL spells out every shift.
       */
      readonly whenAlone?: { readonly js: string; readonly temps: readonly string[] };
    };

/** A shift of working hours (R-Z10): on `days` (0 = Sunday) from `start` to `end` minutes, in `timeZone`. */
export interface ShiftModel {
  readonly name: string;
  readonly days: readonly number[];
  readonly start: number;
  readonly end: number;
  readonly timeZone: string;
  readonly source: SourceRef;
}

export interface SubscribersModel {
  /** string[] attribute with the ids of the subscribed users. */
  readonly attribute: string;
  /** Actions a subscriber may always do. */
  readonly actions: readonly string[];
  /** Fields a subscriber sees when their role alone would not let them view the record. */
  readonly fields: readonly string[];
  /** The rule that subscriber decisions name. */
  readonly rule: number;
}

export interface ParentModel {
  /** A `record` attribute holding the parent record. */
  readonly attribute: string;
  readonly resources: readonly string[];
  /** This kind's action → the parent's action it needs (a read or a write action of the parent kind, per kind). */
  readonly needs: ReadonlyMap<string, 'read' | 'write'>;
  /** The rule that parent decisions name. */
  readonly rule: number;
}

/**
 * A module permission a child record needs besides access to its parent (R-K7: a message with a
 * file needs `capabilities.media_access`), when its condition holds (always without one).
 */
export interface RequirementModel {
  /** The module and its permission, decided by the principal's own grants on the module. */
  readonly module: string;
  readonly permission: string;
  /** `when:` — the capability is needed where it holds; where it cannot be evaluated, the record is denied. */
  readonly condition: ConditionModel | undefined;
  /** The negated condition (`!(when)`), whose filter lists the records that need no capability. */
  readonly unless: ConditionModel | undefined;
  readonly source: SourceRef;
}

/** A group (R-K8, R-Z7): users join through the principal's `groups`, and through roles. */
export interface GroupModel {
  readonly name: string;
  readonly description: string | undefined;
  /** Member roles after expanding `rolesAndSubordinates`, sorted. */
  readonly roles: readonly string[];
  readonly source: SourceRef;
}

/** One side of a sharing rule. */
export interface PartyModel {
  readonly kind: 'role' | 'roleAndSubordinates' | 'group';
  readonly name: string;
  /** Roles on this side, resolved at compile time (a group's member roles). */
  readonly roles: readonly string[];
}

/** A sharing rule (R-Z5, R-Z6). */
export interface SharingRuleModel {
  readonly name: string;
  readonly description: string | undefined;
  readonly resource: string;
  readonly from: PartyModel;
  readonly to: PartyModel;
  readonly access: 'read-only' | 'read-write';
  readonly superiors: boolean;
  /** The actions it opens: the resource's read actions, and its write actions for read-write. */
  readonly actions: readonly string[];
  /** Roles that receive it whatever the principal's groups: the receivers, and their superiors if allowed. */
  readonly receivers: readonly string[];
  /** The rule its decisions name. */
  readonly rule: number;
  readonly source: SourceRef;
}

/**
 * Why a cell has the level it has. Every decision names one rule, so a reason can
 * always point at the line of YAML that caused it.
 */
export interface Rule {
  readonly id: number;
  /** `grant`: a level written for an action; `administrator`: the role's administrator
   * flag; `default`: no grant anywhere, so default deny (points at the role); `public`: a
   * grant widened to every record by the resource's org-wide default; `sharing`: a sharing
   * rule; `subscribers`, `parent`: a resource's subscribers and parent declarations. */
  readonly kind: 'grant' | 'administrator' | 'default' | 'public' | 'sharing' | 'subscribers' | 'parent';
  /** A sharing rule's name. */
  readonly name?: string;
  /** The rule applies only when this holds (`when:`, stages, pipelines, shifts). */
  readonly condition?: ConditionModel;
  /** The role whose effective permissions this rule decides (`*` for rules of no one role). */
  readonly role: string;
  /** The role in which the rule was written (differs when inherited through `extends`). */
  readonly declaredIn: string;
  readonly resource: string;
  readonly action: string;
  readonly level: Level;
  readonly source: SourceRef;
}

export interface RoleModel {
  readonly name: string;
  readonly description: string | undefined;
  readonly source: SourceRef;
  /** The rule that makes this role an administrator (its own flag or an extended role's). */
  readonly administratorRule: number | undefined;
  readonly extends: readonly string[];
  readonly reportsTo: string | undefined;
  readonly sharesWithPeers: boolean;
  /** The top of the hierarchy: roles without `reportsTo` report to it (R-Z12). */
  readonly top: boolean;
  /** Every role below this one in the hierarchy, transitively, sorted (R-Z1). */
  readonly subordinates: readonly string[];
  /**
   * The profile the role's grants come from (R-Z2): the role's own `profile` (its users' default),
   * or in {@link byProfile} the profile a principal carries.
   */
  readonly profile: string | undefined;
  /**
   * The role for users who carry another profile (`principal.profile`, R-Z2, R-Z8, R-Z9): the
   * same place in the hierarchy, with that profile as the first parent of its grants. Every
   * declared profile but the role's own; empty in the entries themselves.
   */
  readonly byProfile: ReadonlyMap<string, RoleModel>;
  /** Groups every user of this role belongs to (R-Z7), sorted. */
  readonly groups: readonly string[];
  /** Effective rule id per resource and action, after inheritance: `cells[resource][action]`. */
  readonly cells: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /**
   * Conditional rules tried before a cell's rule, in order (pipelines, then stages, R-K5): the
   * first whose condition holds decides; one whose condition fails denies.
   */
  readonly overrides: ReadonlyMap<string, ReadonlyMap<string, readonly number[]>>;
  /** The shift of the role's users, unless a user names another (R-Z10). */
  readonly shift: string | undefined;
}

/** An organisation role of the capability table (R-O1) and whom it may manage (R-O3). */
export interface OrganisationRoleModel {
  readonly name: string;
  readonly capabilities: readonly string[];
  /** Roles this role may add, delete, give and take away. */
  readonly manages: readonly string[];
  readonly assignsWorkspaces: boolean;
  readonly workspaces: 'all' | 'assigned';
  readonly source: SourceRef;
}

export interface OrganisationModel {
  readonly capabilities: readonly string[];
  readonly roles: readonly OrganisationRoleModel[];
  /** The role at least one user always keeps (R-O2). */
  readonly keepOne: string;
  /** Most workspaces assigned in one step (R-O5). */
  readonly maxWorkspacesPerStep: number | undefined;
  readonly source: SourceRef;
}

/** Who may create, rename, move and delete roles (R-Z12): holders of a module permission. */
export interface RoleManagementModel {
  readonly module: string;
  readonly permission: string;
  readonly source: SourceRef;
}

export interface PolicyModel {
  readonly name: string;
  /** sha256 over the policy files' names and contents, hex. */
  readonly hash: string;
  /** Policy file paths relative to the policy set folder, sorted. */
  readonly files: readonly string[];
  readonly resources: readonly ResourceModel[];
  readonly roles: readonly RoleModel[];
  readonly rules: readonly Rule[];
  readonly groups: readonly GroupModel[];
  readonly sharingRules: readonly SharingRuleModel[];
  /** `reporting`: own and team grants widen to the records of users reporting to the principal (R-Z4). */
  readonly hierarchy: 'roles' | 'reporting';
  /** Declared profiles, sorted: the values `principal.profile` may take (R-Z2), and a user directory may name. */
  readonly profiles: readonly string[];
  readonly shifts: readonly ShiftModel[];
  readonly organisation: OrganisationModel | undefined;
  /** R-Z12: the module permission that allows managing roles (`roleManagement:`), if the policy names one. */
  readonly roleManagement: RoleManagementModel | undefined;
  /**
   * Built-in principal values the application keeps under a field of another name
   * (`principal: { groups: groupIds }`): built-in name → field. Absent: the field of that name.
   */
  readonly principalFields: ReadonlyMap<string, string>;
  /** Attributes declared under `principal:` with their types, for checking a user directory's `attributes`. */
  readonly principalAttributes: ReadonlyMap<string, string>;
  /** Field-level security (R-K6, R-Z9); see docs/fields.md. */
  readonly fields: FieldSecurityModel;
}

/** Field-level security (R-K6, R-Z9): what a role may do with one field of a record. */
export type FieldAccess = 'hidden' | 'read-only' | 'read-write';

/** From narrowest to widest: inheritance takes the widest of the parents. */
export const FIELD_ACCESSES: readonly FieldAccess[] = ['hidden', 'read-only', 'read-write'];

/**
 * Why a field has the access it has for a role. `field`: written under the role's `fields`
 * (or a parent's, through `extends`); `resource-default`: the resource's `fieldDefault`;
 * `default`: nothing written, so read-write (points at the role); `administrator`: read-write.
 */
export interface FieldRule {
  readonly id: number;
  readonly kind: 'field' | 'resource-default' | 'default' | 'administrator';
  readonly role: string;
  readonly declaredIn: string;
  readonly resource: string;
  readonly field: string;
  readonly access: FieldAccess;
  readonly source: SourceRef;
}

/** Every role's field mask for every record resource, after inheritance and defaults. */
export interface FieldSecurityModel {
  readonly rules: readonly FieldRule[];
  /** `masks[role][resource][field]` → field rule id, for every declared attribute (modules: none). */
  readonly masks: ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, number>>>;
  /** `profileMasks[role][profile]`: the masks of the role's users carrying a profile (R-Z9), for every declared profile. */
  readonly profileMasks: ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, number>>>>;
}
