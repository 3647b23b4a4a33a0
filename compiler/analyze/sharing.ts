import type { DiagnosticBag } from '../diagnostics/diagnostic.ts';
import { tick } from '../diagnostics/diagnostic.ts';
import { didYouMean } from '../diagnostics/suggest.ts';
import type { GroupModel, PartyModel, ResourceModel, Rule, SharingRuleModel } from '../ir/model.ts';
import type { AttributeNeeds } from './needs.ts';
import { spanOf, type GroupSpec, type Origin, type PartySpec, type ResourceSpec, type SharingRuleSpec, type Where } from './declarations.ts';

/** Reports an unknown role at `path` of `origin`; true when the role exists. */
export type Refer = (origin: Origin, path: readonly (string | number)[], name: string) => boolean;

/**
 * Checks what groups and sharing rules refer to (R-K8, R-Z5, R-Z6, R-Z7): roles, groups,
 * resources, and that the shared resource says whose records are whose.
 */
export function checkSharing(
  groups: ReadonlyMap<string, GroupSpec>,
  sharingRules: ReadonlyMap<string, SharingRuleSpec>,
  resources: ReadonlyMap<string, ResourceSpec>,
  refer: Refer,
  bag: DiagnosticBag,
  needs: AttributeNeeds,
): void {
  for (const group of groups.values()) {
    group.roles.forEach((role, i) => refer(group.origin, ['roles', i], role));
    group.rolesAndSubordinates.forEach((role, i) => refer(group.origin, ['rolesAndSubordinates', i], role));
  }
  for (const rule of sharingRules.values()) {
    const resource = resources.get(rule.resource);
    const at = (path: (string | number)[], part: 'key' | 'value' = 'value') => spanOf(rule.origin, path, part);
    if (resource === undefined || resource.model.kind === 'module') {
      bag.report('UnknownResource', at(['resource']), resource ? `${tick(rule.resource)} is a module: it has no records to share` : `unknown resource ${tick(rule.resource)}`, {
        help: resource ? undefined : didYouMean(rule.resource, [...resources.values()].filter((r) => r.model.kind === 'record').map((r) => r.model.name)),
      });
      continue;
    }
    const { model } = resource;
    needs.need(rule.resource, 'owner', at(['resource']), `sharing rule ${tick(rule.name)} shares records by owner`, '');
    const actions = rule.access === 'read-only' ? model.read : [...model.read, ...model.write];
    if (actions.length === 0) {
      bag.report('UnknownAction', at(['access']), `${tick(rule.resource)} has no ${rule.access === 'read-only' ? 'read' : 'read or write'} actions to share`, {
        help: `list them under \`access\` in ${tick(rule.resource)}, for example \`access: { read: [view] }\``,
      });
    }
    for (const side of ['from', 'to'] as const) {
      const party = rule[side];
      const path = [side, party.kind];
      if (party.kind === 'group') {
        if (!groups.has(party.name)) {
          bag.report('UnknownGroup', at(path), `unknown group ${tick(party.name)}`, { help: didYouMean(party.name, groups.keys()) });
        }
      } else refer(rule.origin, path, party.name);
    }
    // whose records: the owner's role, or the owner's group (the team attribute) or role
    const from = rule.from;
    if (from.kind !== 'group' && model.ownerRole === undefined) {
      bag.report('LevelNeedsAttribute', at(['from', from.kind]), `records owned by a role need the owner's role, but ${tick(rule.resource)} declares no \`ownerRole\` attribute`, {
        help: `add \`ownerRole: <attribute>\` to ${tick(rule.resource)}`,
      });
    }
    if (from.kind === 'group' && groups.has(from.name) && model.ownerRole === undefined && model.team === undefined) {
      bag.report('LevelNeedsAttribute', at(['from', 'group']), `records owned by a group need the owner's team or role, but ${tick(rule.resource)} declares neither \`team\` nor \`ownerRole\``, {
        help: `add \`team: <attribute>\` to ${tick(rule.resource)}`,
      });
    }
  }
}

/** Groups with their member roles resolved: listed roles, and listed roles with every role below them. */
export function buildGroups(groups: ReadonlyMap<string, GroupSpec>, subordinates: ReadonlyMap<string, readonly string[]>, where: Where): GroupModel[] {
  return [...groups.values()]
    .map((g) => ({
      name: g.name,
      description: g.description,
      roles: [...new Set([...g.roles, ...g.rolesAndSubordinates.flatMap((r) => [r, ...(subordinates.get(r) ?? [])])])].sort(),
      source: where(spanOf(g.origin)),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Sharing rules with both sides resolved to roles, the actions they open and the roles that
 * receive them statically (R-Z6: superiors of the receivers only when the rule allows them).
 */
export function buildSharingRules(
  specs: ReadonlyMap<string, SharingRuleSpec>,
  resources: readonly ResourceModel[],
  groups: readonly GroupModel[],
  subordinates: ReadonlyMap<string, readonly string[]>,
  reportsTo: ReadonlyMap<string, string | undefined>,
  addRule: (rule: Omit<Rule, 'id'>) => number,
  where: Where,
): SharingRuleModel[] {
  const party = (p: PartySpec): PartyModel => ({
    kind: p.kind,
    name: p.name,
    roles:
      p.kind === 'role'
        ? [p.name]
        : p.kind === 'roleAndSubordinates'
          ? [p.name, ...(subordinates.get(p.name) ?? [])].sort()
          : (groups.find((g) => g.name === p.name)?.roles ?? []),
  });
  const above = (role: string): string[] => {
    const out: string[] = [];
    for (let at = reportsTo.get(role); at !== undefined && !out.includes(at); at = reportsTo.get(at)) out.push(at);
    return out;
  };
  return [...specs.values()]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((spec) => {
      const resource = resources.find((r) => r.name === spec.resource)!;
      const actions = spec.access === 'read-only' ? resource.read : [...new Set([...resource.read, ...resource.write])];
      const to = party(spec.to);
      const receivers = [...new Set([...to.roles, ...(spec.superiors ? to.roles.flatMap(above) : [])])].sort();
      const source = where(spanOf(spec.origin));
      const rule = addRule({ kind: 'sharing', name: spec.name, role: '*', declaredIn: '*', resource: spec.resource, action: '*', level: 'all', source });
      return {
        name: spec.name,
        description: spec.description,
        resource: spec.resource,
        from: party(spec.from),
        to,
        access: spec.access,
        superiors: spec.superiors,
        actions,
        receivers,
        rule,
        source,
      };
    });
}
