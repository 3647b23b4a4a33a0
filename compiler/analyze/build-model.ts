/**
 * The policy model of checked declarations: every role's effective cell for each resource ×
 * action, the hierarchy closure and the rules that decisions name.
 */
import type { DiagnosticBag } from '../diagnostics/diagnostic.ts';
import { tick } from '../diagnostics/diagnostic.ts';
import type { LoadedSet } from '../load/load.ts';
import { LEVELS, LEVEL_OF_WORD, type ConditionModel, type Level, type PolicyModel, type ResourceModel, type RoleModel, type Rule, type SourceRef } from '../ir/model.ts';
import { principalFields } from './principal.ts';
import { spanOf, type Declarations, type ResourceSpec, type RoleSpec, type Where } from './declarations.ts';
import { subordinatesOf } from './hierarchy.ts';
import { buildGroups, buildSharingRules } from './sharing.ts';
import { conditions } from './conditions.ts';
import { requirementOf } from './requires.ts';

/** A level with the place it is written and the role it is written in. */
interface Written {
  readonly level: Level;
  readonly declaredIn: string;
  readonly source: SourceRef;
  /** A conditional grant's `when` and `duringShift`, with the resource it is written for. */
  readonly condition?: { readonly when: string | undefined; readonly duringShift: boolean };
}

