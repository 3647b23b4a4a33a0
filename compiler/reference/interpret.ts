/**
 * A reference interpreter of the policy language, written to be obviously right rather than
 * fast: the oracle the generated checkers are tested against (test/differential.test.ts).
 *
 * It is deliberately independent of the compiler: it reads the plain values `yaml.parse`
 * returns for each policy file (assumed valid per the schema and free of semantic errors) and
 * follows "How a decision is made" in docs/policy-language.md step by step. Policy names are
 * only ever looked up in Maps, so a name like `__proto__` or `constructor` is just a name.
 */
import { listIncludes, own, ownElements, type DecisionCode, type Level } from '@policyc/runtime';
import { compileExpression, t, type CelType } from '../cel/index.ts';

export interface ReferenceRule {
  readonly kind: 'grant' | 'administrator' | 'default' | 'public' | 'sharing' | 'subscribers' | 'parent';
  /** A sharing rule's name. */
  readonly name?: string;
  /** The principal's role (`*` for rules of no one role). */
  readonly role: string;
  /** The role the deciding rule is written in. */
  readonly declaredIn: string;
  readonly level: Level;
}

export interface ReferenceDecision {
  readonly allow: boolean;
  readonly code: DecisionCode;
  readonly rule?: ReferenceRule;
}

