// The leads policy of bench/leads-policy written by hand, as a competent engineer would for
// speed: switches on role and action, preallocated frozen decisions of the same shape as the
// generated checker's, and the same fail-closed rules. The lower bound for the benchmark.
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
const UNKNOWN = decision(false, 'unknown');

function own(p, r, below, peer) {
  const owner = r.responsible;
  if (typeof owner !== 'string') return MISSING;
  if (owner === p.id) return OWN;
  const ownerRole = r.responsibleRole;
  if (typeof ownerRole !== 'string') return MISSING;
  if (below !== undefined && below.includes(ownerRole)) return HIERARCHY;
  if (ownerRole === peer) return PEER;
  return NOT_REACHED;
}

function team(p, r, below) {
  const owner = r.responsible;
  if (typeof owner !== 'string') return MISSING;
  if (owner === p.id) return OWN;
  const t = r.team;
  if (typeof t !== 'string') return MISSING;
  const groups = p.groups;
  if (groups !== undefined && !Array.isArray(groups)) return INVALID;
  if (groups !== undefined && groups.includes(t)) return TEAM;
  const ownerRole = r.responsibleRole;
  if (typeof ownerRole !== 'string') return MISSING;
  if (below.includes(ownerRole)) return HIERARCHY;
  return NOT_REACHED;
}

const BELOW_MANAGER = ['sales_rep', 'team_lead'];
const BELOW_TEAM_LEAD = ['sales_rep'];

export function canLead(p, action, r) {
  if (typeof p !== 'object' || p === null || typeof p.id !== 'string' || typeof p.role !== 'string') return INVALID;
  if (typeof r !== 'object' || r === null || typeof r.kind !== 'string') return INVALID;
  if (r.kind !== 'lead') return UNKNOWN;
  try {
    switch (p.role) {
      case 'admin':
        return ADMIN;
      case 'sales_manager':
        switch (action) {
          case 'create': return ALL;
          case 'view': case 'edit': return team(p, r, BELOW_MANAGER);
          case 'delete': return own(p, r, BELOW_MANAGER, undefined);
          case 'export': return DENIED;
        }
        return UNKNOWN;
      case 'team_lead':
        switch (action) {
          case 'create': return ALL;
          case 'view': case 'edit': return team(p, r, BELOW_TEAM_LEAD);
          case 'delete': case 'export': return DENIED;
        }
        return UNKNOWN;
      case 'sales_rep':
        switch (action) {
          case 'create': return ALL;
          case 'view': case 'edit': return own(p, r, undefined, 'sales_rep');
          case 'delete': case 'export': return DENIED;
        }
        return UNKNOWN;
      case 'viewer':
        switch (action) {
          case 'view': return ALL;
          case 'create': case 'edit': case 'delete': case 'export': return DENIED;
        }
        return UNKNOWN;
    }
    return UNKNOWN;
  } catch {
    return INVALID;
  }
}
