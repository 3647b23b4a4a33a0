// The same leads policy the CASL way: one ability per user, built once and cached.
import { AbilityBuilder, createMongoAbility } from '@casl/ability';

const BELOW = { sales_manager: ['sales_rep', 'team_lead'], team_lead: ['sales_rep'] };

export function abilityFor(p) {
  const { can, build } = new AbilityBuilder(createMongoAbility);
  switch (p.role) {
    case 'admin':
      can('manage', 'lead');
      break;
    case 'sales_manager':
      can('create', 'lead');
      can(['view', 'edit', 'delete'], 'lead', { responsible: p.id });
      can(['view', 'edit'], 'lead', { team: { $in: p.groups ?? [] } });
      can(['view', 'edit', 'delete'], 'lead', { responsibleRole: { $in: BELOW.sales_manager } });
      break;
    case 'team_lead':
      can('create', 'lead');
      can(['view', 'edit'], 'lead', { responsible: p.id });
      can(['view', 'edit'], 'lead', { team: { $in: p.groups ?? [] } });
      can(['view', 'edit'], 'lead', { responsibleRole: { $in: BELOW.team_lead } });
      break;
    case 'sales_rep':
      can('create', 'lead');
      can(['view', 'edit'], 'lead', { responsible: p.id });
      can(['view', 'edit'], 'lead', { responsibleRole: 'sales_rep' });
      break;
    case 'viewer':
      can('view', 'lead');
      break;
  }
  return build();
}
