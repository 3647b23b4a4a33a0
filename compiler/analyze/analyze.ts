import type { DiagnosticBag, Span } from '../diagnostics/diagnostic.ts';
import { tick } from '../diagnostics/diagnostic.ts';
import { LineIndex } from '../diagnostics/format.ts';
import { didYouMean } from '../diagnostics/suggest.ts';
import type { LoadedSet } from '../load/load.ts';
import type { PolicyModel } from '../ir/model.ts';
import { collectDeclarations, spanOf, type Origin, type ResourceSpec, type Where } from './declarations.ts';
import { checkFields, fieldSecurity } from './fields.ts';
import { reportCycles } from './hierarchy.ts';
import { analyzeOrganisation } from './organisation.ts';
import { checkSharing } from './sharing.ts';
import { checkConditions } from './conditions.ts';
import { DEFAULT_LIMITS, type Limits } from '../diagnostics/limits.ts';
import { withinLimits } from './limits.ts';
import { AttributeNeeds } from './needs.ts';
import { checkRequirements } from './requires.ts';
import { analyzeRoleManagement } from './rolemanagement.ts';
import { buildModel } from './build-model.ts';
import { checkGrants, checkResource } from './checks.ts';

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
