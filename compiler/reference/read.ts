/**
 * The reference interpreter's reading of a policy set (compiler/reference/interpret.ts): the plain
 * values `yaml.parse` returns for each file, as Maps by name (so a name like `__proto__` is just a
 * name), and the helpers every step reads request data with.
 */
import { own, type Level } from '@policyc/runtime';

export interface Kind {
  readonly actions: readonly string[];
  readonly attributes: ReadonlyMap<string, string>;
  readonly stage: string | undefined;
  readonly pipeline: string | undefined;
  /** Declared pipelines → stages (R-K5), if the resource declares them. */
  readonly pipelines: Map<string, unknown> | undefined;
  readonly organisation: string | undefined;
  readonly owner: string | undefined;
  readonly team: string | undefined;
  readonly ownerRole: string | undefined;
  readonly read: readonly string[];
  readonly write: readonly string[];
  readonly defaultAccess: string;
  readonly subscribers: { readonly attribute: string; readonly actions: readonly string[] } | undefined;
  readonly parent: { readonly attribute: string; readonly resources: readonly string[]; readonly read: readonly string[] | undefined; readonly write: readonly string[] | undefined } | undefined;
  /** R-K7: `module.permission` a child record needs besides its parent's access, when `when` holds. */
  readonly requires?: { readonly capability: string; readonly when: string | undefined };
}

export interface Party {
  readonly kind: string;
  readonly name: string;
}

export interface SharingRule {
  readonly name: string;
  readonly resource: string;
  readonly from: Party;
  readonly to: Party;
  readonly access: string;
  readonly superiors: boolean;
}

export interface Role {
  readonly name: string;
  readonly administrator: boolean;
  readonly extends: readonly string[];
  readonly reportsTo: string | undefined;
  readonly top: boolean;
  readonly sharesWithPeers: boolean;
  readonly profile: string | undefined;
  /** resource name → a level word, a list of actions, or a Map of action (or '*') → level word or `{ level, when?, duringShift? }`. */
  readonly grants: ReadonlyMap<string, unknown>;
  readonly stages: ReadonlyMap<string, unknown>;
  readonly pipelines: ReadonlyMap<string, unknown>;
  readonly shift: string | undefined;
}

export interface Shift {
  readonly days: readonly string[];
  readonly start: string;
  readonly end: string;
  readonly timeZone: string;
}

export const LEVEL_OF_WORD = new Map<unknown, Level>([
  ['deny', 'deny'], ['red', 'deny'], ['own', 'own'], ['yellow', 'own'],
  ['team', 'team'], ['blue', 'team'], ['all', 'all'], ['green', 'all'],
]);
export const WIDTH = new Map<Level, number>([['deny', 0], ['own', 1], ['team', 2], ['all', 3]]);

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
/** A mapping's own entries as a Map; anything else is empty. */
export const entries = (v: unknown): Map<string, unknown> => new Map(isObject(v) && !Array.isArray(v) ? Object.entries(v) : []);
/**
 * Request data — a record attribute, a principal's `id`, `groups`… — read by the own-data rule of
 * docs/policy-language.md: the object's own property or its class's, never a built-in prototype's.
 */
export const attribute = (v: object, key: string): unknown => own(v, key);
export const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export const list = (v: unknown): string[] | undefined => (Array.isArray(v) ? (v as string[]) : undefined);

export interface Policy {
  readonly kinds: Map<string, Kind>;
  readonly roles: Map<string, Role>;
  readonly profiles: Map<string, Role>;
  /** group name → its `roles` and `rolesAndSubordinates` as written, and its pipelines (R-K5). */
  readonly groups: Map<string, { roles: string[]; withSubordinates: string[]; pipelines: Map<string, unknown> }>;
  readonly sharing: SharingRule[];
  readonly reporting: boolean;
  readonly shifts: Map<string, Shift>;
  /** Declared context attributes and their types. */
  readonly context: Map<string, string>;
  /** Declared principal attributes (besides the built-in ones) and their types. */
  readonly principal: Map<string, string>;
  /** Built-in principal values the application keeps under another field: `groups` → `groupIds`. */
  readonly principalFields: Map<string, string>;
  /** `limits.conditionBudget`: the steps one evaluation of a condition may spend (docs/conditions.md). */
  readonly conditionBudget?: number;
}

function readRole(name: string, r: unknown): Role {
  const raw = entries(r);
  const ext = raw.get('extends');
  return {
    name,
    administrator: raw.get('administrator') === true,
    extends: typeof ext === 'string' ? [ext] : Array.isArray(ext) ? (ext as string[]) : [],
    reportsTo: text(raw.get('reportsTo')),
    top: raw.get('top') === true,
    sharesWithPeers: raw.get('sharesWithPeers') === true,
    profile: text(raw.get('profile')),
    grants: entries(raw.get('grants')),
    stages: entries(raw.get('stages')),
    pipelines: entries(raw.get('pipelines')),
    shift: text(raw.get('shift')),
  };
}

