/**
 * The shape of directory entries (docs/directory.md): each user, and each organisation the
 * directory declares, read into plain records with every shape problem reported (PC7002) —
 * the same rules by which the runtime's `loadDirectory` accepts or rejects a user, so a directory
 * that passes the check loads. Fields are read as own properties only (a `__proto__` key is data).
 */
import { tick, type DiagnosticBag } from '../diagnostics/diagnostic.ts';
import { didYouMean } from '../diagnostics/suggest.ts';
import type { PathSegment } from '../load/load.ts';
import type { DirectoryEntry, DirectoryText } from './read.ts';

/**
 * A name written in the directory and where: under `key` of its entry, at `index` of a list.
 * The path is built only when a diagnostic needs it: a directory holds a million such names.
 */
export class Written {
  constructor(
    readonly name: string,
    readonly key: string,
    readonly index = -1,
  ) {}
  get path(): readonly PathSegment[] {
    return this.index < 0 ? [this.key] : [this.key, this.index];
  }
}

export interface UserEntry {
  readonly entry: DirectoryEntry;
  /** The user's id (`''` when it has none; such a user is not checked further). */
  readonly id: string;
  readonly idWritten: Written | undefined;
  readonly email: Written | undefined;
  readonly keys: readonly Written[];
  readonly roles: readonly Written[];
  readonly profile: Written | undefined;
  readonly groups: readonly Written[];
  readonly reportsTo: Written | undefined;
  readonly shift: Written | undefined;
  readonly organisations: readonly Written[];
  readonly workspaces: readonly Written[];
  readonly attributes: readonly { readonly name: string; readonly path: readonly PathSegment[]; readonly value: unknown }[];
}

export interface OrganisationEntry {
  readonly entry: DirectoryEntry;
  readonly name: string;
  readonly workspaces: readonly Written[];
}

const USER_FIELDS = ['id', 'type', 'keys', 'email', 'role', 'roles', 'profile', 'groups', 'reportsTo', 'shift', 'organisations', 'workspaces', 'technical', 'attributes'];
const ORGANISATION_FIELDS = ['organisation', 'workspaces'];
/** What `attributes` may not set: the runtime's principal has these already (directory.ts). */
const BUILT_IN = new Set(['id', 'role', 'roles', 'groups', 'organisation', 'organisations', 'workspaces', 'profile', 'technical', 'shift', 'reports', 'kind']);

const ownValue = (o: object, key: string): unknown => (Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined);
const isEmptyList = (v: unknown): boolean => Array.isArray(v) && v.length === 0;
const isMapping = (v: unknown): v is object => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads every entry; shape problems are reported, and a field with one is read as absent. */
export function readEntries(directory: DirectoryText, bag: DiagnosticBag): { users: UserEntry[]; organisations: OrganisationEntry[] } {
  const users: UserEntry[] = [];
  const organisations: OrganisationEntry[] = [];
  directory.entries.forEach((entry, index) => {
    const problem = (path: readonly PathSegment[], message: string, help?: string, part: 'key' | 'value' = 'value'): void =>
      bag.report('DirectoryUserShape', directory.spanOf(entry, path, part), message, help === undefined ? {} : { help });
    const o = entry.value;
    if (!isMapping(o)) {
      problem([], `entry ${index + 1} is not a mapping`, 'write each user as `{ id, role, … }`');
      return;
    }
    const fields = ownValue(o, 'id') === undefined && ownValue(o, 'organisation') !== undefined ? ORGANISATION_FIELDS : USER_FIELDS;
    for (const key of Object.keys(o)) {
      if (fields.includes(key)) continue;
      const what = fields === USER_FIELDS ? 'a user' : 'an organisation';
      problem([key], `unknown field ${tick(key)} in ${what}`, didYouMean(key, fields) ?? `${what} has the fields ${fields.map(tick).join(', ')}`, 'key');
    }
    const string = (key: string, required = false): Written | undefined => {
      const value = ownValue(o, key);
      if (value === undefined) {
        if (required) problem([], `entry ${index + 1} has no ${tick(key)}`, `every user has an \`id\` (a non-empty string)`);
        return undefined;
      }
      if (typeof value === 'string' && value !== '') return new Written(value, key);
      problem([key], `${tick(key)} must be a non-empty string`);
      return undefined;
    };
    const strings = (key: string): Written[] => {
      const value = ownValue(o, key);
      if (value === undefined) return [];
      if (Array.isArray(value) && value.every((v) => typeof v === 'string' && v !== '')) return (value as string[]).map((name, i) => new Written(name, key, i));
      problem([key], `${tick(key)} must be a list of non-empty strings`);
      return [];
    };

    if (fields === ORGANISATION_FIELDS) {
      const name = string('organisation');
      const workspaces = strings('workspaces');
      if (name !== undefined) organisations.push({ entry, name: name.name, workspaces });
      return;
    }
    const id = string('id', true);
    string('type');
    const email = string('email');
    const keys = strings('keys');
    const role = string('role');
    const listed = strings('roles');
    if (role !== undefined && ownValue(o, 'roles') !== undefined) {
      problem(['roles'], `a user has both \`role\` and \`roles\``, 'write one: `role: x` or `roles: [x, y]`', 'key');
    } else if (role === undefined && listed.length === 0 && ownValue(o, 'role') === undefined && (ownValue(o, 'roles') === undefined || isEmptyList(ownValue(o, 'roles')))) {
      // a `roles` that is not a list is reported as such; an empty one, or none, is no role
      problem(ownValue(o, 'roles') === undefined ? [] : ['roles'], `user ${tick(id?.name ?? String(index + 1))} has no role`, 'give the user `role: <a role of the policy>`');
    }
    const technical = ownValue(o, 'technical');
    if (technical !== undefined && typeof technical !== 'boolean') problem(['technical'], '`technical` must be true or false');
    const attributes = readAttributes(o, problem);
    const user = {
      entry,
      id: id?.name ?? '',
      idWritten: id,
      email,
      keys,
      roles: role !== undefined ? [role] : listed,
      profile: string('profile'),
      groups: strings('groups'),
      reportsTo: string('reportsTo'),
      shift: string('shift'),
      organisations: strings('organisations'),
      workspaces: strings('workspaces'),
      attributes,
    };
    // a user with an id takes part in the other checks: a wrong field is read as absent, reported once
    if (id !== undefined) users.push(user);
  });
  return { users, organisations };
}

function readAttributes(o: object, problem: (path: readonly PathSegment[], message: string, help?: string, part?: 'key' | 'value') => void): UserEntry['attributes'][number][] {
  const value = ownValue(o, 'attributes');
  if (value === undefined) return [];
  if (!isMapping(value)) {
    problem(['attributes'], '`attributes` must be a mapping of attribute names to values');
    return [];
  }
  const out: UserEntry['attributes'][number][] = [];
  for (const name of Object.keys(value)) {
    if (BUILT_IN.has(name)) {
      problem(['attributes', name], `\`attributes\` cannot set ${tick(name)}: it is a field of the user`, `write \`${name}\` beside \`id\`, not under \`attributes\``, 'key');
    } else out.push({ name, path: ['attributes', name], value: ownValue(value, name) });
  }
  return out;
}
