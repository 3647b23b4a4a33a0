/**
 * One principal, one role: the steps of "How a decision is made" (docs/policy-language.md), in
 * order, for the reference interpreter (compiler/reference/interpret.ts). Written to be obviously
 * right rather than fast.
 */
import { listIncludes, ownElements, type DecisionCode, type Level } from '@policyc/runtime';
import { celMet, conditionMet } from './conditions.ts';
import { attribute, entries, fieldOf, isObject, LEVEL_OF_WORD, WIDTH, type Party, type Policy, type Role } from './read.ts';

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

/** Decides a request of one role (or none), as the generated checker does before `withRoles`. */
export function decideIn(policy: Policy, principal: unknown, action: string, resource: unknown, context: unknown, kindGiven?: string): ReferenceDecision {
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
    // … and only by a principal that belongs to it, when it lists the organisations it belongs to
    const memberships = attribute(principal, 'organisations');
    if (memberships !== undefined && !(Array.isArray(memberships) && memberships.some((o, i) => Object.hasOwn(memberships, i) && o === organisation))) return { allow: false, code: 'other-organisation' };
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