interface Kind {
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

interface Party {
  readonly kind: string;
  readonly name: string;
}

interface SharingRule {
  readonly name: string;
  readonly resource: string;
  readonly from: Party;
  readonly to: Party;
  readonly access: string;
  readonly superiors: boolean;
}

interface Role {
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

interface Shift {
  readonly days: readonly string[];
  readonly start: string;
  readonly end: string;
  readonly timeZone: string;
}

const LEVEL_OF_WORD = new Map<unknown, Level>([
  ['deny', 'deny'], ['red', 'deny'], ['own', 'own'], ['yellow', 'own'],
  ['team', 'team'], ['blue', 'team'], ['all', 'all'], ['green', 'all'],
]);
const WIDTH = new Map<Level, number>([['deny', 0], ['own', 1], ['team', 2], ['all', 3]]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
/** A mapping's own entries as a Map; anything else is empty. */
const entries = (v: unknown): Map<string, unknown> => new Map(isObject(v) && !Array.isArray(v) ? Object.entries(v) : []);
/**
 * Request data — a record attribute, a principal's `id`, `groups`… — read by the own-data rule of
 * docs/policy-language.md: the object's own property or its class's, never a built-in prototype's.
 */
const attribute = (v: object, key: string): unknown => own(v, key);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const list = (v: unknown): string[] | undefined => (Array.isArray(v) ? (v as string[]) : undefined);

interface Policy {
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

const COMPILED = new Map<string, ReturnType<typeof compileExpression>>();

/**
 * Whether a conditional grant's condition holds: `true`, `false`, or `undefined` when it cannot
 * be evaluated. `when:` is CEL (compiled by compiler/cel, whose semantics the CEL conformance
 * suite pins); `duringShift` is computed here, from the shift's days, times and time zone.
 */
function conditionMet(
  policy: Policy,
  kind: Kind,
  kindName: string,
  role: Role,
  condition: { when: string | undefined; duringShift: boolean },
  principal: Record<string, unknown>,
  resource: Record<string, unknown>,
  context: unknown,
): boolean | undefined {
  let met: boolean | undefined = condition.when === undefined ? true : celMet(policy, kind, kindName, condition.when, principal, resource, context);
  if (met === true && condition.duringShift === true) {
    // as for `when:` (docs/conditions.md): a value that throws when read means the condition cannot be evaluated
    try {
      met = inShift(policy, role, principal, context);
    } catch {
      met = undefined;
    }
  }
  return met;
}

/** A CEL condition over the request: `true`, `false`, or `undefined` when it cannot be evaluated. */
function celMet(policy: Policy, kind: Kind, kindName: string, when: string, principal: Record<string, unknown>, resource: Record<string, unknown>, context: unknown): boolean | undefined {
  const CEL: Record<string, CelType> = { string: t.string, number: t.double, boolean: t.bool, 'string[]': t.list(t.string), record: t.dyn, timestamp: t.timestamp };
  const declarations = {
    principal: t.object('principal', {
      id: t.string, role: t.string, groups: t.list(t.string), organisation: t.string, technical: t.bool, shift: t.string, reports: t.list(t.string),
      ...Object.fromEntries([...policy.principal].map(([a, type]) => [a, CEL[type] ?? t.dyn])),
    }),
    resource: t.object(kindName, Object.fromEntries([...kind.attributes].map(([a, type]) => [a, CEL[type] ?? t.dyn]))),
    context: t.object('context', Object.fromEntries([['now', t.timestamp], ...[...policy.context].map(([a, type]) => [a, CEL[type] ?? t.dyn] as const)])),
  };
  // compiled once per text and declared attributes (a cache only: the same text and types compile the same)
  const key = JSON.stringify([when, kindName, [...kind.attributes], [...policy.context], [...policy.principal], policy.conditionBudget]);
  let compiled = COMPILED.get(key);
  if (compiled === undefined) {
    // over its budget a condition is an error: not met, a denial with code `condition`
    compiled = compileExpression(when, declarations, policy.conditionBudget === undefined ? {} : { budget: policy.conditionBudget });
    COMPILED.set(key, compiled);
  }
  if (!compiled.ok) throw new Error(`reference: condition does not compile: ${when}`);
  const result = compiled.test({ principal, resource, context: context ?? {} });
  return result === true ? true : result === false ? false : undefined;
}

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * Whether `context.now` falls in the principal's shift (its own `shift`, else its role's). Like
 * every request value, `now` and `shift` are read by the own-data rule (own or own-class
 * properties, docs/policy-language.md).
 */
function inShift(policy: Policy, role: Role, principal: Record<string, unknown>, context: unknown): boolean | undefined {
  // the shift first, then the time: a principal in no shift is outside it whatever `now` is
  const name = own(principal, 'shift') !== undefined ? own(principal, 'shift') : role.shift;
  const shift = typeof name === 'string' ? policy.shifts.get(name) : undefined;
  if (shift === undefined) return false;
  const now = isObject(context) ? own(context, 'now') : undefined;
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) return undefined;
  const { day, minute } = localTime(now, shift.timeZone);
  const start = Number(shift.start.slice(0, 2)) * 60 + Number(shift.start.slice(3));
  const end = Number(shift.end.slice(0, 2)) * 60 + Number(shift.end.slice(3));
  const startsOn = (d: number) => shift.days.includes(WEEKDAYS[d]!);
  if (start < end) return startsOn(day) && minute >= start && minute < end;
  return (startsOn(day) && minute >= start) || (startsOn((day + 6) % 7) && minute < end);
}

/** Day of week (0 = Sunday) and minute of the day of `now` in a time zone: an IANA name or `±HH:MM`. */
function localTime(now: Date, zone: string): { day: number; minute: number } {
  const fixed = /^([+-])(\d\d):(\d\d)$/.exec(zone);
  if (fixed) {
    const shifted = new Date(now.getTime() + (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3])) * 60_000);
    return { day: shifted.getUTCDay(), minute: shifted.getUTCHours() * 60 + shifted.getUTCMinutes() };
  }
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return { day: WEEKDAYS.indexOf(part('weekday').toLowerCase().slice(0, 3)), minute: Number(part('hour')) * 60 + Number(part('minute')) };
}

/** Decides `principal` doing `action` on `resource` under the policy whose parsed files are `files`. */
export function decide(files: readonly unknown[], principal: unknown, action: string, resource: unknown, context?: unknown): ReferenceDecision {
  return decideRoles(policyOf(files), principal, action, resource, context);
}

/**
 * Decides as the entry of one kind does (`checker.lead.can`, issue 17): `record` is of kind
 * `kind` whatever it holds (it needs no `kind`), and must be an object.
 */
export function decideKind(files: readonly unknown[], kind: string, principal: unknown, action: string, record: unknown, context?: unknown): ReferenceDecision {
  return decideRoles(policyOf(files), principal, action, record, context, kind);
}

function policyOf(files: readonly unknown[]): Policy {
  let policy = READ.get(files);
  if (policy === undefined) {
    policy = read(files);
    READ.set(files, policy);
  }
  return policy;
}

