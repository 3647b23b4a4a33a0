import type { DiagnosticBag, Span } from '../diagnostics/diagnostic.ts';
import { tick } from '../diagnostics/diagnostic.ts';
import { LineIndex } from '../diagnostics/format.ts';
import { didYouMean } from '../diagnostics/suggest.ts';
import type { LoadedSet } from '../load/load.ts';
import { LEVELS, LEVEL_OF_WORD, type ConditionModel, type Level, type PolicyModel, type ResourceModel, type RoleModel, type Rule, type SourceRef } from '../ir/model.ts';
import { principalFields } from './principal.ts';
import { collectDeclarations, spanOf, type Declarations, type Origin, type ResourceSpec, type RoleSpec, type Where } from './declarations.ts';
import { checkFields, fieldSecurity } from './fields.ts';
import { reportCycles, subordinatesOf } from './hierarchy.ts';
import { analyzeOrganisation } from './organisation.ts';
import { buildGroups, buildSharingRules, checkSharing } from './sharing.ts';
import { checkConditions, conditions } from './conditions.ts';
import { DEFAULT_LIMITS, type Limits } from '../diagnostics/limits.ts';
import { withinLimits } from './limits.ts';
import { AttributeNeeds } from './needs.ts';
import { checkRequirements, requirementOf } from './requires.ts';
import { analyzeRoleManagement } from './rolemanagement.ts';

/** A level with the place it is written and the role it is written in. */
interface Written {
  readonly level: Level;
  readonly declaredIn: string;
  readonly source: SourceRef;
  /** A conditional grant's `when` and `duringShift`, with the resource it is written for. */
  readonly condition?: { readonly when: string | undefined; readonly duringShift: boolean };
}

/**
 * Semantic checks and the policy model: references, duplicates, cycles, which levels a
 * resource supports, then every role's effective cell for each resource × action, the
 * hierarchy closure and the rules that decisions name. Returns undefined on any error.
 */
