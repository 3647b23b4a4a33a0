import { StructureKind, type FunctionDeclarationStructure } from 'ts-morph';
import type { PolicyModel, ResourceModel, RoleModel } from '../ir/model.ts';
import { lit } from './literal.ts';
import { path } from './path.ts';

/**
 * The record test of a cell, as the steps `can` takes in order (docs/policy-language.md, steps
 * 5–8). The check function and its plan twin are both printed from the same list, so a record
 * passes the plan's filter exactly when the check allows it.
 */
export type Step =
  /** Reads a record attribute into a variable; `missing` set: not a string denies with that path. */
  | { readonly kind: 'read'; readonly attribute: string; readonly variable: string; readonly missing: string | undefined }
  /**
   * A malformed part of the principal denies: `check` for `can`, `planCheck` for `plan`. The
   * principal value it tests (`groups` or `reports`) is read here, at its first use, not before.
   */
  | { readonly kind: 'principal'; readonly check: string; readonly planCheck: string; readonly path: string; readonly reads: string }
  /** A way to reach the record: allows with `rule` and `path` when `check` holds (`plan`: the same as a filter). */
  | { readonly kind: 'allow'; readonly check: string; readonly plan: string; readonly rule: string; readonly path: string };

/**
 * Reads `key` of request object `object` (a variable of generated code) by the own-data rule
 * (packages/runtime/src/own.ts). The objects a check reads are ordinary — their prototype is
 * `Object.prototype`, `null` or their own class's — so a value can only be inherited from a
 * built-in when `Object.prototype` has the key: then `own` decides, else the plain read is the
 * object's own (or its class's) value. V8 folds `key in Object.prototype` to `false` while the
 * prototype has no such key, so the common read costs one property load; polluting the
 * prototype (or a key it has anyway, such as `toString`) takes the exact path instead.
 */
export function ownRead(object: string, key: string): string {
  const k = lit(key);
  return `(${k} in Object.prototype ? own(${object}, ${k}) : ${object}[${k}])`;
}

/**
 * The field of the application's principal holding built-in value `name` (`id`, `groups`…):
 * its own name unless the policy says where it lives (`principal: { groups: groupIds }`).
 */
export function principalKey(model: Pick<PolicyModel, 'principalFields'>, name: string): string {
  return model.principalFields.get(name) ?? name;
}

/**
 * The principal's `id` or `role` in generated code: a plain read, since the checker's entry has
 * already found it to be the principal's own string (`p.id`, or `p["userId"]` when mapped).
 */
export function principalValue(model: Pick<PolicyModel, 'principalFields'>, name: 'id' | 'role'): string {
  const key = principalKey(model, name);
  return key === name ? `p.${name}` : `(p[${lit(key)}] as string)`;
}

/** Principal values both functions compute first, by the variable the steps use. */
function preamble(model: Pick<PolicyModel, 'principalFields'>, name: string): { check: string; plan: string } {
  const key = principalKey(model, name);
  // the runtime helpers read `groups` and `reports` unless told another field
  const field = key === name ? '' : `, ${lit(key)}`;
  if (name === 'groups') return { check: `const groups = ${ownRead('p', key)} as Principal["groups"];`, plan: `const groups = groupsOf(p${field});` };
  return { check: `const reports = reportsOf(p${field});`, plan: `const reports = reportsOf(p${field});` };
}

export interface RecordTest {
  readonly name: string;
  readonly planName: string;
  readonly doc: string;
  readonly steps: readonly Step[];
  /** Principal values the steps use (`groups`, `reports`). */
  readonly uses: readonly string[];
  /** Where the application's principal keeps them. */
  readonly principal: Pick<PolicyModel, 'principalFields'>;
  /** The path when no step reached the record (with the cell's rule). */
  readonly fallback: string;
}

/** Sets and tables record tests share, declared once at the top of the module. */
export interface Constants {
  /** A `ReadonlySet` of these roles, by name of the constant. */
  roleSet(roles: readonly string[], about: string): string;
}