function decideRoles(policy: Policy, principal: unknown, action: string, resource: unknown, context: unknown, kind?: string): ReferenceDecision {
  // Several roles: each decided as a one-role principal; the first that allows decides, else the
  // first role's denial. `roles` that is not a list of 1 to 64 strings is a malformed request.
  const roles = isObject(principal) ? attribute(principal, 'roles') : undefined;
  if (roles === undefined) return decideIn(policy, principal, action, resource, context, kind);
  const names = Array.isArray(roles) ? ownElements(roles) : [];
  if (!Array.isArray(roles) || names.length === 0 || names.length > 64 || names.length !== roles.length || !names.every((r) => typeof r === 'string')) return { allow: false, code: 'invalid-request' };
  // in order, stopping at the first allow: a later role's reads (a getter that throws) do not matter,
  // and a role whose decision throws is denied with `error` while the next role may still allow
  let first: ReferenceDecision | undefined;
  for (const role of names) {
    let decision: ReferenceDecision;
    try {
      decision = decideIn(policy, oneRoleView(policy, principal as object, role), action, resource, context, kind);
    } catch {
      decision = { allow: false, code: 'error' };
    }
    if (decision.allow) return decision;
    first ??= decision;
  }
  return first!;
}

/**
 * The principal as a one-role principal: `role` (or its mapped field) set, `roles` hidden, every
 * other value read from the principal itself when the decision needs it — a value the decision
 * does not need is not read (its getter may throw), as for a principal with one role.
 */
function oneRoleView(policy: Policy, principal: object, role: string): object {
  return Object.create(principal, { [fieldOf(policy, 'role')]: { value: role, enumerable: true }, roles: { value: undefined, enumerable: false } }) as object;
}

/** The principal's built-in values (docs/policy-language.md) and the types a declared attribute may have. */
const BUILT_IN = ['id', 'role', 'groups', 'organisation', 'technical', 'shift', 'reports'];
const TYPES = ['string', 'number', 'boolean', 'string[]', 'timestamp'];

/** The field of the application's principal holding built-in value `name`. */
const fieldOf = (policy: Policy, name: string): string => policy.principalFields.get(name) ?? name;

/** The policy read from each list of files (a cache only: the same files read the same). */
const READ = new WeakMap<readonly unknown[], Policy>();

