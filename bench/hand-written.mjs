// The leads policy of bench/leads-policy written by hand, as a competent engineer would for
// speed: a switch on action then role, preallocated frozen decisions of the same shape as the
// generated checker's ({ allow, code, reason, rule }), and the same fail-closed rules (a
// malformed principal or record, a missing attribute, an unknown kind/action/role all deny).
// The lower bound of the check benchmark. Its `code`s match the generated checker's exactly
// (bench/checks.mjs verifies it); its `reason`s are shorter and it names no rule.
const decision = (allow, code) => Object.freeze({ allow, code, reason: code, rule: undefined });
const ADMIN = decision(true, 'admin');
const ALL = decision(true, 'all');
const OWN = decision(true, 'own');
const TEAM = decision(true, 'team');
const HIERARCHY = decision(true, 'hierarchy');
const PEER = decision(true, 'peer');
const DENIED = decision(false, 'denied');
const NOT_REACHED = decision(false, 'not-reached');
const MISSING = decision(false, 'missing-attribute');
const INVALID = decision(false, 'invalid-request');
const UNKNOWN_ROLE = decision(false, 'unknown-role');
const UNKNOWN_ACTION = decision(false, 'unknown-action');
const UNKNOWN_RESOURCE = decision(false, 'unknown-resource');
const ERROR = decision(false, 'error');

/** yellow for sales_manager: own, or owned by a role below. */
function ownOrBelowManager(p, r) {
  const owner = r.responsible;
  if (typeof owner !== 'string') return MISSING;
  if (owner === p.id) return OWN;
  const ownerRole = r.responsibleRole;
  if (typeof ownerRole !== 'string') return MISSING;
  if (ownerRole === 'team_lead' || ownerRole === 'sales_rep' || ownerRole === 'senior_rep') return HIERARCHY;
  return NOT_REACHED;
}

/** yellow for sales_rep: own, or owned by another sales_rep (shares with peers). */
function ownOrPeer(p, r) {
  const owner = r.responsible;
  if (typeof owner !== 'string') return MISSING;
  if (owner === p.id) return OWN;
  const ownerRole = r.responsibleRole;
  if (typeof ownerRole !== 'string') return MISSING;
  if (ownerRole === 'sales_rep') return PEER;
  return NOT_REACHED;
}

/** yellow for senior_rep: own only (no role below, no peers). */
function own(p, r) {
  const owner = r.responsible;
  if (typeof owner !== 'string') return MISSING;
  return owner === p.id ? OWN : NOT_REACHED;
}

/** blue: own, the team is one of the principal's groups, or owned by a role below. */
function team(p, r, manager) {
  const owner = r.responsible;
  if (typeof owner !== 'string') return MISSING;
  if (owner === p.id) return OWN;
  const t = r.team;
  if (typeof t !== 'string') return MISSING;
  const groups = p.groups;
  if (groups !== undefined) {
    if (!Array.isArray(groups)) return INVALID;
    if (groups.includes(t)) return TEAM;
  }
  const ownerRole = r.responsibleRole;
  if (typeof ownerRole !== 'string') return MISSING;
  if (ownerRole === 'sales_rep' || ownerRole === 'senior_rep' || (manager && ownerRole === 'team_lead')) return HIERARCHY;
  return NOT_REACHED;
}

function view(p, r, edit) {
  switch (p.role) {
    case 'admin': return ADMIN;
    case 'sales_manager': return team(p, r, true);
    case 'team_lead': return team(p, r, false);
    case 'sales_rep': return ownOrPeer(p, r);
    case 'senior_rep': return own(p, r);
    case 'viewer': return edit ? DENIED : ALL;
    default: return UNKNOWN_ROLE;
  }
}

function lead(p, action, r) {
  switch (action) {
    case 'view': return view(p, r, false);
    case 'edit': return view(p, r, true);
    case 'create':
      switch (p.role) {
        case 'admin': return ADMIN;
        case 'sales_manager': case 'team_lead': case 'sales_rep': case 'senior_rep': return ALL;
        case 'viewer': return DENIED;
        default: return UNKNOWN_ROLE;
      }
    case 'delete':
      switch (p.role) {
        case 'admin': return ADMIN;
        case 'sales_manager': return ownOrBelowManager(p, r);
        case 'senior_rep': return own(p, r);
        case 'team_lead': case 'sales_rep': case 'viewer': return DENIED;
        default: return UNKNOWN_ROLE;
      }
    case 'export':
      switch (p.role) {
        case 'admin': return ADMIN;
        case 'senior_rep': return own(p, r);
        case 'sales_manager': case 'team_lead': case 'sales_rep': case 'viewer': return DENIED;
        default: return UNKNOWN_ROLE;
      }
    default: return UNKNOWN_ACTION;
  }
}

export function canLead(p, action, r) {
  if (typeof p !== 'object' || p === null || typeof p.id !== 'string' || typeof p.role !== 'string') return INVALID;
  if (typeof r !== 'object' || r === null || typeof r.kind !== 'string') return INVALID;
  if (r.kind !== 'lead') return UNKNOWN_RESOURCE;
  try {
    return lead(p, action, r);
  } catch {
    return ERROR; // a throwing getter on the record: fail closed
  }
}
