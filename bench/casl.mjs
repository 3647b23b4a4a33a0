// The same leads policy the CASL way (@casl/ability 7): one ability per user, built once and
// cached, with MongoDB-style conditions on the record. CASL has no notion of a missing
// attribute, so it agrees with the others only on complete records, which is what the timed
// requests are (bench/checks.mjs verifies the agreement on every one).
import { AbilityBuilder, createMongoAbility } from '@casl/ability';

/** The roles below each role (reportsTo, at any depth). */
const BELOW = {
  sales_manager: ['team_lead', 'sales_rep', 'senior_rep'],
  team_lead: ['sales_rep', 'senior_rep'],
};

export function abilityFor(user) {
  const { can, build } = new AbilityBuilder(createMongoAbility);
  const groups = user.groups ?? [];
  switch (user.role) {
    case 'admin':
      can('manage', 'lead');
      break;
    case 'sales_manager':
      can('create', 'lead');
      can(['view', 'edit', 'delete'], 'lead', { responsible: user.id });
      can(['view', 'edit'], 'lead', { team: { $in: groups } });
      can(['view', 'edit', 'delete'], 'lead', { responsibleRole: { $in: BELOW.sales_manager } });
      break;
    case 'team_lead':
      can('create', 'lead');
      can(['view', 'edit'], 'lead', { responsible: user.id });
      can(['view', 'edit'], 'lead', { team: { $in: groups } });
      can(['view', 'edit'], 'lead', { responsibleRole: { $in: BELOW.team_lead } });
      break;
    case 'sales_rep':
      can('create', 'lead');
      can(['view', 'edit'], 'lead', { responsible: user.id });
      can(['view', 'edit'], 'lead', { responsibleRole: 'sales_rep' }); // shares with peers
      break;
    case 'senior_rep':
      can('create', 'lead');
      can(['view', 'edit', 'delete', 'export'], 'lead', { responsible: user.id });
      break;
    case 'viewer':
      can('view', 'lead');
      break;
  }
  return build();
}