/** Above this many roles, membership is tested with a Set rather than a chain of `===`. */
const INLINE = 8;

/**
 * The steps of a role's cell on a resource for an action: own (yellow), team (blue: the
 * principal's groups, given and through roles, R-K8, R-Z7), the hierarchy (roles R-Z1 or
 * reporting R-Z4) and peers (R-Z3), sharing rules (R-Z5, R-Z6), then subscribers (R-K9).
 * `level` undefined: a red or default cell that only subscribers get past.
 */
export function reachSteps(
  model: PolicyModel,
  role: RoleModel,
  resource: ResourceModel,
  action: string,
  level: 'own' | 'team' | undefined,
  constants: Constants,
): { steps: Step[]; uses: string[]; doc: string[] } {
  const steps: Step[] = [];
  const id = principalValue(model, 'id');
  const uses = new Set<string>();
  const doc: string[] = [];
  const declared = new Set<string>();
  const checked = new Set<string>();
  /** Reads an attribute at its first use; `missing`: from here on it must be a string, else deny. */
  const need = (attribute: string, variable: string, missing: string | undefined): string => {
    if (!declared.has(variable) || (missing !== undefined && !checked.has(variable))) steps.push({ kind: 'read', attribute, variable, missing });
    declared.add(variable);
    if (missing !== undefined) checked.add(variable);
    return variable;
  };
  const groupsValid = (): void => {
    if (uses.has('groups')) return;
    uses.add('groups');
    steps.push({ kind: 'principal', check: 'groups !== undefined && !Array.isArray(groups)', planCheck: 'groups === undefined', path: 'InvalidGroups', reads: 'groups' });
  };
  const member = (variable: string, roles: readonly string[], about: string): string =>
    roles.length > INLINE ? `${constants.roleSet(roles, about)}.has(${variable})` : roles.map((r) => `${variable} === ${lit(r)}`).join(' || ');
  /** `member`'s roles as the plan lists them: the same set spread (its values in their order), not the names written again. */
  const listed = (roles: readonly string[], about: string): string =>
    roles.length > INLINE ? `...(${constants.roleSet(roles, about)} as ReadonlySet<string>)` : roles.map(lit).join(', ');

  if (level !== undefined) {
    const owner = need(resource.owner!, 'owner', 'MissingOwner');
    steps.push({ kind: 'allow', check: `${owner} === ${id}`, plan: `eq(${lit(resource.owner!)}, ${id})`, rule: 'rule', path: 'Own' });
    doc.push(`${level === 'own' ? 'own (yellow)' : 'team (blue)'}`);
    if (level === 'team') {
      const team = need(resource.team!, 'team', 'MissingTeam');
      groupsValid();
      const fixed = role.groups;
      steps.push({
        kind: 'allow',
        check: ['groups !== undefined && listIncludes(groups, team)', ...fixed.map((g) => `${team} === ${lit(g)}`)].join(' || '),
        // (no group given to the role: only the principal's, as `or` would fold the empty list away)
        plan: fixed.length === 0 ? `oneOf(${lit(resource.team!)}, groups)` : `or(oneOf(${lit(resource.team!)}, groups), oneOf(${lit(resource.team!)}, [${fixed.map(lit).join(', ')}]))`,
        rule: 'rule',
        path: 'Team',
      });
      // members of the principal's groups through their roles (R-Z7)
      const fixedRoles = [...new Set(model.groups.filter((g) => fixed.includes(g.name)).flatMap((g) => g.roles))].sort();
      const dynamic = model.groups.some((g) => g.roles.length > 0);
      if (resource.ownerRole !== undefined && dynamic) {
        const ownerRole = need(resource.ownerRole, 'ownerRole', 'MissingOwnerRole');
        steps.push({
          kind: 'allow',
          check: `${fixedRoles.length > 0 ? `${member(ownerRole, fixedRoles, `roles of ${role.name}'s groups`)} || ` : ''}groupHasRole(groups, ${ownerRole})`,
          plan: `oneOf(${lit(resource.ownerRole)}, [${fixedRoles.length > 0 ? `${listed(fixedRoles, `roles of ${role.name}'s groups`)}, ` : ''}...rolesOfGroups(groups)])`,
          rule: 'rule',
          path: 'Group',
        });
        doc.push('members of its groups by role');
      }
    }
    if (model.hierarchy === 'reporting') {
      uses.add('reports');
      steps.push({ kind: 'principal', check: 'reports === undefined', planCheck: 'reports === undefined', path: 'MissingReports', reads: 'reports' });
      steps.push({ kind: 'allow', check: `reportsInclude(reports, ${owner})`, plan: `oneOf(${lit(resource.owner!)}, reportList(reports))`, rule: 'rule', path: 'Reports' });
      doc.push('records of users reporting to the principal');
    }
    const below = model.hierarchy === 'roles' && resource.ownerRole !== undefined ? role.subordinates : [];
    // R-Z1: the top role reaches the whole database, its co-holders' records too
    const topPeers = model.hierarchy === 'roles' && role.top && !role.sharesWithPeers;
    const peers = resource.ownerRole !== undefined && (role.sharesWithPeers || topPeers);
    if (resource.ownerRole !== undefined && (below.length > 0 || peers)) {
      const ownerRole = need(resource.ownerRole, 'ownerRole', 'MissingOwnerRole');
      if (below.length > 0) {
        steps.push({
          kind: 'allow',
          check: member(ownerRole, below, `roles below ${role.name}`),
          plan: `oneOf(${lit(resource.ownerRole!)}, [${listed(below, `roles below ${role.name}`)}])`,
          rule: 'rule',
          path: 'Hierarchy',
        });
        doc.push(`records owned below ${below.length > 3 ? `${below.length} roles` : below.map(lit).join(', ')}`);
      }
      if (peers) {
        steps.push({ kind: 'allow', check: `${ownerRole} === ${lit(role.name)}`, plan: `eq(${lit(resource.ownerRole!)}, ${lit(role.name)})`, rule: 'rule', path: topPeers ? 'TopPeer' : 'Peer' });
        doc.push(topPeers ? 'records of other holders of the top role' : 'records of peers');
      }
    }
    // sharing rules (R-Z5): only where the grant allows the action at all (R-Z2); a missing
    // attribute just does not match
    for (const sharing of model.sharingRules) {
      if (sharing.resource !== resource.name || !sharing.actions.includes(action)) continue;
      const fixedReceiver = sharing.receivers.includes(role.name);
      if (!fixedReceiver && sharing.to.kind !== 'group') continue;
      if (!fixedReceiver) groupsValid();
      const receives = fixedReceiver ? [] : [{ check: `groups !== undefined && listIncludes(groups, ${lit(sharing.to.name)})`, plan: `groups.includes(${lit(sharing.to.name)})` }];
      const owners: { check: string; plan: string }[] = [];
      const { from } = sharing;
      if (from.kind === 'group' && resource.team !== undefined) {
        const team = need(resource.team, 'team', undefined);
        owners.push({ check: `${team} === ${lit(from.name)}`, plan: `eq(${lit(resource.team)}, ${lit(from.name)})` });
      }
      if (resource.ownerRole !== undefined && from.roles.length > 0) {
        const ownerRole = need(resource.ownerRole, 'ownerRole', undefined);
        owners.push({ check: member(ownerRole, from.roles, `owners shared by ${sharing.name}`), plan: `oneOf(${lit(resource.ownerRole)}, [${listed(from.roles, `owners shared by ${sharing.name}`)}])` });
      }
      if (owners.length === 0) continue;
      const whose = owners.length === 1 ? owners[0]!.check : owners.map((o) => `(${o.check})`).join(' || ');
      const whosePlan = owners.length === 1 ? owners[0]!.plan : `or(${owners.map((o) => o.plan).join(', ')})`;
      steps.push({
        kind: 'allow',
        check: receives.length > 0 ? `${receives[0]!.check} && (${whose})` : whose,
        plan: receives.length > 0 ? `${receives[0]!.plan} ? ${whosePlan} : FALSE` : whosePlan,
        rule: String(sharing.rule),
        path: 'Shared',
      });
      doc.push(`records shared by ${lit(sharing.name)}`);
    }
  }
  const subscribers = resource.subscribers;
  if (subscribers !== undefined && subscribers.actions.includes(action)) {
    const list = need(subscribers.attribute, 'subscribers', undefined);
    steps.push({
      kind: 'allow',
      check: `Array.isArray(${list}) && listIncludes(${list}, ${id})`,
      plan: `contains(${lit(subscribers.attribute)}, ${id})`,
      rule: String(subscribers.rule),
      path: 'Subscriber',
    });
    doc.push('records the principal subscribes to');
  }
  return { steps, uses: [...uses], doc };
}

