/**
 * The directory phase (issue 16): a user directory checked against a checked policy model.
 * Every user must hold names the policy defines (roles — its own or its organisation's —,
 * profiles, groups, shifts, declared `principal:` attributes of the declared type) and
 * organisations and workspaces the directory declares (when it declares any); ids, emails and
 * keys name one user each; `reportsTo` names a user's id, and nobody reports to themselves
 * through a cycle; every organisation keeps a user with the role it must keep (R-O2).
 * Each check is one pass over the users, so 100,000 users take seconds (bench/directory.mjs).
 */
import { tick, type DiagnosticBag, type Related } from '../diagnostics/diagnostic.ts';
import { count } from '../diagnostics/limits.ts';
import { closest } from '../diagnostics/suggest.ts';
import type { PolicyModel } from '../ir/model.ts';
import type { PathSegment } from '../load/load.ts';
import { readEntries, type OrganisationEntry, type UserEntry, type Written } from './entries.ts';
import type { DirectoryText } from './read.ts';
import { reportingCycles } from './reporting.ts';

/** What a check found besides its diagnostics. */
export interface DirectorySummary {
  readonly users: number;
  readonly organisations: number;
}

export function checkDirectory(model: PolicyModel, directory: DirectoryText, bag: DiagnosticBag): DirectorySummary {
  const { users, organisations } = readEntries(directory, bag);
  const at = (user: { entry: UserEntry['entry'] }, written: Written, part: 'key' | 'value' = 'value') => directory.spanOf(user.entry, written.path, part);

  const declared = declaredOrganisations(organisations, directory, bag);
  checkNames(model, users, declared, directory, bag);
  const byKey = uniqueKeys(users, directory, bag);
  checkReportsTo(users, byKey, directory, bag);
  for (const cycle of reportingCycles(users)) {
    const first = cycle[0]!;
    const names = cycle.map((u) => tick(u.id));
    const shown = names.length > 10 ? [...names.slice(0, 10), `… (${count(names.length)} users)`] : [...names, names[0]!];
    bag.report('DirectoryReportingCycle', at(first, first.reportsTo!), `users report to each other in a cycle: ${shown.join(' → ')}`, {
      related: cycle.slice(1, 10).map((u): Related => ({ ...at(u, u.reportsTo!), message: `${tick(u.id)} reports to ${tick(u.reportsTo!.name)}` })),
      help: 'one of them reports to someone outside the cycle, or to nobody',
    });
  }
  checkKeepers(model, users, declared, directory, bag);
  return { users: users.length, organisations: new Set([...declared.keys(), ...users.flatMap((u) => u.organisations.map((o) => o.name))]).size };
}

function declaredOrganisations(organisations: readonly OrganisationEntry[], directory: DirectoryText, bag: DiagnosticBag): Map<string, OrganisationEntry> {
  const declared = new Map<string, OrganisationEntry>();
  for (const o of organisations) {
    const first = declared.get(o.name);
    if (first === undefined) declared.set(o.name, o);
    else {
      bag.report('DirectoryDuplicateKey', directory.spanOf(o.entry, ['organisation']), `organisation ${tick(o.name)} is declared twice`, {
        related: [{ ...directory.spanOf(first.entry, ['organisation']), message: 'first declared here' }],
        help: 'merge the two entries',
      });
    }
  }
  return declared;
}

