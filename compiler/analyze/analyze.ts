import type { DiagnosticBag, Span } from '../diagnostics/diagnostic.ts';
import { tick } from '../diagnostics/diagnostic.ts';
import { LineIndex } from '../diagnostics/format.ts';
import { didYouMean } from '../diagnostics/suggest.ts';
import type { LoadedSet } from '../load/load.ts';
import { LEVELS, LEVEL_OF_WORD, type Level, type PolicyModel, type ResourceModel, type RoleModel, type Rule, type SourceRef } from '../ir/model.ts';
import { collectDeclarations, spanOf, type Origin, type ResourceSpec, type RoleSpec, type Where } from './declarations.ts';
import { checkFields, fieldSecurity } from './fields.ts';
import { reportCycles, subordinatesOf } from './hierarchy.ts';
import { analyzeOrganisation } from './organisation.ts';

/** A level with the place it is written and the role it is written in. */
interface Written {
  readonly level: Level;
  readonly declaredIn: string;
  readonly source: SourceRef;
}

/**
 * Semantic checks and the policy model: references, duplicates, cycles, which levels a
 * resource supports, then every role's effective cell for each resource × action, the
 * hierarchy closure and the rules that decisions name. Returns undefined on any error.
 */
export function analyze(set: LoadedSet, bag: DiagnosticBag): PolicyModel | undefined {
  const indexes = new Map<string, LineIndex>();
  const where: Where = (span: Span) => {
    let index = indexes.get(span.file);
    if (!index) indexes.set(span.file, (index = new LineIndex(set.sources.get(span.file) ?? '')));
    const p = index.position(span.start);
    return { file: span.file, line: p.line, column: p.column };
  };
  const { resources, roles, duplicateRoles } = collectDeclarations(set.files, bag, where);
  for (const spec of resources.values()) checkResource(spec, bag);

  const roleNames = [...roles.keys()];
  const refer = (origin: Origin, path: readonly (string | number)[], name: string): boolean => {
    if (roles.has(name)) return true;
    if (duplicateRoles.has(name)) return false; // already reported where it is defined
    const folded = roleNames.find((r) => r.toLowerCase() === name.toLowerCase());
    bag.report('UnknownRole', spanOf(origin, path, 'value'), `unknown role ${tick(name)}`, {
      help: folded !== undefined ? `did you mean \`${folded}\`? role names are written the same way everywhere` : didYouMean(name, roleNames),
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
    checkGrants(role, resources, bag);
  }
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
  reportCycles(hierarchyEdges, 'HierarchyCycle', 'reports to', bag);
  reportCycles(extendsEdges, 'InheritanceCycle', 'extends', bag);
  checkFields(resources, roles, bag);
  if (bag.hasErrors) return undefined;

  const model = { ...buildModel(set, resources, roles, reportsTo, where, bag), organisation };
  return { ...model, fields: fieldSecurity(model, resources, roles, where) };
}

function checkResource(spec: ResourceSpec, bag: DiagnosticBag): void {
  const { model, origin } = spec;
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

function checkGrants(role: RoleSpec, resources: ReadonlyMap<string, ResourceSpec>, bag: DiagnosticBag): void {
  for (const [name, grant] of role.grants) {
    const resource = resources.get(name);
    if (!resource) {
      bag.report('UnknownResource', spanOf(role.origin, ['grants', name]), `unknown resource or module ${tick(name)}`, {
        help: didYouMean(name, resources.keys()),
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
      const { model } = resource;
      const span = spanOf(role.origin, ['grants', name, ...path], 'value');
      if (level === 'own' && model.owner === undefined) {
        bag.report('LevelNeedsAttribute', span, `${tick(word)} needs an owner, but ${tick(name)} declares no \`owner\` attribute`, {
          help: model.kind === 'module' ? 'a module has no records: use `green` or `red`' : `add \`owner: <attribute>\` to ${tick(name)}`,
        });
      } else if (level === 'team' && (model.owner === undefined || model.team === undefined)) {
        bag.report('LevelNeedsAttribute', span, `${tick(word)} needs an owner and a team, but ${tick(name)} declares no \`${model.owner === undefined ? 'owner' : 'team'}\` attribute`, {
          help: model.kind === 'module' ? 'a module has no records: use `green` or `red`' : `add \`${model.owner === undefined ? 'owner' : 'team'}: <attribute>\` to ${tick(name)}`,
        });
      }
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
  resources: ReadonlyMap<string, ResourceSpec>,
  roles: ReadonlyMap<string, RoleSpec>,
  reportsTo: ReadonlyMap<string, string | undefined>,
  where: Where,
  bag: DiagnosticBag,
): Omit<PolicyModel, 'fields'> {
  const resourceModels: ResourceModel[] = [...resources.values()]
    .map((r) => ({ ...r.model, source: where(spanOf(r.origin)) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const roleNames = [...roles.keys()].sort();
  const subordinates = subordinatesOf(reportsTo);

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
    return { level: LEVEL_OF_WORD.get(word)!, declaredIn: role.name, source: at([map.has(action) ? action : '*']) };
  };

  const memo = new Map<string, Written | undefined>();
  /** Own grant, else the widest of the extended roles' (ties: first listed), else nothing. */
  const effective = (role: RoleSpec, resource: string, action: string): Written | undefined => {
    const key = `${role.name}\u0000${resource}\u0000${action}`;
    if (memo.has(key)) return memo.get(key);
    let found = explicit(role, resource, action);
    if (found === undefined) {
      for (const parent of role.extends) {
        const inherited = effective(roles.get(parent)!, resource, action);
        if (inherited && (found === undefined || LEVELS.indexOf(inherited.level) > LEVELS.indexOf(found.level))) found = inherited;
      }
    }
    memo.set(key, found);
    return found;
  };
  const administratorOf = (role: RoleSpec): RoleSpec | undefined => {
    if (role.administrator) return role;
    for (const parent of role.extends) {
      const admin = administratorOf(roles.get(parent)!);
      if (admin) return admin;
    }
    return undefined;
  };

  const rules: Rule[] = [];
  const addRule = (rule: Omit<Rule, 'id'>): number => {
    rules.push({ ...rule, id: rules.length });
    return rules.length - 1;
  };
  const roleModels: RoleModel[] = roleNames.map((name) => {
    const role = roles.get(name)!;
    const admin = administratorOf(role);
    if (admin !== undefined && role.grants.size > 0) {
      const why = admin === role ? 'is an administrator' : `extends the administrator role ${tick(admin.name)}`;
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
    const roleSource = where(spanOf(role.origin));
    if (admin === undefined) {
      for (const resource of resourceModels) {
        const row = new Map<string, number>();
        for (const action of resource.actions) {
          const written = effective(role, resource.name, action);
          row.set(
            action,
            written === undefined
              ? addRule({ kind: 'default', role: name, declaredIn: name, resource: resource.name, action, level: 'deny', source: roleSource })
              : addRule({ kind: 'grant', role: name, declaredIn: written.declaredIn, resource: resource.name, action, level: written.level, source: written.source }),
          );
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
      cells,
    };
  });
  return { name: set.name, hash: set.hash, files: set.files.map((f) => f.path), resources: resourceModels, roles: roleModels, rules, organisation: undefined };
}
