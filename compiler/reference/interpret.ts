/**
 * A reference interpreter of the policy language, written to be obviously right rather than
 * fast: the oracle the generated checkers are tested against (test/differential.test.ts).
 *
 * It is deliberately independent of the compiler: it reads the plain values `yaml.parse`
 * returns for each policy file (assumed valid per the schema and free of semantic errors) and
 * follows "How a decision is made" in docs/policy-language.md step by step. Policy names are
 * only ever looked up in Maps, so a name like `__proto__` or `constructor` is just a name.
 */
import type { DecisionCode, Level } from '../../runtime/index.ts';

export interface ReferenceRule {
  readonly kind: 'grant' | 'administrator' | 'default';
  /** The principal's role. */
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
  readonly organisation: string | undefined;
  readonly owner: string | undefined;
  readonly team: string | undefined;
  readonly ownerRole: string | undefined;
}

interface Role {
  readonly name: string;
  readonly administrator: boolean;
  readonly extends: readonly string[];
  readonly reportsTo: string | undefined;
  readonly top: boolean;
  readonly sharesWithPeers: boolean;
  /** resource name → a level word, a list of actions, or a Map of action (or '*') → level word. */
  readonly grants: ReadonlyMap<string, unknown>;
}

const LEVEL_OF_WORD = new Map<unknown, Level>([
  ['deny', 'deny'], ['red', 'deny'], ['own', 'own'], ['yellow', 'own'],
  ['team', 'team'], ['blue', 'team'], ['all', 'all'], ['green', 'all'],
]);
const WIDTH = new Map<Level, number>([['deny', 0], ['own', 1], ['team', 2], ['all', 3]]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
/** A mapping's own entries as a Map; anything else is empty. */
const entries = (v: unknown): Map<string, unknown> => new Map(isObject(v) && !Array.isArray(v) ? Object.entries(v) : []);
/** A record attribute, read as a property (own or inherited, as the docs say). */
const attribute = (v: Record<string, unknown>, key: string): unknown => v[key];
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Every resource, module and role of the policy set, by name. */
function read(files: readonly unknown[]): { kinds: Map<string, Kind>; roles: Map<string, Role> } {
  const kinds = new Map<string, Kind>();
  const roles = new Map<string, Role>();
  for (const file of files) {
    const sections = entries(file);
    for (const [name, r] of entries(sections.get('resources'))) {
      const raw = entries(r);
      kinds.set(name, { actions: raw.get('actions') as string[], organisation: text(raw.get('organisation')), owner: text(raw.get('owner')), team: text(raw.get('team')), ownerRole: text(raw.get('ownerRole')) });
    }
    // A module is a resource whose actions are its permissions and which has no record attributes.
    for (const [name, m] of entries(sections.get('modules'))) {
      kinds.set(name, { actions: entries(m).get('permissions') as string[], organisation: undefined, owner: undefined, team: undefined, ownerRole: undefined });
    }
    for (const [name, r] of entries(sections.get('roles'))) {
      const raw = entries(r);
      const ext = raw.get('extends');
      roles.set(name, {
        name,
        administrator: raw.get('administrator') === true,
        extends: typeof ext === 'string' ? [ext] : Array.isArray(ext) ? (ext as string[]) : [],
        reportsTo: text(raw.get('reportsTo')),
        top: raw.get('top') === true,
        sharesWithPeers: raw.get('sharesWithPeers') === true,
        grants: entries(raw.get('grants')),
      });
    }
  }
  return { kinds, roles };
}

/** Decides `principal` doing `action` on `resource` under the policy whose parsed files are `files`. */
export function decide(files: readonly unknown[], principal: unknown, action: string, resource: unknown): ReferenceDecision {
  const { kinds, roles } = read(files);
  const roleOf = (name: string): Role => roles.get(name)!;

  // Step 1: a malformed request is denied …
  if (!isObject(principal) || typeof principal.id !== 'string' || typeof principal.role !== 'string') return { allow: false, code: 'invalid-request' };
  if (!isObject(resource) || typeof resource.kind !== 'string') return { allow: false, code: 'invalid-request' };
  // … and so is an unknown kind, action or role, checked in that order.
  const kindName = resource.kind;
  const kind = kinds.get(kindName);
  if (kind === undefined) return { allow: false, code: 'unknown-resource' };
  if (!kind.actions.includes(action)) return { allow: false, code: 'unknown-action' };
  // Step 1, last: a record of an organisation is reached only from within it (R-Z13).
  if (kind.organisation !== undefined) {
    const organisation = attribute(resource, kind.organisation);
    if (typeof organisation !== 'string') return { allow: false, code: 'missing-attribute' };
    if (typeof principal.organisation !== 'string') return { allow: false, code: 'invalid-request' };
    if (organisation !== principal.organisation) return { allow: false, code: 'other-organisation' };
  }
  const role = roles.get(principal.role);
  if (role === undefined) return { allow: false, code: 'unknown-role' };

  // Step 2: an administrator role, or one extending one (first flag found: the role's own, then its parents in order).
  const administratorOf = (r: Role): Role | undefined =>
    r.administrator ? r : r.extends.map((p) => administratorOf(roleOf(p))).find((a) => a !== undefined);
  const admin = administratorOf(role);
  if (admin !== undefined) return { allow: true, code: 'admin', rule: { kind: 'administrator', role: role.name, declaredIn: admin.name, level: 'all' } };

  // Step 3, first bullet: the level the role writes itself — action entry > '*' > whole resource; a list grants `all`.
  const written = (r: Role): Level | undefined => {
    const grant = r.grants.get(kindName);
    if (typeof grant === 'string') return LEVEL_OF_WORD.get(grant);
    if (Array.isArray(grant)) return grant.includes(action) ? 'all' : undefined;
    const map = entries(grant);
    return LEVEL_OF_WORD.get(map.has(action) ? map.get(action) : map.get('*'));
  };
  // Step 3, second bullet: else the widest effective level among the parents, ties to the first listed.
  const effective = (r: Role): { level: Level; declaredIn: string } | undefined => {
    const mine = written(r);
    if (mine !== undefined) return { level: mine, declaredIn: r.name };
    let best: { level: Level; declaredIn: string } | undefined;
    for (const parent of r.extends) {
      const found = effective(roleOf(parent));
      if (found !== undefined && (best === undefined || WIDTH.get(found.level)! > WIDTH.get(best.level)!)) best = found;
    }
    return best;
  };
  const cell = effective(role);
  // Step 3, third bullet: nothing anywhere — default deny, naming the role itself.
  if (cell === undefined) return { allow: false, code: 'default-deny', rule: { kind: 'default', role: role.name, declaredIn: role.name, level: 'deny' } };
  const rule: ReferenceRule = { kind: 'grant', role: role.name, declaredIn: cell.declaredIn, level: cell.level };
  const deny = (code: DecisionCode): ReferenceDecision => ({ allow: false, code, rule });
  const allow = (code: DecisionCode): ReferenceDecision => ({ allow: true, code, rule });

  // Step 4: red denies, green allows, without reading the record.
  if (cell.level === 'deny') return deny('denied');
  if (cell.level === 'all') return allow('all');

  // Step 5: own and team read the owner (missing or not a string: fail closed).
  const owner = attribute(resource, kind.owner!);
  if (typeof owner !== 'string') return deny('missing-attribute');
  if (owner === principal.id) return allow('own');

  // Step 6: team then reads the team attribute and the principal's groups (absent = none; not a list = malformed).
  if (cell.level === 'team') {
    const team = attribute(resource, kind.team!);
    if (typeof team !== 'string') return deny('missing-attribute');
    const groups = principal.groups;
    if (groups !== undefined && !Array.isArray(groups)) return deny('invalid-request');
    if (groups !== undefined && groups.includes(team)) return allow('team');
  }

  // Step 7: the hierarchy (R-Z1) and peers (R-Z3), only for a role with roles below it or sharing with peers,
  // and only on a resource that says where the owner's role is. R-Z2: it only widens own/team, which is all we reach here.
  // R-Z12: a role without `reportsTo` reports to the top role, if the policy has one
  const top = [...roles.values()].find((r) => r.top)?.name;
  const bossOf = (name: string): string | undefined => {
    const r = roles.get(name);
    return r === undefined ? undefined : (r.reportsTo ?? (top !== undefined && name !== top ? top : undefined));
  };
  const isBelow = (name: string): boolean => {
    for (let at = bossOf(name); at !== undefined; at = bossOf(at)) if (at === role.name) return true;
    return false;
  };
  const hasSubordinates = [...roles.keys()].some(isBelow);
  if (kind.ownerRole !== undefined && (hasSubordinates || role.sharesWithPeers)) {
    const ownerRole = attribute(resource, kind.ownerRole);
    if (typeof ownerRole !== 'string') return deny('missing-attribute');
    if (isBelow(ownerRole)) return allow('hierarchy');
    if (role.sharesWithPeers && ownerRole === role.name) return allow('peer');
  }

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
export function fieldAccess(files: readonly unknown[], principal: unknown, resource: unknown, field: string): ReferenceFieldAccess | undefined {
  if (!isObject(resource) || typeof resource.kind !== 'string') return undefined;
  const kindName = resource.kind;
  let declared: Map<string, unknown> | undefined;
  let fieldDefault: ReferenceFieldAccess = 'read-write';
  let actions: readonly string[] = [];
  const roles = new Map<string, Map<string, unknown>>();
  for (const file of files) {
    const sections = entries(file);
    const kind = entries(sections.get('resources')).get(kindName);
    if (kind !== undefined) {
      const raw = entries(kind);
      declared = entries(raw.get('attributes'));
      actions = raw.get('actions') as string[];
      const d = raw.get('fieldDefault');
      if (d === 'hidden' || d === 'read-only' || d === 'read-write') fieldDefault = d;
    }
    for (const [name, r] of entries(sections.get('roles'))) roles.set(name, entries(r));
  }
  if (declared === undefined || !declared.has(field)) return undefined;
  if (!isObject(principal) || typeof principal.id !== 'string' || typeof principal.role !== 'string') return 'hidden';
  const role = roles.get(principal.role);
  if (role === undefined) return 'hidden';
  // a record the principal may not view shows nothing
  if (actions.includes('view') && !decide(files, principal, 'view', resource).allow) return 'hidden';

  const parentsOf = (r: Map<string, unknown>): string[] => {
    const ext = r.get('extends');
    return typeof ext === 'string' ? [ext] : Array.isArray(ext) ? (ext as string[]) : [];
  };
  const isAdministrator = (r: Map<string, unknown>): boolean => r.get('administrator') === true || parentsOf(r).some((p) => isAdministrator(roles.get(p)!));
  if (isAdministrator(role)) return 'read-write';
  // the role's own entry for the field, else its '*', else the widest of its parents (a parent
  // with no rule counting with the default), else the resource's fieldDefault or read-write
  const access = (r: Map<string, unknown>): ReferenceFieldAccess => {
    const mine = entries(entries(r.get('fields')).get(kindName));
    if (mine.has(field)) return mine.get(field) as ReferenceFieldAccess;
    if (mine.has('*')) return mine.get('*') as ReferenceFieldAccess;
    const parents = parentsOf(r).map((p) => access(roles.get(p)!));
    if (parents.length === 0) return fieldDefault;
    return parents.reduce((best, a) => (FIELD_WIDTH.get(a)! > FIELD_WIDTH.get(best)! ? a : best));
  };
  return access(role);
}
