/**
 * Guards for managing the role hierarchy (seed 003, R-Z12): creating a role under a parent (the
 * top role by default), renaming it, moving it under another parent, deleting it once its users
 * and sub-roles are moved. As in Zoho, managing roles is a permission of the actor's profile: a
 * module permission the policy names (`roleManagement: { permission: setup.manage_roles }`),
 * decided by the checker itself, so profiles, administrators and several roles count as they do
 * for any check. The generated module passes the policy's checked hierarchy to
 * {@link defineRoleManagement}. Guards never throw and fail closed: an unknown role or parent,
 * a duplicate name, a cycle, an unreadable count, a value of the wrong type is a denial.
 */
import { describeThrown } from './failure.js';
import { isObject, own } from './own.js';
import type { Decision, Principal, Resource } from './types.js';

/** What the application must do when it carries an allowed operation out. */
export type RoleEffect =
  | { readonly kind: 'move-users'; readonly from: string; readonly to: string }
  | { readonly kind: 'move-sub-roles'; readonly roles: readonly string[]; readonly to: string }
  | { readonly kind: 'rename-in-sharing-rules'; readonly rules: readonly string[]; readonly from: string; readonly to: string };

export type RoleGuardCode = 'allowed' | 'not-allowed' | 'duplicate-name' | 'unknown-role' | 'top-role' | 'cycle' | 'still-assigned' | 'invalid-request' | 'error';

export interface RoleGuardDecision {
  readonly allow: boolean;
  readonly code: RoleGuardCode;
  readonly reason: string;
  readonly effects: readonly RoleEffect[];
}

/** What the application knows when it deletes a role: how many users hold each role. */
export interface RoleState {
  readonly userCounts: { readonly [role: string]: number };
}

/** The policy's hierarchy as generated. */
export interface RoleTreeData {
  /** Every role with the role it reports to (roles without `reportsTo` report to the top role). */
  readonly roles: { readonly [role: string]: { readonly reportsTo: string | undefined; readonly at: string } };
  /** Profiles: their names are taken too (a role cannot be named like a profile). */
  readonly profiles: readonly string[];
  readonly top: string | undefined;
  /** The sharing rules that name each role (R-Z12: renaming a role updates them). */
  readonly sharingRules: { readonly [role: string]: readonly string[] };
  /** The module permission that allows managing roles, and where `roleManagement` is written. */
  readonly permission: { readonly module: string; readonly action: string; readonly at: string };
}

export interface RoleManagement {
  /** Creating the role `name` reporting to `parent` (default: the top role). */
  createRole(actor: Principal, name: string, parent?: string): RoleGuardDecision;
  /** Renaming `role` to `name`; effects: the sharing rules to update. */
  renameRole(actor: Principal, role: string, name: string): RoleGuardDecision;
  /** Making `role` report to `parent`: never under itself or one of its sub-roles. */
  moveRole(actor: Principal, role: string, parent: string): RoleGuardDecision;
  /**
   * Deleting `role`: refused while users or sub-roles hold on to it, unless `transferTo` names
   * the role they move to (effects: `move-users`, `move-sub-roles`).
   */
  deleteRole(actor: Principal, role: string, state: RoleState, transferTo?: string): RoleGuardDecision;
}

const tick = (s: string): string => '`' + s + '`';
/** A role name an administrator may type: 1 to 100 characters, no control characters, not only spaces. */
const validName = (name: unknown): name is string => typeof name === 'string' && name.trim() !== '' && name.length <= 100 && !/[\u0000-\u001f\u007f]/.test(name);

function decision(allow: boolean, code: RoleGuardCode, reason: string, effects: readonly RoleEffect[] = []): RoleGuardDecision {
  return Object.freeze({ allow, code, reason, effects: Object.freeze(effects.map((e) => Object.freeze(e))) });
}

/** A guard that failed at the very edge of the call stack, where describing the failure overflows it again. */
const EXHAUSTED_GUARD = /* @__PURE__ */ decision(false, 'error', 'denied: the guard failed at the edge of the call stack');

