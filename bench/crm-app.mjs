// The bring-your-own-objects scenario of the check benchmark (issue 17): a CRM-leads application
// whose users are `{ id, role, groupIds }` and whose leads are `{ id, ownerId, groupId, stage }`
// (no `kind`, its own field names). The policy is bench/crm-policy; here are its requests, the same
// rules written by hand as a competent engineer would for speed, and the same rules for CASL
// (abilities built once per user). bench/checks.mjs times the three side by side.
import { AbilityBuilder, createMongoAbility } from '@casl/ability';
import { prng } from './lib.mjs';

const USERS = 80;
const LEADS = 2_000;
const REQUESTS = 100_000;
const ROLES = ['admin', 'manager', 'manager', 'rep', 'rep', 'rep', 'rep', 'rep', 'rep', 'viewer'];
const ACTIONS = ['create', 'view', 'edit', 'delete', 'export'];
const GROUPS = ['north', 'south', 'east', 'west'];
const STAGES = ['new', 'qualified', 'proposal', 'won', 'lost'];

/** 100,000 requests by 80 users on 2,000 leads; a quarter on one of the user's own leads. */
export function crmRequests() {
  const rnd = prng(20261205);
  const users = Array.from({ length: USERS }, (_, i) => {
    const first = GROUPS[rnd(GROUPS.length)];
    const groupIds = rnd(5) === 0 ? [] : rnd(3) === 0 ? [first, GROUPS[(GROUPS.indexOf(first) + 1) % GROUPS.length]] : [first];
    return { id: `u${i}`, role: ROLES[rnd(ROLES.length)], groupIds };
  });
  const leads = Array.from({ length: LEADS }, (_, i) => ({ id: `l${i}`, ownerId: users[rnd(USERS)].id, groupId: GROUPS[rnd(GROUPS.length)], stage: STAGES[rnd(STAGES.length)] }));
  const leadsOf = new Map(users.map((u) => [u.id, leads.filter((l) => l.ownerId === u.id)]));
  const reqs = { principal: [], action: [], record: [] };
  for (let i = 0; i < REQUESTS; i++) {
    const user = users[rnd(USERS)];
    const own = leadsOf.get(user.id);
    reqs.principal.push(user);
    reqs.action.push(ACTIONS[rnd(ACTIONS.length)]);
    reqs.record.push(rnd(4) === 0 && own.length > 0 ? own[rnd(own.length)] : leads[rnd(LEADS)]);
  }
  return { users, leads, reqs };
}

const decision = (allow, code) => Object.freeze({ allow, code, reason: code, rule: undefined });
const ADMIN = decision(true, 'admin');
const ALL = decision(true, 'all');
const OWN = decision(true, 'own');
const TEAM = decision(true, 'team');
const DENIED = decision(false, 'denied');
const NOT_REACHED = decision(false, 'not-reached');
const MISSING = decision(false, 'missing-attribute');
const CONDITION = decision(false, 'condition');
const INVALID = decision(false, 'invalid-request');
const UNKNOWN_ROLE = decision(false, 'unknown-role');
const UNKNOWN_ACTION = decision(false, 'unknown-action');
const ERROR = decision(false, 'error');

/** yellow: the user's own leads. */
function own(user, lead) {
  const owner = lead.ownerId;
  if (typeof owner !== 'string') return MISSING;
  return owner === user.id ? OWN : NOT_REACHED;
}

/** blue: own, or a lead of one of the user's groups. */
function team(user, lead) {
  const owner = lead.ownerId;
  if (typeof owner !== 'string') return MISSING;
  if (owner === user.id) return OWN;
  const group = lead.groupId;
  if (typeof group !== 'string') return MISSING;
  const groups = user.groupIds;
  if (groups !== undefined) {
    if (!Array.isArray(groups)) return INVALID;
    if (groups.includes(group)) return TEAM;
  }
  return NOT_REACHED;
}

function byRole(user, action, lead) {
  switch (user.role) {
    case 'admin':
      return ACTIONS.includes(action) ? ADMIN : UNKNOWN_ACTION;
    case 'manager':
      switch (action) {
        case 'create': case 'export': return ALL;
        case 'view': case 'edit': return team(user, lead);
        case 'delete': return own(user, lead);
        default: return UNKNOWN_ACTION;
      }
    case 'rep':
      switch (action) {
        case 'create': return ALL;
        case 'view': return team(user, lead);
        case 'edit': {
          // a won lead stays as it was won; a lead without a stage cannot be told apart
          const stage = lead.stage;
          if (typeof stage !== 'string') return CONDITION;
          return stage === 'won' ? DENIED : own(user, lead);
        }
        case 'delete': case 'export': return DENIED;
        default: return UNKNOWN_ACTION;
      }
    case 'viewer':
      switch (action) {
        case 'view': return ALL;
        case 'create': case 'edit': case 'delete': case 'export': return DENIED;
        default: return UNKNOWN_ACTION;
      }
    default:
      return UNKNOWN_ROLE;
  }
}

/** The lead rules by hand, on the application's own objects. */
export function canLeadByHand(user, action, lead) {
  if (typeof user !== 'object' || user === null || typeof user.id !== 'string' || typeof user.role !== 'string') return INVALID;
  if (typeof lead !== 'object' || lead === null) return INVALID;
  try {
    return byRole(user, action, lead);
  } catch {
    return ERROR;
  }
}

/**
 * The same rules for CASL: one ability per user, MongoDB-style conditions on the lead. Every
 * object it is asked about is a lead (`detectSubjectType`), so the application's objects are
 * passed as they are, as to the other two.
 */
export function crmAbilityFor(user) {
  const { can, cannot, build } = new AbilityBuilder(createMongoAbility);
  switch (user.role) {
    case 'admin':
      can('manage', 'Lead');
      break;
    case 'manager':
      can(['create', 'export'], 'Lead');
      can(['view', 'edit', 'delete'], 'Lead', { ownerId: user.id });
      can(['view', 'edit'], 'Lead', { groupId: { $in: user.groupIds } });
      break;
    case 'rep':
      can('create', 'Lead');
      can(['view', 'edit'], 'Lead', { ownerId: user.id });
      can('view', 'Lead', { groupId: { $in: user.groupIds } });
      cannot('edit', 'Lead', { stage: 'won' });
      break;
    case 'viewer':
      can('view', 'Lead');
      break;
  }
  return build({ detectSubjectType: () => 'Lead' });
}