export function analyze(set: LoadedSet, bag: DiagnosticBag, limits: Limits = DEFAULT_LIMITS): PolicyModel | undefined {
  const indexes = new Map<string, LineIndex>();
  const where: Where = (span: Span) => {
    let index = indexes.get(span.file);
    if (!index) indexes.set(span.file, (index = new LineIndex(set.sources.get(span.file) ?? '')));
    const p = index.position(span.start);
    return { file: span.file, line: p.line, column: p.column };
  };
  const declarations = collectDeclarations(set.files, bag, where);
  if (!withinLimits(declarations, limits, bag)) return undefined;
  const { resources, roles, duplicateRoles, profiles } = declarations;
  const needs = new AttributeNeeds();
  for (const spec of resources.values()) checkResource(spec, resources, bag);
  reportCycles(parentEdges(resources), 'ParentCycle', 'has the parent', bag);
  checkRequirements(resources, bag);

  const roleNames = [...roles.keys()];
  /** Role names by their lowercase, built once: an unknown name is looked up in it, not compared with every role. */
  const byFolded = new Map<string, string>();
  for (const r of roleNames) if (!byFolded.has(r.toLowerCase())) byFolded.set(r.toLowerCase(), r);
  const refer = (origin: Origin, path: readonly (string | number)[], name: string): boolean => {
    if (roles.has(name)) return true;
    if (duplicateRoles.has(name)) return false; // already reported where it is defined
    const folded = byFolded.get(name.toLowerCase());
    bag.report('UnknownRole', spanOf(origin, path, 'value'), `unknown role ${tick(name)}`, {
      help:
        folded !== undefined
          ? `did you mean \`${folded}\`? role names are written the same way everywhere`
          : profiles.has(name)
            ? `${tick(name)} is a profile, not a role (a role names its profile with \`profile: ${name}\`)`
            : didYouMean(name, roleNames),
    });
    return false;
  };

  const reportsTo = new Map<string, string | undefined>();
  const hierarchyEdges = new Map<string, { to: string; origin: Origin; path: (string | number)[] }[]>();
  const extendsEdges = new Map<string, { to: string; origin: Origin; path: (string | number)[] }[]>();
  for (const role of roles.values()) {
    const boss = role.reportsTo;
    if (boss !== undefined && boss === role.name) {
      bag.report('SelfReference', spanOf(role.origin, ['reportsTo'], 'value'), `role ${tick(role.name)} reports to itself`);
    } else if (boss !== undefined && refer(role.origin, ['reportsTo'], boss)) {
      hierarchyEdges.set(role.name, [{ to: boss, origin: role.origin, path: ['reportsTo'] }]);
    }
    reportsTo.set(role.name, boss !== undefined && roles.has(boss) && boss !== role.name ? boss : undefined);
    const edges: { to: string; origin: Origin; path: (string | number)[] }[] = [];
    role.extends.forEach((parent, i) => {
      const path = role.extendsIsList ? ['extends', i] : ['extends'];
      if (parent === role.name) bag.report('SelfReference', spanOf(role.origin, path, 'value'), `role ${tick(role.name)} extends itself`);
      else if (refer(role.origin, path, parent)) edges.push({ to: parent, origin: role.origin, path });
    });
    extendsEdges.set(role.name, edges);
    checkGrants(role, resources, bag, needs);
    if (role.profile !== undefined && !profiles.has(role.profile)) {
      bag.report('UnknownProfile', spanOf(role.origin, ['profile'], 'value'), `unknown profile ${tick(role.profile)}`, {
        help: didYouMean(role.profile, profiles.keys()) ?? (roles.has(role.profile) ? `${tick(role.profile)} is a role: write \`extends: ${role.profile}\`` : 'declare it under `profiles`'),
      });
    }
  }
  for (const profile of profiles.values()) {
    checkGrants(profile, resources, bag, needs);
    const clash = roles.get(profile.name);
    if (clash) {
      bag.report('DuplicateName', spanOf(profile.origin), `${tick(profile.name)} is both a profile and a role`, {
        related: [{ ...spanOf(clash.origin), message: 'the role is defined here' }],
        help: 'give the profile a name of its own, for example `' + profile.name + '_profile`',
      });
    }
  }
  checkSharing(declarations.groups, declarations.sharingRules, resources, refer, bag, needs);
  needs.report(resources, bag);
  checkConditions(declarations, set.sources, bag, set.files);
  // R-Z12: a role without a parent reports to the top role, when the policy names one
  const tops = [...roles.values()].filter((r) => r.top);
  for (const extra of tops.slice(1)) {
    bag.report('TopRole', spanOf(extra.origin, ['top']), `role ${tick(extra.name)} is a second top role`, {
      related: [{ ...spanOf(tops[0]!.origin, ['top']), message: 'the top role is declared here' }],
      help: 'a hierarchy has one top; remove one `top: true`',
    });
  }
  const top = tops[0];
  if (top?.reportsTo !== undefined) {
    bag.report('TopRole', spanOf(top.origin, ['reportsTo']), `the top role ${tick(top.name)} cannot report to another role`, { help: 'remove its `reportsTo`' });
  }
  if (top !== undefined) for (const [name, boss] of reportsTo) if (boss === undefined && name !== top.name) reportsTo.set(name, top.name);
  const organisation = analyzeOrganisation(set.files, bag, where);
  const roleManagement = analyzeRoleManagement(set.files, resources, bag, where);
  reportCycles(hierarchyEdges, 'HierarchyCycle', 'reports to', bag);
  reportCycles(extendsEdges, 'InheritanceCycle', 'extends', bag);
  checkFields(resources, roles, bag);
  checkFields(resources, profiles, bag);
  if (bag.hasErrors) return undefined;

  const model = { ...buildModel(set, declarations, reportsTo, where, bag), organisation, roleManagement };
  return { ...model, fields: fieldSecurity(model, resources, roles, where, profiles) };
}

