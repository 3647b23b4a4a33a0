/**
 * The user directory: who the users are, turned into principals ready for `can`.
 *
 * A directory is a list of users (docs/directory.md, the one reference of the format; read from YAML, JSON or
 * JSON Lines by the application or by `policyc serve` — the runtime reads no files):
 *
 *     { id, keys?, email?, type?, role? | roles?, profile?, groups?, reportsTo?, shift?,
 *       organisations?, workspaces?, technical?, attributes? }
 *
 * An entry without `id` that names an `organisation` (`{ organisation, workspaces? }`) declares
 * an organisation and its workspaces for `policyc check --directory` (docs/directory.md); it is
 * not a user, and the runtime skips it.
 *
 * Every user is reachable under its `id`, its `email` and each of its `keys` (an opaque
 * subject id from an identity provider, say). A key that names two users is an error: a
 * lookup must never be ambiguous. A user with several roles is decided by
 * {@link canAny} (roles.ts). Users are read by the runtime's own-data rule (own.ts): a value
 * inherited from a built-in prototype is no value.
 *
 * No dependencies; imports nothing from the compiler.
 */
import { own } from './own.js';
import { reportingDirectory } from './reporting.js';
import type { Principal } from './types.js';

/** One user of the directory, as written in the file. */
export interface DirectoryUser {
  readonly id: string;
  /** The AuthZEN subject type of the user; default `user`. */
  readonly type: string;
  readonly keys: readonly string[];
  readonly email: string | undefined;
  readonly roles: readonly string[];
  readonly profile: string | undefined;
  readonly groups: readonly string[];
  readonly reportsTo: string | undefined;
  readonly shift: string | undefined;
  readonly organisations: readonly string[];
  readonly workspaces: readonly string[];
  readonly technical: boolean;
  /** Attributes the policy declares under `principal:` (`department`, `approvalLimit`, …). */
  readonly attributes: Readonly<Record<string, unknown>>;
}

export interface UserDirectory {
  /** The principal of the user with this id, email or key; `undefined` for an unknown key. */
  principal(key: string): Principal | undefined;
  /** The user with this id, email or key. */
  user(key: string): DirectoryUser | undefined;
  /** Every user, sorted by id (subject search pages through them in this order). */
  readonly users: readonly DirectoryUser[];
}

/** A directory entry that cannot be read; `index` is its position in the list (0-based). */
export class DirectoryError extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(`user ${index + 1}: ${message}`);
    this.name = 'DirectoryError';
  }
}

/** Names a principal already has; `attributes` may not replace them. */
const BUILT_IN = new Set(['id', 'role', 'roles', 'groups', 'organisation', 'organisations', 'workspaces', 'profile', 'technical', 'shift', 'reports', 'kind']);

/**
 * Reads a list of users (plain data, e.g. from JSON) into a directory. Throws a
 * {@link DirectoryError} naming the first entry that is not a valid user, or a key shared by two.
 */
export function loadDirectory(entries: readonly unknown[]): UserDirectory {
  if (!Array.isArray(entries)) throw new DirectoryError(-1, 'the directory must be a list of users');
  const users = entries.flatMap((entry, index) => (isOrganisationEntry(entry) ? [] : [readUser(entry, index)]));
  const byKey = new Map<string, number>();
  users.forEach((user, index) => {
    for (const key of new Set([user.id, ...(user.email === undefined ? [] : [user.email]), ...user.keys])) {
      const other = byKey.get(key);
      if (other !== undefined) throw new DirectoryError(index, `key \`${key}\` also names user ${other + 1}`);
      byKey.set(key, index);
    }
  });
  const reportsTo = new Map<string, string[]>();
  for (const user of users) {
    if (user.reportsTo !== undefined) reportsTo.set(user.reportsTo, [...(reportsTo.get(user.reportsTo) ?? []), user.id]);
  }
  const reporting = reportingDirectory({ directReports: (id) => reportsTo.get(id) ?? [] }, { maxEntries: users.length + 1 });
  const principals = new Map<number, Principal>();
  const principalAt = (index: number): Principal => {
    let principal = principals.get(index);
    if (principal === undefined) {
      principal = Object.freeze(reporting.withReports(principalOf(users[index]!)));
      principals.set(index, principal);
    }
    return principal;
  };
  const sorted = [...users].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    principal: (key) => {
      const index = typeof key === 'string' ? byKey.get(key) : undefined;
      return index === undefined ? undefined : principalAt(index);
    },
    user: (key) => {
      const index = typeof key === 'string' ? byKey.get(key) : undefined;
      return index === undefined ? undefined : users[index];
    },
    users: Object.freeze(sorted),
  };
}