/** Names a user holds that the policy (or the directory's organisations) do not define. */
function checkNames(model: PolicyModel, users: readonly UserEntry[], declared: ReadonlyMap<string, OrganisationEntry>, directory: DirectoryText, bag: DiagnosticBag): void {
  const roles = new Set([...model.roles.map((r) => r.name), ...(model.organisation?.roles.map((r) => r.name) ?? [])]);
  const profiles = new Set(model.profiles);
  const groups = new Set(model.groups.map((g) => g.name));
  const shifts = new Set(model.shifts.map((s) => s.name));
  const workspacesOf = new Map([...declared].map(([name, o]) => [name, new Set(o.workspaces.map((w) => w.name))]));
  // one suggestion per unknown name: 100,000 users holding one misspelt role cost one search
  const suggestions = new Map<string, string | undefined>();
  const unknown = (user: UserEntry, written: { readonly name: string; readonly path: readonly PathSegment[] }, what: string, known: ReadonlySet<string>, help: string, severity: 'error' | 'warning' = 'error'): void => {
    const key = `${what}\u0000${written.name}`;
    if (!suggestions.has(key)) suggestions.set(key, closest(written.name, known));
    const hit = suggestions.get(key);
    bag.report('DirectoryUnknownName', directory.spanOf(user.entry, written.path), `user ${tick(user.id)} holds the unknown ${what} ${tick(written.name)}`, {
      help: hit !== undefined ? `did you mean \`${hit}\`?` : help,
      severity,
    });
  };
  for (const user of users) {
    for (const role of user.roles) if (!roles.has(role.name)) unknown(user, role, 'role', roles, 'declare it under `roles` (or `organisation.roles`) in the policy');
    if (user.profile !== undefined && !profiles.has(user.profile.name)) unknown(user, user.profile, 'profile', profiles, 'declare it under `profiles` in the policy');
    for (const group of user.groups) if (!groups.has(group.name)) unknown(user, group, 'group', groups, 'declare it under `groups` in the policy');
    if (user.shift !== undefined && !shifts.has(user.shift.name)) unknown(user, user.shift, 'shift', shifts, 'declare it under `shifts` in the policy');
    for (const attribute of user.attributes) {
      const type = model.principalAttributes.get(attribute.name);
      // an attribute no condition reads (a display name, say) is carried along: a warning, in case it is a typo
      if (type === undefined) unknown(user, attribute, 'attribute', new Set(model.principalAttributes.keys()), 'no condition can read it: declare it under `principal:` in the policy if one should', 'warning');
      else if (!ofType(attribute.value, type)) {
        bag.report('DirectoryUserShape', directory.spanOf(user.entry, attribute.path), `attribute ${tick(attribute.name)} of user ${tick(user.id)} must be ${article(type)}`, {
          help: `the policy declares \`${attribute.name}: ${type}\` under \`principal:\``,
        });
      }
    }
    if (declared.size === 0) continue; // organisations and workspaces are checked when the directory declares them
    const reachable = new Set<string>();
    for (const organisation of user.organisations) {
      const workspaces = workspacesOf.get(organisation.name);
      if (workspaces === undefined) unknown(user, organisation, 'organisation', new Set(declared.keys()), 'declare it: `{ organisation: <name>, workspaces: [...] }`');
      else for (const w of workspaces) reachable.add(w);
    }
    for (const workspace of user.workspaces) {
      if (reachable.has(workspace.name)) continue;
      const where = user.organisations.length === 0 ? 'the user belongs to no organisation' : `not a workspace of ${user.organisations.map((o) => tick(o.name)).join(' or ')}`;
      bag.report('DirectoryUnknownName', directory.spanOf(user.entry, workspace.path), `user ${tick(user.id)} holds the unknown workspace ${tick(workspace.name)}: ${where}`, {
        help: closestHelp(workspace.name, reachable) ?? 'list it under the `workspaces` of the user\'s organisation (R-O5)',
      });
    }
  }
}

function closestHelp(name: string, known: ReadonlySet<string>): string | undefined {
  const hit = closest(name, known);
  return hit === undefined ? undefined : `did you mean \`${hit}\`?`;
}

function ofType(value: unknown, type: string): boolean {
  if (type === 'string[]') return Array.isArray(value) && value.every((v) => typeof v === 'string');
  if (type === 'timestamp') return typeof value === 'string' && !Number.isNaN(Date.parse(value));
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value);
  return typeof value === type;
}

const article = (type: string): string => (type === 'string[]' ? 'a list of strings' : type === 'timestamp' ? 'an ISO 8601 timestamp' : `a ${type}`);