export function buildModel(
  set: LoadedSet,
  declarations: Declarations,
  reportsTo: ReadonlyMap<string, string | undefined>,
  where: Where,
  bag: DiagnosticBag,
): Omit<PolicyModel, 'fields' | 'roleManagement'> {
  const { resources, roles, profiles } = declarations;
  const rules: Rule[] = [];
  const addRule = (rule: Omit<Rule, 'id'>): number => {
    rules.push({ ...rule, id: rules.length });
    return rules.length - 1;
  };
  const conds = conditions(declarations, where, set.files);
  const resourceModels: ResourceModel[] = [...resources.values()]
    .map((r): ResourceModel => {
      const { model, subscribers, parent } = r;
      const source = where(spanOf(r.origin));
      const ruleAt = (kind: 'subscribers' | 'parent'): number =>
        addRule({ kind, role: '*', declaredIn: '*', resource: model.name, action: '*', level: 'all', source: where(spanOf(r.origin, [kind])) });
      return {
        ...model,
        source,
        subscribers: subscribers && { ...subscribers, rule: ruleAt('subscribers') },
        parent: parent && {
          attribute: parent.attribute,
          resources: parent.resources,
          // an action listed as read needs read access; else write; unlisted: `view` reads, the rest write
          needs: new Map(
            model.actions.map((action) => [
              action,
              parent.read?.includes(action) || (parent.read === undefined && !parent.write?.includes(action) && action === 'view') ? 'read' : 'write',
            ]),
          ),
          rule: ruleAt('parent'),
        },
        requires: requirementOf(r, where, (text) => conds.when(text, r)),
      };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const roleNames = [...roles.keys()].sort();
  const subordinates = subordinatesOf(reportsTo);
  const specOf = (name: string): RoleSpec => (roles.get(name) ?? profiles.get(name))!;
  /** Where a role's grants come from besides its own: its profile (R-Z2), then the roles it extends. */
  const parentsOf = (role: RoleSpec): string[] => [...(role.profile !== undefined ? [role.profile] : []), ...role.extends];

  /** The level a role itself writes for a cell, if any: action entry, then '*', then whole resource. */
  const explicit = (role: RoleSpec, resource: string, action: string): Written | undefined => {
    const grant = role.grants.get(resource);
    if (grant === undefined) return undefined;
    const at = (path: (string | number)[]) => where(spanOf(role.origin, ['grants', resource, ...path], 'value'));
    if (typeof grant === 'string') return { level: LEVEL_OF_WORD.get(grant)!, declaredIn: role.name, source: at([]) };
    if (Array.isArray(grant)) {
      const i = grant.indexOf(action);
      return i < 0 ? undefined : { level: 'all', declaredIn: role.name, source: at([i]) };
    }
    const map = grant as ReadonlyMap<string, string>;
    const word = map.get(action) ?? map.get('*');
    if (word === undefined) return undefined;
    const key = map.has(action) ? action : '*';
    const condition = role.conditions.get(resource)?.get(key);
    if (condition === undefined) return { level: LEVEL_OF_WORD.get(word)!, declaredIn: role.name, source: at([key]) };
    return { level: LEVEL_OF_WORD.get(word)!, declaredIn: role.name, source: at([key, 'level']), condition };
  };

  const memo = new Map<string, Written | undefined>();
  /** Own grant, else the widest of the parents' (ties: first listed), else nothing. */
  // `parents` given: a role whose users carry another profile than its own (R-Z2), not memoized
  const effective = (role: RoleSpec, resource: string, action: string, parents?: readonly string[]): Written | undefined => {
    const key = parents === undefined ? `${role.name}\u0000${resource}\u0000${action}` : undefined;
    if (key !== undefined && memo.has(key)) return memo.get(key);
    let found = explicit(role, resource, action);
    if (found === undefined) {
      for (const parent of parents ?? parentsOf(role)) {
        const inherited = effective(specOf(parent), resource, action);
        if (inherited && (found === undefined || LEVELS.indexOf(inherited.level) > LEVELS.indexOf(found.level))) found = inherited;
      }
    }
    if (key !== undefined) memo.set(key, found);
    return found;
  };
  /**
   * The stage or pipeline rule (R-K5) for records whose attribute is `value`, for `action`, that
   * applies to `role`: its own, else the widest of its parents' (ties: first listed) — inherited
   * as grants are.
   */
  // memoized like `effective`: roles that extend several roles share ancestors, and without a
  // memo a lattice of 40 roles each extending the two before it takes 2^40 steps (issue 14)
  const overrideMemo = new Map<string, Written | undefined>();
  const overrideRule = (role: RoleSpec, key: 'stages' | 'pipelines', resource: string, value: string, action: string, parents?: readonly string[]): Written | undefined => {
    if (parents !== undefined) return overrideRuleOf(role, key, resource, value, action, parents);
    const memoKey = `${role.name}\u0000${key}\u0000${resource}\u0000${value}\u0000${action}`;
    if (overrideMemo.has(memoKey)) return overrideMemo.get(memoKey);
    const found = overrideRuleOf(role, key, resource, value, action, parentsOf(role));
    overrideMemo.set(memoKey, found);
    return found;
  };
  const overrideRuleOf = (role: RoleSpec, key: 'stages' | 'pipelines', resource: string, value: string, action: string, parents: readonly string[]): Written | undefined => {
    const levels = role[key].get(resource)?.get(value);
    const word = levels === undefined || typeof levels === 'string' ? levels : (levels.get(action) ?? levels.get('*'));
    if (word !== undefined) {
      const path = typeof levels === 'string' ? [key, resource, value] : [key, resource, value, (levels as ReadonlyMap<string, string>).has(action) ? action : '*'];
      return { level: LEVEL_OF_WORD.get(word)!, declaredIn: role.name, source: where(spanOf(role.origin, path, 'value')) };
    }
    let found: Written | undefined;
    for (const parent of parents) {
      const inherited = overrideRule(specOf(parent), key, resource, value, action);
      if (inherited && (found === undefined || LEVELS.indexOf(inherited.level) > LEVELS.indexOf(found.level))) found = inherited;
    }
    return found;
  };
  /** The values `role` and the roles it inherits from write stage or pipeline rules for: its own first, then its parents' in order. */
  const valuesMemo = new Map<string, string[]>();
  const overrideValues = (role: RoleSpec, key: 'stages' | 'pipelines', resource: string, parents?: readonly string[]): string[] => {
    const of = (list: readonly string[]): string[] => [...new Set([...(role[key].get(resource)?.keys() ?? []), ...list.flatMap((parent) => overrideValues(specOf(parent), key, resource))])];
    if (parents !== undefined) return of(parents);
    const memoKey = `${role.name}\u0000${key}\u0000${resource}`;
    let values = valuesMemo.get(memoKey);
    if (values === undefined) {
      values = of(parentsOf(role));
      valuesMemo.set(memoKey, values);
    }
    return values;
  };
  const adminMemo = new Map<string, RoleSpec | null>();
  const administratorOf = (role: RoleSpec, parents?: readonly string[]): RoleSpec | undefined => {
    const known = parents === undefined ? adminMemo.get(role.name) : undefined;
    if (known !== undefined) return known ?? undefined;
    let admin: RoleSpec | undefined = role.administrator ? role : undefined;
    for (const parent of role.administrator ? [] : (parents ?? parentsOf(role))) {
      admin = administratorOf(specOf(parent));
      if (admin) break;
    }
    if (parents === undefined) adminMemo.set(role.name, admin ?? null);
    return admin;
  };

  /** The condition of a conditional grant written for `role`'s users on `resource`. */
  const conditionOf = (role: RoleSpec, resource: ResourceSpec, c: NonNullable<Written['condition']>): ConditionModel => {
    if (!c.duringShift) return conds.when(c.when!, resource);
    const shift = conds.duringShift(role);
    const both = c.when === undefined ? shift : conds.when(`(${c.when}) && (${shift.text})`, resource);
    // the checker runs the `when:` alone and the shift test of the runtime (emit/checker.ts)
    const alone = c.when === undefined ? undefined : conds.when(c.when, resource);
    if (both.kind !== 'cel') return both;
    return { ...both, duringShift: { when: c.when, roleShift: role.shift }, ...(alone?.kind === 'cel' ? { whenAlone: { js: alone.js, temps: alone.temps } } : {}) };
  };
  const groups = buildGroups(declarations.groups, subordinates, where);
  const sharingRules = buildSharingRules(declarations.sharingRules, resourceModels, groups, subordinates, reportsTo, addRule, where);
  /** A resource's org-wide default, where it is written: it widens own and team grants of its actions to all. */
  const publicActions = new Map(
    [...resources.values()].map((r) => {
      const { read, write, defaultAccess } = r.model;
      const actions = defaultAccess === 'public-read-only' ? read : defaultAccess === 'public-read-write' ? [...read, ...write] : [];
      return [r.model.name, { actions, source: defaultAccess === 'private' ? undefined : where(spanOf(r.origin, ['defaultAccess'], 'value')) }];
    }),
  );
  /** The groups each role is a member of, built once rather than searched per role. */
  const groupsOfRole = new Map<string, string[]>();
  for (const g of groups) for (const role of new Set(g.roles)) groupsOfRole.set(role, [...(groupsOfRole.get(role) ?? []), g.name]);
  /**
   * A role's model for its users carrying `profile` (R-Z2, R-Z8): the profile takes the place of
   * the role's own `profile` as its first parent; `undefined`: the role as written.
   */
  const roleModelOf = (name: string, profile: string | undefined): RoleModel => {
    const role = roles.get(name)!;
    const parents = profile === undefined ? undefined : [profile, ...role.extends];
    const admin = administratorOf(role, parents);
    if (profile === undefined && admin !== undefined && role.grants.size > 0) {
      const why = admin === role ? 'is an administrator' : `extends the administrator ${admin.profile === undefined && profiles.has(admin.name) ? 'profile' : 'role'} ${tick(admin.name)}`;
      bag.report('IneffectiveGrant', spanOf(role.origin, ['grants']), `role ${tick(name)} ${why}, so its grants have no effect`, {
        severity: 'warning',
        help: admin === role ? 'remove `grants`, or remove `administrator: true` to limit the role' : 'remove `grants`, or extend a role that is not an administrator',
      });
    }
    const administratorRule =
      admin === undefined
        ? undefined
        : addRule({ kind: 'administrator', role: name, declaredIn: admin.name, resource: '*', action: '*', level: 'all', source: where(spanOf(admin.origin, ['administrator'])) });
    const cells = new Map<string, Map<string, number>>();
    const overrides = new Map<string, Map<string, number[]>>();
    const roleSource = where(spanOf(role.origin));
    if (admin === undefined) {
      for (const resource of resourceModels) {
        if (resource.parent !== undefined) continue; // decided by the parent record (R-Z11)
        const row = new Map<string, number>();
        const open = publicActions.get(resource.name)!;
        for (const action of resource.actions) {
          const written = effective(role, resource.name, action, parents);
          const condition = written?.condition && { condition: conditionOf(role, resources.get(resource.name)!, written.condition) };
          const rule: Omit<Rule, 'id'> =
            written === undefined
              ? { kind: 'default', role: name, declaredIn: name, resource: resource.name, action, level: 'deny', source: roleSource }
              : open.source !== undefined && open.actions.includes(action) && (written.level === 'own' || written.level === 'team')
                ? { kind: 'public', role: name, declaredIn: written.declaredIn, resource: resource.name, action, level: 'all', source: open.source, ...condition }
                : { kind: 'grant', role: name, declaredIn: written.declaredIn, resource: resource.name, action, level: written.level, source: written.source, ...condition };
          row.set(action, addRule(rule));
          // R-K5: the role's pipelines, its groups' pipelines, then its stages, override the grant
          // on records they match
          const before: number[] = [];
          const override = (attribute: string, value: string, written: Written, group: string | undefined): void => {
            const { level, declaredIn, source } = written;
            const widened = open.source !== undefined && open.actions.includes(action) && (level === 'own' || level === 'team');
            const text = `${group === undefined ? '' : `${JSON.stringify(group)} in principal.groups && `}resource[${JSON.stringify(attribute)}] == ${JSON.stringify(value)}`;
            before.push(
              addRule({
                kind: widened ? 'public' : 'grant', role: name, declaredIn, resource: resource.name, action, level: widened ? 'all' : level, source,
                condition: { kind: 'equals', attribute, value, text, ...(group === undefined ? {} : { group }) },
              }),
            );
          };
          // the role's own and inherited rules for one attribute, value by value
          const inherited = (attribute: string, key: 'stages' | 'pipelines'): void => {
            for (const value of overrideValues(role, key, resource.name, parents)) {
              const written = overrideRule(role, key, resource.name, value, action, parents);
              if (written !== undefined) override(attribute, value, written, undefined);
            }
          };
          if (resource.pipeline !== undefined) {
            inherited(resource.pipeline, 'pipelines');
            for (const group of groups) {
              const spec = declarations.groups.get(group.name)!;
              for (const [value, word] of spec.pipelines.get(resource.name) ?? []) {
                // members by role always; members by request only when `principal.groups` lists the group
                const written = { level: LEVEL_OF_WORD.get(word)!, declaredIn: name, source: where(spanOf(spec.origin, ['pipelines', resource.name, value], 'value')) };
                override(resource.pipeline, value, written, (groupsOfRole.get(name)?.includes(group.name) ?? false) ? undefined : group.name);
              }
            }
          }
          if (resource.stage !== undefined) inherited(resource.stage, 'stages');
          if (before.length > 0) overrides.set(resource.name, (overrides.get(resource.name) ?? new Map()).set(action, before));
        }
        cells.set(resource.name, row);
      }
    }
    return {
      name,
      description: role.description,
      source: roleSource,
      administratorRule,
      extends: role.extends,
      reportsTo: reportsTo.get(name),
      sharesWithPeers: role.sharesWithPeers,
      top: role.top,
      subordinates: subordinates.get(name) ?? [],
      profile: profile ?? role.profile,
      groups: groupsOfRole.get(name) ?? [],
      cells,
      overrides,
      shift: role.shift,
      byProfile: new Map(),
    };
  };
  // every profile a principal may carry, for every role: the role's own profile is the role as written
  const roleModels: RoleModel[] = roleNames.map((name) => {
    const base = roleModelOf(name, undefined);
    // an administrator role is one whatever its users' profile: its entries are the role itself
    const variants = [...profiles.keys()].sort().filter((p) => p !== base.profile).map((p) => [p, roles.get(name)!.administrator ? base : roleModelOf(name, p)] as const);
    return { ...base, byProfile: new Map(variants) };
  });
  return {
    name: set.name,
    hash: set.hash,
    files: set.files.map((f) => f.path),
    resources: resourceModels,
    roles: roleModels,
    rules,
    groups,
    sharingRules,
    hierarchy: declarations.hierarchy?.value ?? 'roles',
    profiles: [...profiles.keys()].sort(),
    shifts: conds.shifts,
    organisation: undefined,
    principalFields: principalFields(declarations, bag),
    principalAttributes: new Map([...declarations.principal].map(([name, { type }]) => [name, type])),
  };
}
