/**
 * Guards for user management in an organisation (seed 004): adding and deleting users,
 * changing roles, assigning workspaces. The generated module passes its checked organisation
 * table to {@link defineOrganisation}; every guard returns a decision with a reason, and the
 * effects the application must apply. Guards never throw and fail closed: members, states and
 * lists are read by the own-data rule (own.ts), and a read that throws is a denial (`error`).
 */
import { describeThrown } from './failure.js';
import { membershipProblem } from './membership.js';
import { isObject, listIncludes, own, ownElements } from './own.js';

/** A member of the organisation, as the application knows them. */
export interface Member {
  readonly id: string;
  /** The member's organisation role (one per organisation: R-Z13). */
  readonly role: string;
  /** Workspaces assigned to the member. */
  readonly workspaces?: readonly string[];
  /** A partner's technical user: decides exactly like its role; shown in reasons (R-K11). */
  readonly technical?: boolean;
  /** The organisation(s) the member belongs to (R-Z13): with `state.organisation`, it must be among them. */
  readonly organisation?: string;
  readonly organisations?: readonly string[];
}

/** Which organisation a request is about (R-Z13): members who name theirs must belong to it. */
export interface OrganisationScope {
  readonly organisation?: string;
}

/** What the application knows of the organisation when it asks: users per role. */
export interface OrganisationState extends OrganisationScope {
  readonly roleCounts: { readonly [role: string]: number };
  /** The organisation's workspaces: a workspace not among them is never assigned nor reached (R-O5). */
  readonly workspaces?: readonly string[];
}

export interface Effect {
  readonly kind: 'revoke-workspace-access' | 'unassign-contacts';
  readonly user: string;
}

/** What {@link Organisation.seat} answers (R-K11); `undefined` fields for a malformed member or an unknown role. */
export interface Seat {
  /** The role the member is shown with: a technical user is shown as its role, never as "technical". */
  readonly shownAs: string | undefined;
  /** Flagged internally as a partner's technical user. */
  readonly technical: boolean;
  /** Whether the seat counts for billing: a technical user's does not; an invalid member's is not billed either. */
  readonly billed: boolean;
  readonly reason: string;
}

export type GuardCode =
  | 'allowed' | 'not-allowed' | 'self' | 'last-keeper' | 'too-many-workspaces' | 'unknown-workspace' | 'unknown-role'
  | 'other-organisation' | 'unknown-organisation' | 'invalid-request' | 'error';

export interface GuardDecision {
  readonly allow: boolean;
  readonly code: GuardCode;
  readonly reason: string;
  /** What the application must do when it carries the operation out. */
  readonly effects: readonly Effect[];
}

/** An organisation role as generated: capabilities, managed roles, workspaces, source position. */
export interface OrganisationRoleData {
  readonly capabilities: readonly string[];
  readonly manages: readonly string[];
  readonly assignsWorkspaces: boolean;
  readonly workspaces: 'all' | 'assigned';
  readonly at: string;
}

export interface OrganisationData {
  readonly roles: { readonly [role: string]: OrganisationRoleData };
  readonly keepOne: string;
  readonly maxWorkspacesPerStep: number | undefined;
}

export interface Organisation {
  /** Whether the member's role holds `capability` (R-O1); `scope`: the organisation asked about (R-Z13). */
  has(member: Member, capability: string, scope?: OrganisationScope): GuardDecision;
  /** Adding a user with `role` (R-O3); `scope`: the organisation the user is added to (R-Z13). */
  addUser(actor: Member, role: string, scope?: OrganisationScope): GuardDecision;
  /** Deleting `target`: never oneself (R-O4), never the last keeper (R-O2); effects per R-O6. */
  deleteUser(actor: Member, target: Member, state: OrganisationState): GuardDecision;
  /** Giving `target` the role `role` (R-O3, R-O2). */
  changeRole(actor: Member, target: Member, role: string, state: OrganisationState): GuardDecision;
  /** Assigning `workspaces` to `target` in one step (R-O5): only workspaces of the organisation (`state.workspaces`, required). */
  assignWorkspaces(actor: Member, target: Member, workspaces: readonly string[], state: OrganisationState): GuardDecision;
  /**
   * How a member is shown and whether their seat is billed (R-K11): a partner's technical user
   * looks like a user of its role (an admin like an admin) and is not charged for.
   */
  seat(member: Member): Seat;
  /** Whether the member reaches `workspace`: every one, or only those assigned (R-O5); with `state.workspaces`, never one the organisation lacks. */
  reachesWorkspace(member: Member, workspace: string, state?: OrganisationState): GuardDecision;
}

const tick = (s: string): string => '`' + s + '`';

function decision(allow: boolean, code: GuardCode, reason: string, effects: readonly Effect[] = []): GuardDecision {
  return Object.freeze({ allow, code, reason, effects: Object.freeze([...effects]) });
}