/** Each id, email and key names one user (a lookup is never ambiguous): one map entry per name, no copies. */
function uniqueKeys(users: readonly UserEntry[], directory: DirectoryText, bag: DiagnosticBag): ReadonlyMap<string, UserEntry> {
  const byKey = new Map<string, UserEntry>();
  const namesOf = (user: UserEntry): Written[] => [user.idWritten!, ...(user.email === undefined ? [] : [user.email]), ...user.keys];
  const claim = (user: UserEntry, written: Written): void => {
    const other = byKey.get(written.name);
    if (other === undefined) byKey.set(written.name, user);
    else if (other !== user) {
      // the runtime accepts a user listing its own id or email again as a key; another user's is a clash
      const first = namesOf(other).find((w) => w.name === written.name)!;
      bag.report('DirectoryDuplicateKey', directory.spanOf(user.entry, written.path), `${tick(written.name)} names two users: ${tick(other.id)} and ${tick(user.id)}`, {
        related: [{ ...directory.spanOf(other.entry, first.path), message: `the ${first.key} of ${tick(other.id)}` }],
        help: 'an id, email or key must find exactly one user',
      });
    }
  };
  for (const user of users) {
    if (user.idWritten === undefined) continue;
    claim(user, user.idWritten);
    if (user.email !== undefined) claim(user, user.email);
    for (const key of user.keys) claim(user, key);
  }
  return byKey;
}

function checkReportsTo(users: readonly UserEntry[], byKey: ReadonlyMap<string, UserEntry>, directory: DirectoryText, bag: DiagnosticBag): void {
  const ids = new Set(users.map((u) => u.id));
  for (const user of users) {
    const boss = user.reportsTo;
    if (boss === undefined || ids.has(boss.name)) continue;
    const other = byKey.get(boss.name);
    bag.report('DirectoryUnknownManager', directory.spanOf(user.entry, boss.path), `user ${tick(user.id)} reports to ${tick(boss.name)}, which is no user's id`, {
      help: other !== undefined ? `${tick(boss.name)} is an email or key of ${tick(other.id)}: write the id \`${other.id}\`` : 'name the id of the user they report to, or remove `reportsTo`',
    });
  }
}

/** R-O2: every organisation keeps a user holding the policy's `keepOne` role. */
function checkKeepers(model: PolicyModel, users: readonly UserEntry[], declared: ReadonlyMap<string, OrganisationEntry>, directory: DirectoryText, bag: DiagnosticBag): void {
  const keep = model.organisation?.keepOne;
  if (keep === undefined || users.length === 0) return;
  const help = `give at least one of its users the role \`${keep}\`: every organisation keeps one (R-O2)`;
  const anyNamed = declared.size > 0 || users.some((u) => u.organisations.length > 0);
  if (!anyNamed) {
    // a directory naming no organisation is one organisation
    if (!users.some((u) => u.roles.some((r) => r.name === keep))) {
      bag.report('DirectoryNoAdmin', { file: directory.file, start: 0, end: 0 }, `the organisation of this directory has no user with the role ${tick(keep)}`, { help });
    }
    return;
  }
  const kept = new Set<string>();
  const firstNamed = new Map<string, { user: UserEntry; written: Written }>();
  for (const user of users) {
    const keeper = user.roles.some((r) => r.name === keep);
    for (const o of user.organisations) {
      if (keeper) kept.add(o.name);
      if (!firstNamed.has(o.name)) firstNamed.set(o.name, { user, written: o });
    }
  }
  // undeclared organisations are reported as unknown names already: one root cause, one error
  const names = declared.size > 0 ? [...declared.keys()] : [...firstNamed.keys()];
  for (const name of names) {
    if (kept.has(name)) continue;
    const o = declared.get(name);
    const first = firstNamed.get(name);
    const span = o !== undefined ? directory.spanOf(o.entry, ['organisation']) : directory.spanOf(first!.user.entry, first!.written.path);
    bag.report('DirectoryNoAdmin', span, `organisation ${tick(name)} has no user with the role ${tick(keep)}`, { help });
  }
}