/** Every resource, module, role, profile, group and sharing rule of the policy set, by name. */
function read(files: readonly unknown[]): Policy {
  const policy: Policy = { kinds: new Map(), roles: new Map(), profiles: new Map(), groups: new Map(), sharing: [], reporting: false, shifts: new Map(), context: new Map(), principal: new Map(), principalFields: new Map() };
  let reporting = false;
  let conditionBudget: number | undefined;
  for (const file of files) {
    const sections = entries(file);
    if (sections.get('hierarchy') === 'reporting') reporting = true;
    const budget = entries(sections.get('limits')).get('conditionBudget');
    if (typeof budget === 'number') conditionBudget ??= budget;
    for (const [name, s] of entries(sections.get('shifts'))) policy.shifts.set(name, s as Shift);
    for (const [name, type] of entries(sections.get('context'))) policy.context.set(name, type as string);
    for (const [name, type] of entries(sections.get('principal'))) {
      // a built-in name with a field name rather than a type: where the application keeps it
      if (BUILT_IN.includes(name) && !TYPES.includes(type as string)) policy.principalFields.set(name, type as string);
      else policy.principal.set(name, type as string);
    }
    for (const [name, r] of entries(sections.get('resources'))) {
      const raw = entries(r);
      const actions = raw.get('actions') as string[];
      const access = entries(raw.get('access'));
      const subscribers = raw.has('subscribers') ? entries(raw.get('subscribers')) : undefined;
      const parent = raw.has('parent') ? entries(raw.get('parent')) : undefined;
      const requires = raw.has('requires') ? entries(raw.get('requires')) : undefined;
      policy.kinds.set(name, {
        ...(requires === undefined ? {} : { requires: { capability: requires.get('capability') as string, when: text(requires.get('when')) } }),
        actions,
        attributes: entries(raw.get('attributes')) as Map<string, string>,
        stage: text(raw.get('stage')),
        pipeline: text(raw.get('pipeline')),
        pipelines: raw.has('pipelines') ? entries(raw.get('pipelines')) : undefined,
        organisation: text(raw.get('organisation')),
        owner: text(raw.get('owner')),
        team: text(raw.get('team')),
        ownerRole: text(raw.get('ownerRole')),
        read: list(access.get('read')) ?? actions.filter((a) => a === 'view'),
        write: list(access.get('write')) ?? actions.filter((a) => a === 'edit'),
        defaultAccess: text(raw.get('defaultAccess')) ?? 'private',
        subscribers: subscribers && { attribute: subscribers.get('attribute') as string, actions: list(subscribers.get('actions')) ?? ['view'] },
        parent: parent && { attribute: parent.get('attribute') as string, resources: list(parent.get('resources'))!, read: list(parent.get('read')), write: list(parent.get('write')) },
      });
    }
    // A module is a resource whose actions are its permissions and which has no record attributes.
    for (const [name, m] of entries(sections.get('modules'))) {
      policy.kinds.set(name, {
        actions: entries(m).get('permissions') as string[],
        attributes: new Map(), stage: undefined, pipeline: undefined, pipelines: undefined,
        organisation: undefined, owner: undefined, team: undefined, ownerRole: undefined,
        read: [], write: [], defaultAccess: 'private', subscribers: undefined, parent: undefined,
      });
    }
    for (const [name, r] of entries(sections.get('roles'))) policy.roles.set(name, readRole(name, r));
    for (const [name, r] of entries(sections.get('profiles'))) policy.profiles.set(name, readRole(name, r));
    for (const [name, g] of entries(sections.get('groups'))) {
      const raw = entries(g);
      policy.groups.set(name, { roles: list(raw.get('roles')) ?? [], withSubordinates: list(raw.get('rolesAndSubordinates')) ?? [], pipelines: entries(raw.get('pipelines')) });
    }
    for (const [name, s] of entries(sections.get('sharingRules'))) {
      const raw = entries(s);
      const party = (v: unknown): Party => {
        const [kind, value] = [...entries(v)][0]!;
        return { kind, name: value as string };
      };
      policy.sharing.push({ name, resource: raw.get('resource') as string, from: party(raw.get('from')), to: party(raw.get('to')), access: raw.get('access') as string, superiors: raw.get('superiors') === true });
    }
  }
  // sharing rules are considered by name, in code-unit order
  policy.sharing.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { ...policy, reporting, ...(conditionBudget === undefined ? {} : { conditionBudget }) };
}

/** The principal's built-in values (docs/policy-language.md) and the types a declared attribute may have. */
const BUILT_IN = ['id', 'role', 'groups', 'organisation', 'technical', 'shift', 'reports'];
const TYPES = ['string', 'number', 'boolean', 'string[]', 'timestamp'];

/** The field of the application's principal holding built-in value `name`. */
export const fieldOf = (policy: Policy, name: string): string => policy.principalFields.get(name) ?? name;

/** The policy read from each list of files (a cache only: the same files read the same). */
const READ = new WeakMap<readonly unknown[], Policy>();

/** The policy of a list of parsed files, read once. */
export function policyOf(files: readonly unknown[]): Policy {
  let policy = READ.get(files);
  if (policy === undefined) {
    policy = read(files);
    READ.set(files, policy);
  }
  return policy;
}