/* @__NO_SIDE_EFFECTS__ */
export function defineRoleManagement(data: RoleTreeData, can: (principal: Principal, action: string, resource: Resource) => Decision): RoleManagement {
  const roles = new Map(Object.entries(data.roles));
  // names compare without case and surrounding spaces: `Manager ` and `manager` are one name to people
  const fold = (name: string): string => name.trim().toLowerCase();
  const taken = new Map<string, string>([...data.profiles, ...roles.keys()].map((n) => [fold(n), n]));
  const children = (role: string): string[] => [...roles].filter(([, r]) => r.reportsTo === role).map(([name]) => name);
  /** `role` and every role below it (the policy's hierarchy has no cycles; the set bounds the walk anyway). */
  const below = (role: string): Set<string> => {
    const seen = new Set<string>([role]);
    for (const r of seen) for (const c of children(r)) seen.add(c);
    return seen;
  };
  const record: Resource = Object.freeze({ kind: data.permission.module });
  const permission = `${tick(`${data.permission.module}.${data.permission.action}`)} (${data.permission.at})`;
  const unknown = (role: string, what = 'role'): RoleGuardDecision => decision(false, 'unknown-role', `denied: ${tick(role)} is not a ${what} of this policy`);
  const INVALID_NAME = decision(false, 'invalid-request', 'denied: a role name must be a string of 1 to 100 characters, not blank, without control characters');
  const INVALID_ROLE = decision(false, 'invalid-request', 'denied: a role must be named by a string');

  /** Runs a guard once the actor may manage roles and `names` are strings; never throws. */
  const guard = (actor: Principal, names: readonly unknown[], decide: () => RoleGuardDecision): RoleGuardDecision => {
    try {
      if (!names.every((n) => typeof n === 'string')) return INVALID_ROLE;
      const allowed = can(actor, data.permission.action, record);
      if (!allowed.allow) return decision(false, 'not-allowed', `denied: managing roles needs the permission ${permission}: ${allowed.reason}`);
      return decide();
    } catch (error) {
      try {
        return decision(false, 'error', `denied: the guard failed with ${describeThrown(error)}`);
      } catch {
        return EXHAUSTED_GUARD;
      }
    }
  };
  /** Refuses a name that is not valid or that a role or profile already has (`except`: the role being renamed). */
  const freeName = (name: string, except?: string): RoleGuardDecision | undefined => {
    if (!validName(name)) return INVALID_NAME;
    const holder = taken.get(fold(name));
    if (holder === undefined || holder === except) return undefined;
    return decision(false, 'duplicate-name', `denied: ${tick(holder)} is already the name of a ${roles.has(holder) ? 'role' : 'profile'}; role names are unique (R-Z12)`);
  };
  /** Refuses a parent under which `role` would report to itself. */
  const cycle = (role: string, parent: string): RoleGuardDecision | undefined =>
    below(role).has(parent) ? decision(false, 'cycle', `denied: ${tick(role)} cannot report to ${parent === role ? 'itself' : `${tick(parent)}, one of its own sub-roles`}`) : undefined;

  const management: RoleManagement = {
    createRole: (actor, name, parent) =>
      guard(actor, [name, ...(parent === undefined ? [] : [parent])], () => {
        const boss = parent ?? data.top;
        if (boss === undefined) return decision(false, 'invalid-request', 'denied: name the parent role: the policy has no top role to put a new role under (R-Z12)');
        if (!roles.has(boss)) return unknown(boss, 'parent role');
        return freeName(name) ?? decision(true, 'allowed', `allowed: ${tick(name)} may be created, reporting to ${tick(boss)}${parent === undefined ? ', the top role' : ''} (R-Z12)`);
      }),

    renameRole: (actor, role, name) =>
      guard(actor, [role, name], () => {
        if (!roles.has(role)) return unknown(role);
        const refused = freeName(name, role);
        if (refused !== undefined) return refused;
        const rules = Object.hasOwn(data.sharingRules, role) ? data.sharingRules[role]! : [];
        return decision(true, 'allowed', `allowed: ${tick(role)} may be renamed to ${tick(name)}${rules.length === 0 ? '' : `; the sharing rules ${rules.map(tick).join(', ')} follow it`} (R-Z12)`, rules.length === 0 ? [] : [{ kind: 'rename-in-sharing-rules', rules: Object.freeze([...rules]), from: role, to: name }]);
      }),

    moveRole: (actor, role, parent) =>
      guard(actor, [role, parent], () => {
        if (!roles.has(role)) return unknown(role);
        if (!roles.has(parent)) return unknown(parent, 'parent role');
        if (role === data.top) return decision(false, 'top-role', `denied: ${tick(role)} is the top role: it reports to nobody`);
        return cycle(role, parent) ?? decision(true, 'allowed', `allowed: ${tick(role)} may report to ${tick(parent)}`);
      }),

    deleteRole: (actor, role, state, transferTo) =>
      guard(actor, [role, ...(transferTo === undefined ? [] : [transferTo])], () => {
        if (!roles.has(role)) return unknown(role);
        if (role === data.top) return decision(false, 'top-role', `denied: ${tick(role)} is the top role, which every other role reports to`);
        const counts = isObject(state) ? own(state, 'userCounts') : undefined;
        const users = isObject(counts) ? own(counts, role) : undefined;
        if (typeof users !== 'number' || !Number.isInteger(users) || users < 0) {
          return decision(false, 'invalid-request', `denied: the number of users holding ${tick(role)} (\`state.userCounts\`) is needed to delete it`);
        }
        const subRoles = children(role);
        if (users === 0 && subRoles.length === 0) return decision(true, 'allowed', `allowed: ${tick(role)} may be deleted: no user or sub-role holds on to it`);
        const what = [...(users > 0 ? [`its ${users} user${users === 1 ? '' : 's'}`] : []), ...(subRoles.length > 0 ? [`its sub-role${subRoles.length === 1 ? '' : 's'} ${subRoles.map(tick).join(', ')}`] : [])].join(' and ');
        if (transferTo === undefined) return decision(false, 'still-assigned', `denied: move ${what} to another role before deleting ${tick(role)} (R-Z12)`);
        if (!roles.has(transferTo)) return unknown(transferTo);
        const refused = cycle(role, transferTo);
        if (refused !== undefined) return decision(false, 'cycle', `denied: ${what} cannot move to ${transferTo === role ? tick(role) : `${tick(transferTo)}, which is below ${tick(role)}`}`);
        return decision(true, 'allowed', `allowed: ${tick(role)} may be deleted once ${what} move to ${tick(transferTo)} (R-Z12)`, [
          ...(users > 0 ? [{ kind: 'move-users' as const, from: role, to: transferTo }] : []),
          ...(subRoles.length > 0 ? [{ kind: 'move-sub-roles' as const, roles: Object.freeze(subRoles), to: transferTo }] : []),
        ]);
      }),
  };
  return Object.freeze(management);
}