/** Edges child kind → parent kind, for cycles of parent records (R-Z11). */
function parentEdges(resources: ReadonlyMap<string, ResourceSpec>): Map<string, { to: string; origin: Origin; path: (string | number)[] }[]> {
  const edges = new Map<string, { to: string; origin: Origin; path: (string | number)[] }[]>();
  for (const spec of resources.values()) {
    const parent = spec.parent;
    if (parent === undefined) continue;
    edges.set(
      spec.model.name,
      parent.resources.flatMap((to, i) => (resources.get(to)?.parent !== undefined || to === spec.model.name ? [{ to, origin: spec.origin, path: ['parent', 'resources', i] }] : [])),
    );
  }
  return edges;
}

function checkResource(spec: ResourceSpec, resources: ReadonlyMap<string, ResourceSpec>, bag: DiagnosticBag): void {
  const { model, origin } = spec;
  const checkActions = (list: readonly string[] | undefined, path: (string | number)[]): void =>
    list?.forEach((action, i) => {
      if (!model.actions.includes(action)) {
        bag.report('UnknownAction', spanOf(origin, [...path, i], 'value'), `${tick(model.name)} has no action ${tick(action)}`, {
          help: didYouMean(action, model.actions) ?? `its actions are ${model.actions.map(tick).join(', ')}`,
        });
      }
    });
  const raw = origin.file.value as Record<string, Record<string, Record<string, unknown>>>;
  const written = raw[origin.path[0] as string]?.[model.name] ?? {};
  const access = written.access as { read?: string[]; write?: string[] } | undefined;
  checkActions(access?.read, ['access', 'read']);
  checkActions(access?.write, ['access', 'write']);
  const attribute = (name: string, type: string, path: (string | number)[]): void => {
    const declared = model.attributes.find((a) => a.name === name);
    if (!declared) {
      bag.report('UnknownAttribute', spanOf(origin, path, 'value'), `${tick(model.name)} has no attribute ${tick(name)}`, {
        help: didYouMean(name, model.attributes.map((a) => a.name)) ?? `declare it under \`attributes\`, for example \`${name}: ${type}\``,
      });
    } else if (declared.type !== type) {
      bag.report('AttributeType', spanOf(origin, path, 'value'), `${tick(path[0] as string)} needs a ${type} attribute, but ${tick(name)} is ${declared.type}`);
    }
  };
  if (spec.subscribers) {
    attribute(spec.subscribers.attribute, 'string[]', ['subscribers', 'attribute']);
    checkActions((written.subscribers as { actions?: string[] }).actions, ['subscribers', 'actions']);
    spec.subscribers.fields.forEach((field, i) => {
      if (!model.attributes.some((a) => a.name === field)) {
        bag.report('UnknownAttribute', spanOf(origin, ['subscribers', 'fields', i], 'value'), `${tick(model.name)} has no attribute ${tick(field)}`, {
          help: didYouMean(field, model.attributes.map((a) => a.name)),
        });
      }
    });
  }
  if (spec.parent) {
    const { parent } = spec;
    attribute(parent.attribute, 'record', ['parent', 'attribute']);
    checkActions(parent.read, ['parent', 'read']);
    checkActions(parent.write, ['parent', 'write']);
    parent.resources.forEach((name, i) => {
      const target = resources.get(name);
      const at = spanOf(origin, ['parent', 'resources', i], 'value');
      if (target === undefined) bag.report('UnknownResource', at, `unknown resource ${tick(name)}`, { help: didYouMean(name, resources.keys()) });
      else if (target.model.kind === 'module') bag.report('UnknownResource', at, `${tick(name)} is a module: it has no records to be a parent`);
      else if (target.model.read.length === 0 || target.model.write.length === 0) {
        bag.report('UnknownAction', at, `a parent needs a read and a write action, but ${tick(name)} has no ${target.model.read.length === 0 ? 'read' : 'write'} action`, {
          help: `list them under \`access\` in ${tick(name)}, for example \`access: { read: [view], write: [edit] }\``,
        });
      }
    });
  }
  model.actions.forEach((action, i) => {
    if (action === '*') {
      bag.report('ReservedName', spanOf(origin, [spec.actionsKey, i], 'value'), '`*` cannot be an action: in grants it stands for every action', {
        help: 'give the action a name',
      });
    }
  });
  if (model.attributes.some((a) => a.name === 'kind')) {
    bag.report('ReservedName', spanOf(origin, ['attributes', 'kind']), '`kind` cannot be an attribute: every resource in a check carries its kind there', {
      help: 'rename the attribute, for example `type` or `category`',
    });
  }
  for (const key of ['owner', 'team', 'ownerRole', 'organisation'] as const) {
    const attr = model[key];
    if (attr === undefined) continue;
    const declared = model.attributes.find((a) => a.name === attr);
    if (!declared) {
      bag.report('UnknownAttribute', spanOf(origin, [key], 'value'), `${tick(model.name)} has no attribute ${tick(attr)}`, {
        help: didYouMean(attr, model.attributes.map((a) => a.name)) ?? `declare it under \`attributes\`, for example \`${attr}: string\``,
      });
    } else if (declared.type !== 'string') {
      bag.report('AttributeType', spanOf(origin, [key], 'value'), `${tick(key)} needs a string attribute, but ${tick(attr)} is ${declared.type}`);
    }
  }
}

