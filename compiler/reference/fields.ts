/**
 * Field-level security (R-K6, R-Z9) in the reference interpreter, as docs/fields.md describes it.
 */
import { decide } from './interpret.ts';
import { attribute, entries, isObject, list } from './read.ts';

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