function decideIn(policy: Policy, principal: unknown, action: string, resource: unknown, context: unknown, kindGiven?: string): ReferenceDecision {
  const { kinds, roles, profiles } = policy;
  /** A role's or a profile's entry (a role's parents may be its profile and other roles). */
  const specOf = (name: string): Role => (roles.get(name) ?? profiles.get(name))!;
  const parentsOf = (r: Role): string[] => [...(r.profile !== undefined ? [r.profile] : []), ...r.extends];

  // Step 1: a malformed request is denied …
  const [idField, roleField] = [fieldOf(policy, 'id'), fieldOf(policy, 'role')];
  if (!isObject(principal) || typeof attribute(principal, idField) !== 'string' || typeof attribute(principal, roleField) !== 'string') return { allow: false, code: 'invalid-request' };
  // (the entry of one kind takes any object as a record of that kind)
  if (!isObject(resource) || (kindGiven === undefined && typeof attribute(resource, 'kind') !== 'string')) return { allow: false, code: 'invalid-request' };
  if (context !== undefined && !isObject(context)) return { allow: false, code: 'invalid-request' };
  // …and so is a `profile` that is not a string or not a profile of the policy (R-Z2).
  const principalProfile = attribute(principal, 'profile');
  if (principalProfile !== undefined && typeof principalProfile !== 'string') return { allow: false, code: 'invalid-request' };
  if (principalProfile !== undefined && !profiles.has(principalProfile as string)) return { allow: false, code: 'unknown-profile' };
  const principalId = attribute(principal, idField) as string;
  const principalRole = attribute(principal, roleField) as string;
  // … and so is an unknown kind or action, checked in that order.
  const kindName = kindGiven ?? (attribute(resource, 'kind') as string);
  const kind = kinds.get(kindName);
  if (kind === undefined) return { allow: false, code: 'unknown-resource' };
  if (!kind.actions.includes(action)) return { allow: false, code: 'unknown-action' };
  // Step 1, next: a record of an organisation is reached only from within it (R-Z13).
  if (kind.organisation !== undefined) {
    const organisation = attribute(resource, kind.organisation);
    if (typeof organisation !== 'string') return { allow: false, code: 'missing-attribute' };
    if (typeof attribute(principal, fieldOf(policy, 'organisation')) !== 'string') return { allow: false, code: 'invalid-request' };
    if (organisation !== attribute(principal, fieldOf(policy, 'organisation'))) return { allow: false, code: 'other-organisation' };
  }
  // Step 1, last: a kind with a parent record is decided by the parent (R-Z11): its read
  // actions by the parent kind's first read action, the others by its first write action.
  if (kind.parent !== undefined) {
    const { parent } = kind;
    const rule: ReferenceRule = { kind: 'parent', role: '*', declaredIn: '*', level: 'all' };
    // …first the capability the child kind requires, where its condition holds (R-K7): a
    // condition that cannot be evaluated denies; the capability is the module permission as the
    // principal's grants decide it
    if (kind.requires !== undefined) {
      const { capability, when } = kind.requires;
      const need = when === undefined ? true : celMet(policy, kind, kindName, when, principal, resource, context);
      const dot = capability.indexOf('.');
      // a condition that cannot be evaluated denies only a principal lacking the capability
      if (need !== false && !decideIn(policy, principal, capability.slice(dot + 1), { kind: capability.slice(0, dot) }, context).allow) return { allow: false, code: need === true ? 'capability' : 'condition', rule };
    }
    const record = attribute(resource, parent.attribute);
    if (!isObject(record)) return { allow: false, code: 'missing-attribute', rule };
    const recordKind = attribute(record, 'kind');
    const parentKind = kinds.get(recordKind as string);
    if (typeof recordKind !== 'string' || !parent.resources.includes(recordKind) || parentKind === undefined) return { allow: false, code: 'missing-attribute', rule };
    const reads = parent.read !== undefined ? parent.read.includes(action) : !(parent.write ?? []).includes(action) && action === 'view';
    const needed = reads ? parentKind.read[0]! : parentKind.write[0]!;
    return { allow: decideIn(policy, principal, needed, record, context).allow, code: 'parent', rule };
  }
  // Step 1, then: a record whose pipeline or stage is present but not declared is refused (R-K5).
  if (kind.pipelines !== undefined) {
    const stages = [...kind.pipelines.values()].flatMap((v) => (Array.isArray(v) ? (v as unknown[]) : []));
    if (kind.pipeline !== undefined && attribute(resource, kind.pipeline) !== undefined && !kind.pipelines.has(attribute(resource, kind.pipeline) as string)) return { allow: false, code: 'invalid-request' };
    if (kind.stage !== undefined && attribute(resource, kind.stage) !== undefined && !stages.includes(attribute(resource, kind.stage))) return { allow: false, code: 'invalid-request' };
  }
  const asWritten = roles.get(principalRole);
  if (asWritten === undefined) return { allow: false, code: 'unknown-role' };
  // A profile the principal carries takes the place of the role's own as its first parent (R-Z2).
  const role: Role = principalProfile === undefined ? asWritten : { ...asWritten, profile: principalProfile as string };

  // Step 2: an administrator role, or one whose profile or parent is one (first found: the role's own flag, then its profile, then its parents in order).
  const administratorOf = (r: Role): Role | undefined =>
    r.administrator ? r : parentsOf(r).map((p) => administratorOf(specOf(p))).find((a) => a !== undefined);
  const admin = administratorOf(role);
  if (admin !== undefined) return { allow: true, code: 'admin', rule: { kind: 'administrator', role: role.name, declaredIn: admin.name, level: 'all' } };

  // Step 3, first bullet: the level the role writes itself — action entry > '*' > whole resource; a list grants `all`.
  type Cell = { level: Level; declaredIn: string; condition?: { when: string | undefined; duringShift: boolean } };
  const written = (r: Role): Omit<Cell, 'declaredIn'> | undefined => {
    const grant = r.grants.get(kindName);
    if (typeof grant === 'string') return { level: LEVEL_OF_WORD.get(grant)! };
    if (Array.isArray(grant)) return grant.includes(action) ? { level: 'all' } : undefined;
    const map = entries(grant);
    const value = map.has(action) ? map.get(action) : map.get('*');
    if (typeof value === 'string') return { level: LEVEL_OF_WORD.get(value)! };
    if (!isObject(value)) return undefined;
    // a conditional grant (issue 3): `{ level, when?, duringShift? }`
    const condition = value.when !== undefined || value.duringShift === true ? { when: value.when as string | undefined, duringShift: value.duringShift === true } : undefined;
    return { level: LEVEL_OF_WORD.get(value.level)!, ...(condition ? { condition } : {}) };
  };
  // Step 3, second bullet: else the widest effective level among the profile and the parents, ties to the first.
  const effective = (r: Role): Cell | undefined => {
    const mine = written(r);
    if (mine !== undefined) return { ...mine, declaredIn: r.name };
    let best: Cell | undefined;
    for (const parent of parentsOf(r)) {
      const found = effective(specOf(parent));
      if (found !== undefined && (best === undefined || WIDTH.get(found.level)! > WIDTH.get(best.level)!)) best = found;
    }
    return best;
  };
  const open = kind.defaultAccess === 'public-read-only' ? kind.read : kind.defaultAccess === 'public-read-write' ? [...kind.read, ...kind.write] : [];
  /** The rule a cell names: a grant, or one made green by the org-wide default. */
  const ruleOf = (c: Cell): ReferenceRule =>
    (c.level === 'own' || c.level === 'team') && open.includes(action)
      ? { kind: 'public', role: role.name, declaredIn: c.declaredIn, level: 'all' }
      : { kind: 'grant', role: role.name, declaredIn: c.declaredIn, level: c.level };

  // Step 3, before the grant (R-K5): the role's pipelines, then the pipelines of its groups (by
  // name; a group it belongs to only by request counts when `principal.groups` lists it), then
  // its stages, that name this action decide for records in them; a record without a string
  // stage (or pipeline) is denied.
  const top0 = [...roles.values()].find((r) => r.top)?.name;
  const above = (name: string, boss: string): boolean => {
    for (let at = roles.get(name)?.reportsTo ?? (top0 !== undefined && name !== top0 ? top0 : undefined); at !== undefined; ) {
      if (at === boss) return true;
      at = roles.get(at)?.reportsTo ?? (top0 !== undefined && at !== top0 ? top0 : undefined);
    }
    return false;
  };
  const memberByRole = (g: { roles: string[]; withSubordinates: string[] }): boolean =>
    g.roles.includes(role.name) || g.withSubordinates.includes(role.name) || g.withSubordinates.some((boss) => above(role.name, boss));
  // A role's stage and pipeline rules are inherited as its grants are: for each value, its own
  // rule for the action, else the widest of its parents' (first listed on a tie).
  const wordFor = (levels: unknown): string | undefined =>
    levels === undefined ? undefined : typeof levels === 'string' ? levels : entries(levels).has(action) ? (entries(levels).get(action) as string) : (entries(levels).get('*') as string | undefined);
  const ruleFor = (r: Role, key: 'stages' | 'pipelines', value: string): Cell | undefined => {
    const word = wordFor(entries(r[key].get(kindName)).get(value));
    if (word !== undefined) return { level: LEVEL_OF_WORD.get(word)!, declaredIn: r.name };
    let best: Cell | undefined;
    for (const parent of parentsOf(r)) {
      const found = ruleFor(specOf(parent), key, value);
      if (found !== undefined && (best === undefined || WIDTH.get(found.level)! > WIDTH.get(best.level)!)) best = found;
    }
    return best;
  };
  const valuesOf = (r: Role, key: 'stages' | 'pipelines'): string[] => [...new Set([...entries(r[key].get(kindName)).keys(), ...parentsOf(r).flatMap((p) => valuesOf(specOf(p), key))])];
  /** `group`: a rule of a group the principal is in only by request, so only if `principal.groups` lists it when the rule is reached. */
  const overrides: { attribute: string; value: string; cell: Cell | undefined; group?: string }[] = [];
  const inherited = (attributeName: string, key: 'stages' | 'pipelines') => {
    for (const value of valuesOf(role, key)) overrides.push({ attribute: attributeName, value, cell: ruleFor(role, key, value) });
  };
  if (kind.pipeline !== undefined) {
    inherited(kind.pipeline, 'pipelines');
    for (const name of [...policy.groups.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
      const g = policy.groups.get(name)!;
      const byRole = memberByRole(g);
      for (const [value, levels] of entries(g.pipelines.get(kindName))) {
        overrides.push({ attribute: kind.pipeline, value, cell: { level: LEVEL_OF_WORD.get(levels as string)!, declaredIn: role.name }, ...(byRole ? {} : { group: name }) });
      }
    }
  }
  if (kind.stage !== undefined) inherited(kind.stage, 'stages');
  let cell: Cell | undefined;
  for (const { attribute: attributeName, value, cell: override, group } of overrides) {
    if (override === undefined) continue;
    if (group !== undefined) {
      const given = attribute(principal, fieldOf(policy, 'groups'));
      if (!(Array.isArray(given) && listIncludes(given, group))) continue;
    }
    const actual = attribute(resource, attributeName);
    if (typeof actual !== 'string') return { allow: false, code: 'condition', rule: ruleOf(override) };
    if (actual === value) {
      cell = override;
      break;
    }
  }
  // …otherwise the grant, whose condition (`when:`, `duringShift`) must hold.
  if (cell === undefined) {
    cell = effective(role);
    if (cell?.condition !== undefined) {
      const met = conditionMet(policy, kind, kindName, role, cell.condition, principal, resource, context);
      if (met !== true) return { allow: false, code: 'condition', rule: ruleOf(cell) };
    }
  }
  const subscribes = (): boolean => {
    if (kind.subscribers === undefined || !kind.subscribers.actions.includes(action)) return false;
    const list = attribute(resource, kind.subscribers.attribute);
    return Array.isArray(list) && listIncludes(list, principalId);
  };
  const subscriber: ReferenceDecision = { allow: true, code: 'subscriber', rule: { kind: 'subscribers', role: '*', declaredIn: '*', level: 'all' } };
  // Step 3, third bullet: nothing anywhere — default deny, naming the role itself (a subscriber still gets in, R-K9).
  if (cell === undefined) {
    return subscribes() ? subscriber : { allow: false, code: 'default-deny', rule: { kind: 'default', role: role.name, declaredIn: role.name, level: 'deny' } };
  }
  const rule: ReferenceRule = { kind: 'grant', role: role.name, declaredIn: cell.declaredIn, level: cell.level };
  const chosen = cell;
  const deny = (code: DecisionCode): ReferenceDecision => ({ allow: false, code, rule });
  const allow = (code: DecisionCode): ReferenceDecision => ({ allow: true, code, rule });

  // Step 4: red denies (but for subscribers), green allows, without reading the record; an
  // org-wide public default makes yellow and blue green for its actions.
  if (cell.level === 'deny') return subscribes() ? subscriber : deny('denied');
  if (cell.level === 'all') return allow('all');
  if (open.includes(action)) return { allow: true, code: 'public', rule: ruleOf(chosen) };

  // Step 5: own and team read the owner (missing or not a string: fail closed).
  const owner = attribute(resource, kind.owner!);
  if (typeof owner !== 'string') return deny('missing-attribute');
  if (owner === principalId) return allow('own');

  // R-Z12: a role without `reportsTo` reports to the top role, if the policy has one
  const top = [...roles.values()].find((r) => r.top)?.name;
  const bossOf = (name: string): string | undefined => {
    const r = roles.get(name);
    return r === undefined ? undefined : (r.reportsTo ?? (top !== undefined && name !== top ? top : undefined));
  };
  const isBelow = (name: string, boss: string): boolean => {
    for (let at = bossOf(name); at !== undefined; at = bossOf(at)) if (at === boss) return true;
    return false;
  };
  /** Roles whose users are members of group `name` (R-Z7). */
  const groupRoles = (name: string): string[] => {
    const g = policy.groups.get(name);
    return g === undefined ? [] : [...g.roles, ...g.withSubordinates, ...[...roles.keys()].filter((r) => g.withSubordinates.some((boss) => isBelow(r, boss)))];
  };
  const fixedGroups = [...policy.groups.keys()].filter((g) => groupRoles(g).includes(role.name));
  // The principal's `groups`, read when a step first needs them (as every request value is).
  let groupsRead: { value: unknown } | undefined;
  const groups = (): unknown => (groupsRead ??= { value: attribute(principal, fieldOf(policy, 'groups')) }).value;
  const groupsMalformed = (): boolean => groups() !== undefined && !Array.isArray(groups());
  /** The principal's groups: the own elements of its list (a hole is no group). */
  const givenGroups = (): unknown[] => {
    const g = groups();
    return Array.isArray(g) ? ownElements(g) : [];
  };

  // Step 6: team then reads the team attribute and the principal's groups (given, and those of
  // its role); absent = none; not a list = malformed. Then owners who are members by role.
  if (cell.level === 'team') {
    const team = attribute(resource, kind.team!);
    if (typeof team !== 'string') return deny('missing-attribute');
    if (groupsMalformed()) return deny('invalid-request');
    if (givenGroups().includes(team) || fixedGroups.includes(team)) return allow('team');
    if (kind.ownerRole !== undefined && [...policy.groups.values()].some((g) => g.roles.length + g.withSubordinates.length > 0)) {
      const ownerRole = attribute(resource, kind.ownerRole);
      if (typeof ownerRole !== 'string') return deny('missing-attribute');
      const mine = [...fixedGroups, ...givenGroups().filter((g): g is string => typeof g === 'string')];
      if (mine.some((g) => groupRoles(g).includes(ownerRole))) return allow('group');
    }
  }

  // Step 7: the reporting hierarchy (R-Z4), or the role hierarchy (R-Z1), then peers (R-Z3). The
  // role hierarchy only for a role with roles below it or sharing with peers, and only on a
  // resource that says where the owner's role is. R-Z2: it only widens own/team.
  if (policy.reporting) {
    const reports = attribute(principal, fieldOf(policy, 'reports'));
    if (!Array.isArray(reports) && !(reports instanceof Set)) return deny('invalid-request');
    if (Array.isArray(reports) ? listIncludes(reports, owner) : reports.has(owner)) return allow('reports');
  }
  const hasSubordinates = !policy.reporting && [...roles.keys()].some((r) => isBelow(r, role.name));
  // The top role reaches the whole database (R-Z1): the records of the other users holding it too.
  const peers = role.sharesWithPeers || (!policy.reporting && role.top);
  if (kind.ownerRole !== undefined && (hasSubordinates || peers)) {
    const ownerRole = attribute(resource, kind.ownerRole);
    if (typeof ownerRole !== 'string') return deny('missing-attribute');
    if (hasSubordinates && isBelow(ownerRole, role.name)) return allow('hierarchy');
    if (peers && ownerRole === role.name) return allow('peer');
  }

  // Step 7, sharing rules (R-Z5, R-Z6), by name: a rule of this kind opening this action, when the
  // principal receives it — by role (the receivers, or their superiors if allowed) or by a group
  // given in the request — and the record's owner is on its giving side. Attributes that are
  // missing simply do not match here.
  for (const sharing of policy.sharing) {
    if (sharing.resource !== kindName) continue;
    const actions = sharing.access === 'read-only' ? kind.read : [...kind.read, ...kind.write];
    if (!actions.includes(action)) continue;
    const side = (p: Party): string[] =>
      p.kind === 'role' ? [p.name] : p.kind === 'roleAndSubordinates' ? [p.name, ...[...roles.keys()].filter((r) => isBelow(r, p.name))] : groupRoles(p.name);
    const receivers = side(sharing.to);
    const fixed = receivers.includes(role.name) || (sharing.superiors && receivers.some((r) => isBelow(r, role.name)));
    if (!fixed) {
      if (sharing.to.kind !== 'group') continue;
      if (groupsMalformed()) return deny('invalid-request');
      if (!givenGroups().includes(sharing.to.name)) continue;
    }
    const team = kind.team === undefined ? undefined : attribute(resource, kind.team);
    const ownerRole = kind.ownerRole === undefined ? undefined : attribute(resource, kind.ownerRole);
    const owned =
      (sharing.from.kind === 'group' && kind.team !== undefined && team === sharing.from.name) ||
      (kind.ownerRole !== undefined && side(sharing.from).includes(ownerRole as string));
    if (owned) return { allow: true, code: 'shared', rule: { kind: 'sharing', name: sharing.name, role: '*', declaredIn: '*', level: 'all' } };
  }

  // Step 7, last: subscribers (R-K9).
  if (subscribes()) return subscriber;

  // Step 8: nothing reached the record.
  return deny('not-reached');
}

// ---------------------------------------------------------------------------------------------
// Field-level security (R-K6, R-Z9), as docs/fields.md describes it

export type ReferenceFieldAccess = 'hidden' | 'read-only' | 'read-write';
const FIELD_WIDTH = new Map<unknown, number>([['hidden', 0], ['read-only', 1], ['read-write', 2]]);

/**
 * The access `principal` has to `field` of `resource`; undefined when the resource's kind is
 * unknown (or a module) or does not declare the field. Every field is hidden from a malformed
 * principal, an unknown role, and a principal who may not `view` the record.
 */
export function fieldAccess(files: readonly unknown[], principal: unknown, resource: unknown, field: string, context?: unknown): ReferenceFieldAccess | undefined {
  if (!isObject(resource) || typeof resource.kind !== 'string') return undefined;
  const kindName = resource.kind;
  let declared: Map<string, unknown> | undefined;
  let fieldDefault: ReferenceFieldAccess = 'read-write';
  const roles = new Map<string, Map<string, unknown>>();
  const profiles = new Map<string, Map<string, unknown>>();
  let subscriberFields: readonly string[] | undefined;
  for (const file of files) {
    const sections = entries(file);
    const kind = entries(sections.get('resources')).get(kindName);
    if (kind !== undefined) {
      const raw = entries(kind);
      declared = entries(raw.get('attributes'));
      const d = raw.get('fieldDefault');
      if (d === 'hidden' || d === 'read-only' || d === 'read-write') fieldDefault = d;
      if (raw.has('subscribers')) subscriberFields = list(entries(raw.get('subscribers')).get('fields')) ?? [];
    }
    for (const [name, r] of entries(sections.get('roles'))) roles.set(name, entries(r));
    for (const [name, r] of entries(sections.get('profiles'))) profiles.set(name, entries(r));
  }
  if (declared === undefined || !declared.has(field)) return undefined;
  const view = decide(files, principal, 'view', resource, context);
  // with several roles, the mask of the role that decided `view` (a subscriber's: the principal's `role`)
  const several = isObject(principal) && attribute(principal, 'roles') !== undefined && view.rule !== undefined && view.rule.role !== '*';
  const principalRole = isObject(principal) && typeof attribute(principal, 'id') === 'string' ? (several ? view.rule!.role : attribute(principal, 'role')) : undefined;
  if (typeof principalRole !== 'string') return 'hidden';
  const written = roles.get(principalRole);
  if (written === undefined) return 'hidden';
  // the profile the principal carries, in place of the role's own (R-Z9); a bad one hides everything
  const principalProfile = attribute(principal as object, 'profile');
  if (principalProfile !== undefined && (typeof principalProfile !== 'string' || !profiles.has(principalProfile))) return 'hidden';
  const role = principalProfile === undefined ? written : new Map(written).set('profile', principalProfile);
  // a record the principal may not view shows nothing; one they view only as a subscriber, only
  // the subscriber fields, read-only at most (R-K10)
  // (a kind without a `view` action: the field rules alone decide, for a well-formed request)
  if (!view.allow && view.code !== 'unknown-action') return 'hidden';
  if (view?.code === 'subscriber' && !(subscriberFields ?? []).includes(field)) return 'hidden';

  // parents: the profile, then the extended roles
  const parentsOf = (r: Map<string, unknown>): Map<string, unknown>[] => {
    const ext = r.get('extends');
    const profile = r.get('profile');
    return [
      ...(typeof profile === 'string' ? [profiles.get(profile)!] : []),
      ...(typeof ext === 'string' ? [ext] : Array.isArray(ext) ? (ext as string[]) : []).map((p) => roles.get(p)!),
    ];
  };
  const isAdministrator = (r: Map<string, unknown>): boolean => r.get('administrator') === true || parentsOf(r).some(isAdministrator);
  if (isAdministrator(role)) return 'read-write';
  // the role's own entry for the field, else its '*', else the widest of its parents (a parent
  // with no rule counting with the default), else the resource's fieldDefault or read-write
  const access = (r: Map<string, unknown>): ReferenceFieldAccess => {
    const mine = entries(entries(r.get('fields')).get(kindName));
    if (mine.has(field)) return mine.get(field) as ReferenceFieldAccess;
    if (mine.has('*')) return mine.get('*') as ReferenceFieldAccess;
    const parents = parentsOf(r).map(access);
    if (parents.length === 0) return fieldDefault;
    return parents.reduce((best, a) => (FIELD_WIDTH.get(a)! > FIELD_WIDTH.get(best)! ? a : best));
  };
  // a subscriber who may not otherwise view the record: its subscriber fields, read-only at most
  if (view?.code === 'subscriber') return access(role) === 'hidden' ? 'hidden' : 'read-only';
  return access(role);
}