const isMember = (m: unknown): m is Member => isObject(m) && typeof own(m, 'id') === 'string' && typeof own(m, 'role') === 'string';

const INVALID_MEMBER = decision(false, 'invalid-request', 'denied: a member must be an object with a string `id` and `role`');
const INVALID_VALUE = decision(false, 'invalid-request', 'denied: a capability, role or workspace must be a string');
/** The seat of a member that could not be read at the very edge of the call stack (not billed, as any unreadable member). */
const UNREADABLE_SEAT: Seat = Object.freeze({ shownAs: undefined, technical: false, billed: false, reason: 'the member could not be read (the call stack is exhausted)' });
/** A guard that failed at the very edge of the call stack, where describing the failure overflows it again. */
const EXHAUSTED_GUARD = /* @__PURE__ */ decision(false, 'error', 'denied: the guard failed at the edge of the call stack');

/* @__NO_SIDE_EFFECTS__ */
export function defineOrganisation(data: OrganisationData): Organisation {
  const roleOf = (name: string): OrganisationRoleData | undefined => (Object.hasOwn(data.roles, name) ? data.roles[name] : undefined);
  const who = (m: Member): string => `${tick(m.role)}${own(m, 'technical') === true ? ' (technical user)' : ''}`;
  /** Users of `role` in the state; anything unreadable counts as none (so the last keeper stays). */
  const count = (state: OrganisationState, role: string): number => {
    const counts = isObject(state) ? own(state, 'roleCounts') : undefined;
    const n = isObject(counts) ? own(counts, role) : undefined;
    return typeof n === 'number' && Number.isFinite(n) ? n : 0;
  };

  /**
   * Runs a guard on valid members with known roles and string `values`; anything else is a
   * denial, never an exception. Once `isMember` holds, `m.id` and `m.role` are the member's own.
   */
  const guard = (members: readonly unknown[], roles: readonly unknown[], values: readonly unknown[], decide: () => GuardDecision, state?: unknown): GuardDecision => {
    try {
      if (!members.every(isMember)) return INVALID_MEMBER;
      if (!values.every((v) => typeof v === 'string')) return INVALID_VALUE;
      // R-Z13, fail closed: the members must belong to the organisation the request is about
      const outside = membershipProblem(members as Member[], state);
      if (outside !== undefined) return decision(false, outside.code, outside.reason);
      const unknown = [...members.map((m) => (m as Member).role), ...roles].find((r) => typeof r !== 'string' || roleOf(r) === undefined);
      if (unknown !== undefined) return decision(false, 'unknown-role', typeof unknown === 'string' ? `denied: ${tick(unknown)} is not an organisation role of this policy` : 'denied: a role must be a string');
      return decide();
    } catch (error) {
      try {
        return decision(false, 'error', `denied: the guard failed with ${describeThrown(error)}`);
      } catch {
        return EXHAUSTED_GUARD;
      }
    }
  };

  /** Refuses unless the actor's role manages every one of `roles`; `what` says the operation. */
  const manages = (actor: Member, roles: readonly string[], what: string): GuardDecision | undefined => {
    const mine = roleOf(actor.role)!;
    if (roles.every((r) => mine.manages.includes(r))) return undefined;
    const managed = mine.manages.length > 0 ? mine.manages.map(tick).join(', ') : 'no role';
    return decision(false, 'not-allowed', `denied: ${who(actor)} may not ${what}: it manages ${managed} (${mine.at})`);
  };

  const lastKeeper = (target: Member, state: OrganisationState, what: string): GuardDecision | undefined => {
    if (target.role !== data.keepOne || count(state, data.keepOne) > 1) return undefined;
    return decision(false, 'last-keeper', `denied: ${what} the last ${tick(data.keepOne)}: every organisation keeps at least one`);
  };

  /**
   * R-O5, fail closed: the first of `workspaces` the organisation does not have (`state.workspaces`),
   * `null` when `state` lists none (then nothing is known to exist), `undefined` when all are its.
   */
  const unknownWorkspace = (state: OrganisationState | undefined, workspaces: readonly string[]): string | null | undefined => {
    const known = isObject(state) ? own(state, 'workspaces') : undefined;
    if (!Array.isArray(known)) return null;
    return workspaces.find((w) => !listIncludes(known, w));
  };
  const NO_WORKSPACES = decision(false, 'invalid-request', "denied: the organisation's workspaces (`state.workspaces`) are needed to assign workspaces (R-O5)");
  const notOurs = (workspace: string): GuardDecision => decision(false, 'unknown-workspace', `denied: the organisation has no workspace ${tick(workspace)} (R-O5)`);

  const organisation: Organisation = {
    has: (member, capability, scope) =>
      guard([member], [], [capability], () => {
        const mine = roleOf(member.role)!;
        return mine.capabilities.includes(capability)
          ? decision(true, 'allowed', `allowed: ${who(member)} holds ${tick(capability)} (${mine.at})`)
          : decision(false, 'not-allowed', `denied: ${who(member)} does not hold ${tick(capability)} (${mine.at})`);
      }, scope),

    addUser: (actor, role, scope) =>
      guard([actor], [role], [], () => manages(actor, [role], `add ${tick(role)} users`) ?? decision(true, 'allowed', `allowed: ${who(actor)} may add ${tick(role)} users`), scope),

    deleteUser: (actor, target, state) =>
      guard([actor, target], [], [], () => {
        if (actor.id === target.id) return decision(false, 'self', 'denied: nobody deletes themselves; another authorised user must do it');
        return (
          manages(actor, [target.role], `delete ${tick(target.role)} users`) ??
          lastKeeper(target, state, 'deleting') ??
          decision(true, 'allowed', `allowed: ${who(actor)} may delete ${tick(target.role)} users`, [
            { kind: 'revoke-workspace-access', user: target.id },
            { kind: 'unassign-contacts', user: target.id },
          ])
        );
      }, state),

    changeRole: (actor, target, role, state) =>
      guard([actor, target], [role], [], () => {
        if (target.role === role) return decision(true, 'allowed', `allowed: ${tick(target.id)} already has the role ${tick(role)}`);
        return (
          manages(actor, [target.role, role], `change ${tick(target.role)} users to ${tick(role)}`) ??
          (role !== data.keepOne ? lastKeeper(target, state, 'demoting') : undefined) ??
          decision(true, 'allowed', `allowed: ${who(actor)} may change ${tick(target.role)} users to ${tick(role)}`)
        );
      }, state),

    assignWorkspaces: (actor, target, workspaces, state) =>
      guard([actor, target], [], [], () => {
        const mine = roleOf(actor.role)!;
        const max = data.maxWorkspacesPerStep;
        // the length first: a huge list is refused without reading it; a hole is not a workspace
        if (!Array.isArray(workspaces) || ((max === undefined || workspaces.length <= max) && !everyString(workspaces))) {
          return decision(false, 'invalid-request', 'denied: workspaces must be a list of strings');
        }
        if (!mine.assignsWorkspaces) return decision(false, 'not-allowed', `denied: ${who(actor)} may not assign workspaces (${mine.at})`);
        if (max !== undefined && workspaces.length > max) {
          return decision(false, 'too-many-workspaces', `denied: at most ${max} workspaces are assigned in one step (${workspaces.length} asked); assign the rest from each workspace`);
        }
        const unknown = unknownWorkspace(state, workspaces);
        if (unknown === null) return NO_WORKSPACES;
        if (unknown !== undefined) return notOurs(unknown);
        return decision(true, 'allowed', `allowed: ${who(actor)} may assign workspaces to ${tick(target.role)} users`);
      }, state),

    seat: (member) => {
      try {
        if (!isMember(member) || roleOf(member.role) === undefined) {
          return Object.freeze({ shownAs: undefined, technical: false, billed: false, reason: 'not a member: an object with a string `id` and an organisation role of this policy' });
        }
        const technical = own(member, 'technical') === true;
        return Object.freeze({
          shownAs: member.role,
          technical,
          billed: !technical,
          reason: technical ? `a partner's technical user, shown as ${tick(member.role)} and not billed (R-K11)` : `a ${tick(member.role)} user, billed`,
        });
      } catch (error) {
        try {
          return Object.freeze({ shownAs: undefined, technical: false, billed: false, reason: `the member could not be read: ${describeThrown(error)}` });
        } catch {
          return UNREADABLE_SEAT;
        }
      }
    },

    reachesWorkspace: (member, workspace, state) =>
      guard([member], [], [workspace], () => {
        const mine = roleOf(member.role)!;
        if (state !== undefined && unknownWorkspace(state, [workspace]) !== undefined) return notOurs(workspace);
        if (mine.workspaces === 'all') return decision(true, 'allowed', `allowed: ${who(member)} reaches every workspace (${mine.at})`);
        const workspaces = own(member, 'workspaces');
        const assigned = Array.isArray(workspaces) && listIncludes(workspaces, workspace);
        return assigned
          ? decision(true, 'allowed', `allowed: ${tick(workspace)} is assigned to the member`)
          : decision(false, 'not-allowed', `denied: ${who(member)} reaches only assigned workspaces, and ${tick(workspace)} is not one`);
      }, state),
  };
  return Object.freeze(organisation);
}

/** A list whose every element is its own and a string (no holes). */
function everyString(list: readonly unknown[]): boolean {
  const elements = ownElements(list);
  return elements.length === list.length && elements.every((w) => typeof w === 'string');
}