function checkGrants(role: RoleSpec, resources: ReadonlyMap<string, ResourceSpec>, bag: DiagnosticBag, needs: AttributeNeeds): void {
  for (const [name, grant] of role.grants) {
    const resource = resources.get(name);
    if (!resource) {
      bag.report('UnknownResource', spanOf(role.origin, ['grants', name]), `unknown resource or module ${tick(name)}`, {
        help: didYouMean(name, resources.keys()),
      });
      continue;
    }
    if (resource.parent !== undefined) {
      bag.report('GrantOnChild', spanOf(role.origin, ['grants', name]), `${tick(name)} records follow their parent record, so a grant on them has no effect`, {
        help: `grant on the parent (${resource.parent.resources.map(tick).join(', ')}) instead`,
      });
      continue;
    }
    const checkAction = (action: string, path: (string | number)[], part: 'key' | 'value'): void => {
      if ((action === '*' && part === 'key') || resource.model.actions.includes(action)) return;
      if (action === '*') {
        bag.report('UnknownAction', spanOf(role.origin, ['grants', name, ...path], part), '`*` in a list grants nothing', {
          help: `write \`${name}: green\` to grant every action`,
        });
        return;
      }
      bag.report('UnknownAction', spanOf(role.origin, ['grants', name, ...path], part), `${tick(name)} has no action ${tick(action)}`, {
        help: didYouMean(action, resource.model.actions) ?? `its actions are ${resource.model.actions.map(tick).join(', ')}`,
      });
    };
    const checkLevel = (word: string, path: (string | number)[]): void => {
      const level = LEVEL_OF_WORD.get(word);
      if (level !== 'own' && level !== 'team') return;
      // only a missing attribute is reported: a large policy has tens of thousands of such grants
      const owner = resource.model.owner === undefined;
      const team = level === 'team' && resource.model.team === undefined;
      if (!owner && !team) return;
      const span = spanOf(role.origin, ['grants', name, ...path], 'value');
      const what = `${tick(role.name)} grants ${path.length === 0 || path[0] === '*' ? 'every action' : tick(String(path[0]))} as ${tick(word)}`;
      if (owner) needs.need(name, 'owner', span, what, word);
      if (team) needs.need(name, 'team', span, what, word);
    };
    if (typeof grant === 'string') checkLevel(grant, []);
    else if (Array.isArray(grant)) grant.forEach((action, i) => checkAction(action, [i], 'value'));
    else
      for (const [action, word] of grant as ReadonlyMap<string, string>) {
        checkAction(action, [action], 'key');
        checkLevel(word, [action]);
      }
  }
}

function buildModel(
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
    return both.kind === 'cel' ? { ...both, duringShift: { when: c.when, roleShift: role.shift } } : both;
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