/** The check: each step in order, then the fallback denial. */
export function testFunction(test: RecordTest): FunctionDeclarationStructure {
  // a principal value is read where a step first needs it, as the record's attributes are: a
  // check that decides before (its own record) never reads it
  const body: string[] = [];
  for (const step of test.steps) {
    if (step.kind === 'principal' && test.steps.find((s) => s.kind === 'principal' && s.reads === step.reads) === step) body.push(preamble(test.principal, step.reads).check);
    if (step.kind === 'read') {
      const declared = test.steps.indexOf(step) === test.steps.findIndex((s) => s.kind === 'read' && s.variable === step.variable);
      if (declared) body.push(`const ${step.variable} = ${ownRead('r', step.attribute)};`);
      if (step.missing !== undefined) body.push(`if (typeof ${step.variable} !== "string") return d(rule, ${path(step.missing)});`);
    } else if (step.kind === 'principal') body.push(`if (${step.check}) return d(rule, ${path(step.path)});`);
    else body.push(`if (${step.check}) return d(${step.rule}, ${path(step.path)});`);
  }
  body.push(`return d(rule, ${path(test.fallback)});`);
  return {
    kind: StructureKind.Function,
    name: test.name,
    docs: [test.doc],
    parameters: [
      { name: 'p', type: 'Principal' },
      { name: 'r', type: 'Resource' },
      { name: 'rule', type: 'number' },
    ],
    returnType: 'Decision',
    statements: body.join('\n'),
  };
}