/** The principal `can` reads: the first role as `role`, every role under `roles` when there are several; `organisations` lists where the user may check. */
function principalOf(user: DirectoryUser): Principal {
  const principal: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(user.attributes)) define(principal, name, value);
  principal.id = user.id;
  principal.role = user.roles[0];
  if (user.roles.length > 1) principal.roles = user.roles;
  principal.groups = user.groups;
  // a user of one organisation checks in it; of several, the request chooses among `organisations`
  if (user.organisations.length === 1) principal.organisation = user.organisations[0];
  if (user.organisations.length > 0) principal.organisations = user.organisations;
  if (user.shift !== undefined) principal.shift = user.shift;
  if (user.technical) principal.technical = true;
  if (user.profile !== undefined) principal.profile = user.profile;
  if (user.workspaces.length > 0) principal.workspaces = user.workspaces;
  return principal as unknown as Principal;
}

/** `{ organisation, workspaces? }` without an `id`: an organisation the directory declares, not a user. */
export function isOrganisationEntry(entry: unknown): boolean {
  return typeof entry === 'object' && entry !== null && !Array.isArray(entry) && own(entry, 'id') === undefined && own(entry, 'organisation') !== undefined;
}

function readUser(entry: unknown, index: number): DirectoryUser {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new DirectoryError(index, 'a user must be an object');
  const o = entry as object;
  const string = (key: string, required = false): string | undefined => {
    const value = own(o, key);
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || value === '') throw new DirectoryError(index, `\`${key}\` must be a non-empty string`);
    return value;
  };
  const strings = (key: string): readonly string[] => {
    const value = own(o, key);
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v !== '')) {
      throw new DirectoryError(index, `\`${key}\` must be a list of non-empty strings`);
    }
    return Object.freeze([...(value as string[])]);
  };
  const id = string('id', true)!;
  const role = string('role');
  const listed = strings('roles');
  if (role !== undefined && listed.length > 0) throw new DirectoryError(index, `user \`${id}\` has both \`role\` and \`roles\`; write one`);
  const roles = role !== undefined ? [role] : listed;
  if (roles.length === 0) throw new DirectoryError(index, `user \`${id}\` has no \`role\``);
  const technical = own(o, 'technical');
  if (technical !== undefined && typeof technical !== 'boolean') throw new DirectoryError(index, '`technical` must be true or false');
  return Object.freeze({
    id,
    type: string('type') ?? 'user',
    keys: strings('keys'),
    email: string('email'),
    roles: Object.freeze([...new Set(roles)]),
    profile: string('profile'),
    groups: strings('groups'),
    reportsTo: string('reportsTo'),
    shift: string('shift'),
    organisations: strings('organisations'),
    workspaces: strings('workspaces'),
    technical: technical === true,
    attributes: readAttributes(o, index),
  });
}

function readAttributes(o: object, index: number): Readonly<Record<string, unknown>> {
  const value = own(o, 'attributes');
  if (value === undefined) return Object.freeze({});
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DirectoryError(index, '`attributes` must be an object');
  const attributes: Record<string, unknown> = {};
  for (const name of Object.keys(value)) {
    if (BUILT_IN.has(name)) throw new DirectoryError(index, `\`attributes\` cannot set \`${name}\`; it is a field of the user`);
    define(attributes, name, own(value, name));
  }
  return Object.freeze(attributes);
}

/** Sets an own property even for the key `__proto__` (an assignment would replace the prototype). */
function define(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}