/**
 * The plan: the same steps folded from the end — a read that must be a string wraps the rest
 * in `present`, a malformed principal makes the rest false, a way in is one more `or` branch.
 */
export function planFunction(test: RecordTest): FunctionDeclarationStructure {
  return {
    kind: StructureKind.Function,
    name: test.planName,
    docs: [`the records ${test.name} allows, as a filter`],
    parameters: [
      { name: 'p', type: 'Principal' },
      { name: 'rule', type: 'number' },
    ],
    returnType: 'QueryPlan',
    statements: planStatements(test),
  };
}

/** The body of a record test's plan twin: tests that differ only in their fallback (red or default deny) plan alike. */
export function planStatements(test: Pick<RecordTest, 'steps' | 'uses' | 'principal'>): string {
  const fold = (from: number, pad: string): string => {
    const alternatives: string[] = [];
    for (let i = from; i < test.steps.length; i++) {
      const step = test.steps[i]!;
      if (step.kind === 'allow') alternatives.push(step.plan);
      else if (step.kind === 'principal') {
        alternatives.push(`${step.planCheck} ? FALSE : ${fold(i + 1, pad)}`);
        break;
      } else if (step.missing !== undefined) {
        alternatives.push(`and(present(${lit(step.attribute)}), ${fold(i + 1, pad)})`);
        break;
      }
    }
    if (alternatives.length <= 1) return alternatives[0] ?? 'FALSE';
    return `or(\n${alternatives.map((a) => `${pad}  ${a},\n`).join('')}${pad})`;
  };
  const filter = fold(0, '');
  return [...test.uses.map((u) => preamble(test.principal, u).plan), `return planner.filtered(rule, ${filter});`].join('\n');
}
