/**
 * `policyc explain`: the steps of one decision, in the order the generated checker takes
 * them, each with the rule it consults and its source position. Read from the policy model;
 * the CLI prints it next to the decision of the compiled checker itself.
 */
import { isObject, ordinary } from '@policyc/runtime';
import * as cel from '@policyc/runtime/cel';
import { javascriptOf } from '../cel/emit.ts';
import { COLOUR_OF, type ConditionModel, type PolicyModel, type Rule } from '../ir/model.ts';

export interface TraceStep {
  /** What was tested, in the policy's words. */
  readonly test: string;
  /** What it found. */
  readonly outcome: string;
  /** The rule consulted, with its place in the policy files. */
  readonly at: string | undefined;
}

export interface Trace {
  readonly steps: readonly TraceStep[];
  /** The decision code the steps end in (the compiled checker must agree). */
  readonly code: string;
  /** For `parent`, which allows or denies: whether the parent record's check allowed. */
  readonly allow?: boolean;
}

/** Whether a trace ends in an allowing decision. */
const allows = (trace: Trace): boolean => (trace.code === 'parent' ? trace.allow === true : ALLOWING.has(trace.code));

const show = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : value === undefined ? 'missing' : `${JSON.stringify(value)} (not a string)`);

const where = (rule: Rule): string => `${rule.source.file}:${rule.source.line}:${rule.source.column}`;

/** Compiled `cel` conditions, by their JavaScript. */
const compiled = new Map<string, (cel: unknown, p: unknown, r: unknown, c: unknown) => unknown>();

/**
 * Evaluates a condition as the generated checker does: `true`, `false`, or why it cannot be
 * evaluated (a stage or pipeline attribute that is not a string, a CEL error, an exception).
 */
export function evaluateCondition(condition: ConditionModel, principal: unknown, resource: Record<string, unknown>, context: unknown): true | false | { readonly error: string } {
  if (condition.kind === 'equals') {
    // a group's pipeline rule for members by request (R-K5): others skip it
    if (condition.group !== undefined) {
      const groups = (principal as { groups?: unknown } | null)?.groups;
      if (!Array.isArray(groups) || !groups.includes(condition.group)) return false;
    }
    const value = resource[condition.attribute];
    return typeof value !== 'string' ? { error: `\`${condition.attribute}\` is ${show(value)}` } : value === condition.value;
  }
  let fn = compiled.get(condition.js);
  if (fn === undefined) {
    // declared as the checker's `when_…` function declares them (compiler/cel/emit.ts)
    const temps = condition.temps.length === 0 ? '' : `let ${condition.temps.join(', ')}; `;
    fn = new Function('cel', 'p', 'r', 'c', `"use strict"; ${temps}return ${javascriptOf(condition.js)};`) as (cel: unknown, p: unknown, r: unknown, c: unknown) => unknown;
    compiled.set(condition.js, fn);
  }
  try {
    // the principal and the record as `can` passes them (own.ts `ordinary`), which the condition's code relies on
    const value = fn(cel, isObject(principal) ? ordinary(principal) : principal, ordinary(resource), context ?? {});
    if (value === true || value === false) return value;
    return { error: cel.isError(value as cel.CelValue) ? (value as cel.CelError).message : `the value is not a bool` };
  } catch (error) {
    return { error: `an exception: ${(error as Error).message}` };
  }
}

/**
 * The steps of a decision. A principal with several `roles` is traced once per role, as a
 * one-role principal: the first role that allows decides, else the first role's denial.
 */
export function traceDecision(model: PolicyModel, principal: unknown, action: string, resource: unknown, context?: unknown): Trace {
  const roles = typeof principal === 'object' && principal !== null && Object.hasOwn(principal, 'roles') ? (principal as { roles?: unknown }).roles : undefined;
  if (roles === undefined) return traceOne(model, principal, action, resource, context);
  const names = Array.isArray(roles) ? roles.filter((_, i) => Object.hasOwn(roles, i)) : [];
  if (!Array.isArray(roles) || names.length === 0 || names.length > 64 || names.length !== roles.length || !names.every((r) => typeof r === 'string')) {
    return { steps: [{ test: 'the principal has `roles`: a list of 1 to 64 role names', outcome: 'no', at: undefined }], code: 'invalid-request' };
  }
  const traces = (names as string[]).map((role) => ({ role, trace: traceOne(model, { ...(principal as object), role, roles: undefined }, action, resource, context) }));
  const chosen = traces.find((t) => allows(t.trace)) ?? traces[0]!;
  const steps = traces.flatMap(({ role, trace }) => [
    { test: `as role ${show(role)}, one of the principal's roles`, outcome: trace.code, at: undefined },
    ...trace.steps.map((s) => ({ ...s, test: `  ${s.test}` })),
  ]);
  const decided = { test: 'several roles: the first that allows decides, else the first role', outcome: `role ${show(chosen.role)}`, at: undefined };
  return { steps: [...steps, decided], code: chosen.trace.code, ...(chosen.trace.allow === undefined ? {} : { allow: chosen.trace.allow }) };
}

function traceOne(model: PolicyModel, principal: unknown, action: string, resource: unknown, context?: unknown): Trace {
  const steps: TraceStep[] = [];
  const step = (test: string, outcome: string, rule?: Rule): void => void steps.push({ test, outcome, at: rule && where(rule) });
  const end = (code: string): Trace => ({ steps, code });

  const p = principal as { id?: unknown; role?: unknown; groups?: unknown } | null;
  if (typeof p !== 'object' || p === null || typeof p.id !== 'string' || typeof p.role !== 'string') {
    step('the principal has a string `id` and `role`', 'no');
    return end('invalid-request');
  }
  const r = resource as { kind?: unknown; [attribute: string]: unknown } | null;
  if (typeof r !== 'object' || r === null || typeof r.kind !== 'string') {
    step('the resource has a string `kind`', 'no');
    return end('invalid-request');
  }
  if (context !== undefined && (typeof context !== 'object' || context === null)) {
    step('the context, if given, is an object', 'no');
    return end('invalid-request');
  }
  // R-Z2: the profile the principal carries, if any, must be one of the policy's
  const profile = Object.hasOwn(p, 'profile') ? (p as { profile?: unknown }).profile : undefined;
  if (profile !== undefined) {
    const known = typeof profile === 'string' && model.profiles.includes(profile);
    step(`profile ${show(profile)} is a profile of the policy`, known ? 'yes' : 'no');
    if (!known) return end(typeof profile === 'string' ? 'unknown-profile' : 'invalid-request');
  }
  const kind = model.resources.find((x) => x.name === r.kind);
  if (!kind) {
    step(`resource kind ${show(r.kind)} is defined`, 'no');
    return end('unknown-resource');
  }
  if (!kind.actions.includes(action)) {
    step(`${show(action)} is an action of \`${kind.name}\``, `no; its actions are ${kind.actions.join(', ')}`);
    return end('unknown-action');
  }
  if (kind.organisation !== undefined) {
    const organisation = r[kind.organisation];
    const mine = (p as { organisation?: unknown }).organisation;
    step(`organisation attribute \`${kind.organisation}\` is a string`, show(organisation));
    if (typeof organisation !== 'string') return end('missing-attribute');
    step("the principal's `organisation` is a string", show(mine));
    if (typeof mine !== 'string') return end('invalid-request');
    step("the record is in the principal's organisation", organisation === mine ? 'yes' : 'no');
    if (organisation !== mine) return end('other-organisation');
    const memberships = (p as { organisations?: unknown }).organisations;
    if (memberships !== undefined) {
      const member = Array.isArray(memberships) && memberships.some((o, i) => Object.hasOwn(memberships, i) && o === organisation);
      step("the principal's `organisations` list it", member ? 'yes' : 'no');
      if (!member) return end('other-organisation');
    }
  }
  if (kind.parent !== undefined) {
    const { parent } = kind;
    const rule = model.rules[parent.rule]!;
    // R-K7: the capability the child kind requires (where its condition holds), before the parent
    const requires = kind.requires;
    if (requires !== undefined) {
      const capability = `\`${requires.permission}\` of module \`${requires.module}\``;
      const need = requires.condition === undefined ? true : evaluateCondition(requires.condition, p, r, context);
      if (requires.condition !== undefined) {
        step(`\`${kind.name}\` records need capability ${capability} where ${requires.condition.text}`, need === true ? 'yes' : need === false ? 'no' : `cannot tell: ${need.error}; denied unless the principal holds it`, rule);
      }
      if (need !== false) {
        const has = traceDecision(model, principal, requires.permission, { kind: requires.module }, context);
        const held = allows(has);
        step(`the principal holds capability ${capability} (needs capability ${requires.permission})`, `${held ? 'yes' : 'no'} (${has.code})`, rule);
        for (const s of has.steps) steps.push({ ...s, test: `  capability: ${s.test}` });
        // a condition that cannot be evaluated denies only a principal lacking the capability
        if (!held) return end(need === true ? 'capability' : 'condition');
      }
    }
    const record = r[parent.attribute] as { kind?: unknown } | null | undefined;
    const parentKind = typeof record === 'object' && record !== null ? model.resources.find((x) => x.name === record.kind && parent.resources.includes(x.name)) : undefined;
    step(`\`${kind.name}\` follows its parent record in \`${parent.attribute}\`, of kind ${parent.resources.map((x) => `\`${x}\``).join(' or ')}`, parentKind ? `a \`${parentKind.name}\`` : 'missing or of another kind', rule);
    if (parentKind === undefined) return end('missing-attribute');
    const needs = parent.needs.get(action) ?? 'write';
    const parentAction = (needs === 'read' ? parentKind.read[0] : parentKind.write[0])!;
    const inner = traceDecision(model, principal, parentAction, record, context);
    const allowed = allows(inner);
    step(`the principal may ${needs} the parent (\`${parentAction}\` on \`${parentKind.name}\`)`, `${allowed ? 'yes' : 'no'} (${inner.code})`);
    for (const s of inner.steps) steps.push({ ...s, test: `  parent: ${s.test}` });
    return { steps, code: 'parent', allow: allowed };
  }
  // R-K5: a record in a pipeline or stage its resource does not declare is refused
  if (kind.pipelines !== undefined) {
    const declared = [
      ...(kind.pipeline === undefined ? [] : [{ attribute: kind.pipeline, values: [...kind.pipelines.keys()] }]),
      ...(kind.stage === undefined ? [] : [{ attribute: kind.stage, values: [...kind.pipelines.values()].flat() }]),
    ];
    for (const { attribute, values } of declared) {
      const value = Object.hasOwn(r, attribute) ? r[attribute] : undefined;
      if (value === undefined) continue;
      const ok = values.includes(value as string);
      step(`\`${attribute}\` is a declared value of \`${kind.name}\``, ok ? 'yes' : `no: ${show(value)}`);
      if (!ok) return end('invalid-request');
    }
  }
  const asWritten = model.roles.find((x) => x.name === p.role);
  if (!asWritten) {
    step(`role ${show(p.role)} is defined`, 'no');
    return end('unknown-role');
  }
  // R-Z2: the profile the principal carries takes the place of the role's own
  const role = profile === undefined || profile === asWritten.profile ? asWritten : asWritten.byProfile.get(profile as string);
  if (role === undefined) return end('unknown-profile');
  if (role !== asWritten) step(`profile \`${String(profile)}\` replaces the profile of role \`${asWritten.name}\``, 'yes: its grants decide, the role says whose records the principal reaches');
  if ((p as { technical?: unknown }).technical === true) {
    step('the principal is a technical (partner) user', `yes: decides exactly like its role \`${role.name}\` (R-K11)`);
  }
  if (role.administratorRule !== undefined) {
    const rule = model.rules[role.administratorRule]!;
    step(`role \`${role.name}\` is an administrator`, rule.declaredIn === role.name ? 'yes' : `yes, through \`${rule.declaredIn}\``, rule);
    return end('admin');
  }
  step(`role \`${role.name}\` is an administrator`, 'no');
  const subscribers = kind.subscribers !== undefined && kind.subscribers.actions.includes(action) ? kind.subscribers : undefined;
  /** The last way in: a subscriber (R-K9). */
  const subscribed = (otherwise: string): Trace => {
    if (subscribers === undefined) return end(otherwise);
    const list = r[subscribers.attribute];
    const yes = Array.isArray(list) && list.includes(p.id);
    step(`the principal subscribes to the record (\`${subscribers.attribute}\`)`, yes ? 'yes' : 'no', model.rules[subscribers.rule]);
    return end(yes ? 'subscriber' : otherwise);
  };
  let rule = model.rules[role.cells.get(kind.name)!.get(action)!]!;
  // R-K5: the role's pipelines, its groups' pipelines, then its stages, naming this action, before the grant
  const overrides = role.overrides.get(kind.name)?.get(action) ?? [];
  let overridden = false;
  for (const o of overrides) {
    const override = model.rules[o]!;
    const condition = override.condition!;
    const held = evaluateCondition(condition, p, r, context);
    const level = override.kind === 'public' ? `all (${COLOUR_OF.all}, widened by the org-wide default)` : `${override.level} (${COLOUR_OF[override.level]})`;
    step(`override of \`${role.name}\`: ${condition.text} gives ${level}`, held === true ? 'yes' : held === false ? 'no' : `cannot tell: ${held.error}; denied`, override);
    if (held !== true && held !== false) return end('condition');
    if (held) {
      rule = override;
      overridden = true;
      break;
    }
  }
  /** The grant's own condition (`when:`, `duringShift`), which must hold. */
  const conditionHolds = (): boolean => {
    if (rule.condition === undefined) return true;
    if (rule.condition.kind === 'cel' && rule.condition.duringShift !== undefined) {
      // R-Z10: which shift the generated condition tests (the principal's own, else the role's)
      // own properties, as conditions read them (docs/conditions.md)
      const own = Object.hasOwn(p, 'shift') ? (p as { shift?: unknown }).shift : undefined;
      const name = own !== undefined ? own : role.shift;
      const shift = typeof name === 'string' ? model.shifts.find((x) => x.name === name) : undefined;
      const now = typeof context === 'object' && context !== null && Object.hasOwn(context, 'now') ? (context as { now?: unknown }).now : undefined;
      const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
      const days = shift?.days.map((d) => ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][d]).join(', ');
      step(
        `the principal's shift (${own !== undefined ? 'its own `shift`' : `of role \`${role.name}\``}), at \`context.now\` ${now instanceof Date ? (Number.isNaN(now.getTime()) ? 'an invalid Date' : now.toISOString()) : show(now)}`,
        name === undefined ? 'none' : shift === undefined ? `${show(name)}, not a declared shift` : `\`${shift.name}\`: ${days}, ${hhmm(shift.start)} to ${hhmm(shift.end)} in ${shift.timeZone}`,
      );
    }
    const held = evaluateCondition(rule.condition, p, r, context);
    step(`the grant's condition ${rule.condition.text}`, held === true ? 'holds' : held === false ? 'does not hold: denied' : `could not be evaluated (${held.error}): denied`, rule);
    return held === true;
  };
  if (overridden) {
    if (rule.kind === 'public') return end('public');
    if (rule.level === 'deny') return subscribed('denied');
    if (rule.level === 'all') return end('all');
  }
  const inherited = rule.declaredIn === role.name ? '' : `, inherited from \`${rule.declaredIn}\``;
  if (rule.kind === 'default') {
    step(`grant of \`${role.name}\` for \`${kind.name}\` · \`${action}\``, 'none written, nor inherited: default deny', rule);
    return subscribed('default-deny');
  }
  if (rule.kind === 'public') {
    step(`grant of \`${role.name}\` for \`${kind.name}\` · \`${action}\``, `own or team${inherited}, widened to all by the org-wide default \`${kind.defaultAccess}\``, rule);
    return end(conditionHolds() ? 'public' : 'condition');
  }
  if (!overridden) {
    step(`grant of \`${role.name}\` for \`${kind.name}\` · \`${action}\``, `${rule.level} (${COLOUR_OF[rule.level]})${inherited}`, rule);
    if (!conditionHolds()) return end('condition');
  }
  if (rule.level === 'deny') return subscribed('denied');
  if (rule.level === 'all') return end('all');

  const owner = r[kind.owner!];
  step(`owner attribute \`${kind.owner}\` is a string`, show(owner));
  if (typeof owner !== 'string') return end('missing-attribute');
  step('the principal is the owner', owner === p.id ? 'yes' : `no (principal ${show(p.id)})`);
  if (owner === p.id) return end('own');
  const malformedGroups = p.groups !== undefined && !Array.isArray(p.groups);
  const groups = (Array.isArray(p.groups) ? p.groups : []) as unknown[];
  const roleGroups = new Map(model.groups.map((g) => [g.name, g.roles]));
  let ownerRole: unknown;
  const readOwnerRole = (): boolean => {
    ownerRole = r[kind.ownerRole!];
    step(`owner-role attribute \`${kind.ownerRole}\` is a string`, show(ownerRole));
    return typeof ownerRole === 'string';
  };
  if (rule.level === 'team') {
    const team = r[kind.team!];
    step(`team attribute \`${kind.team}\` is a string`, show(team));
    if (typeof team !== 'string') return end('missing-attribute');
    if (malformedGroups) {
      step("the principal's `groups` is a list", 'no');
      return end('invalid-request');
    }
    const mine = [...groups, ...role.groups];
    step("the record's team is one of the principal's groups", mine.includes(team) ? 'yes' : `no (groups: ${mine.map(show).join(', ') || 'none'}${role.groups.length > 0 ? `, of which ${role.groups.join(', ')} through role \`${role.name}\`` : ''})`);
    if (mine.includes(team)) return end('team');
    if (kind.ownerRole !== undefined && model.groups.some((g) => g.roles.length > 0)) {
      if (!readOwnerRole()) return end('missing-attribute');
      const member = mine.some((g) => typeof g === 'string' && (roleGroups.get(g) ?? []).includes(ownerRole as string));
      step("the owner's role belongs to one of the principal's groups", member ? 'yes' : 'no');
      if (member) return end('group');
    }
  }
  if (model.hierarchy === 'reporting') {
    const reports = (p as { reports?: unknown }).reports;
    const valid = Array.isArray(reports) || reports instanceof Set;
    step("the principal's `reports` is a list (reporting hierarchy)", valid ? 'yes' : 'no');
    if (!valid) return end('invalid-request');
    const yes = Array.isArray(reports) ? reports.includes(owner) : (reports as Set<unknown>).has(owner);
    step('the owner reports to the principal', yes ? 'yes' : 'no');
    if (yes) return end('reports');
  }
  const below = model.hierarchy === 'roles' ? role.subordinates : [];
  // R-Z1: the top role reaches its co-holders' records too
  const peers = role.sharesWithPeers || (model.hierarchy === 'roles' && role.top);
  if (kind.ownerRole !== undefined && (below.length > 0 || peers)) {
    if (ownerRole === undefined && !readOwnerRole()) return end('missing-attribute');
    if (typeof ownerRole !== 'string') return end('missing-attribute');
    if (below.length > 0) {
      const yes = below.includes(ownerRole);
      step(`the owner's role is below \`${role.name}\``, yes ? 'yes' : `no (below: ${below.join(', ')})`);
      if (yes) return end('hierarchy');
    }
    if (peers) {
      step(`the owner is a peer in \`${role.name}\` (${role.sharesWithPeers ? 'shares with peers' : 'the top role reaches every record'})`, ownerRole === role.name ? 'yes' : 'no');
      if (ownerRole === role.name) return end('peer');
    }
  } else {
    step('the role hierarchy applies', model.hierarchy === 'reporting' ? 'no: the policy uses the reporting hierarchy' : kind.ownerRole === undefined ? `no: \`${kind.name}\` declares no \`ownerRole\`` : `no: no role is below \`${role.name}\` and it does not share with peers`);
  }
  for (const sharing of model.sharingRules) {
    if (sharing.resource !== kind.name || !sharing.actions.includes(action)) continue;
    const fixed = sharing.receivers.includes(role.name);
    if (!fixed && sharing.to.kind !== 'group') continue;
    if (!fixed && malformedGroups) {
      step("the principal's `groups` is a list", 'no');
      return end('invalid-request');
    }
    const rule = model.rules[sharing.rule];
    const receives = fixed || groups.includes(sharing.to.name);
    const team = kind.team === undefined ? undefined : r[kind.team];
    const role_ = kind.ownerRole === undefined ? undefined : r[kind.ownerRole];
    const owned = (sharing.from.kind === 'group' && team === sharing.from.name) || (typeof role_ === 'string' && sharing.from.roles.includes(role_));
    step(`sharing rule \`${sharing.name}\` shares this record with the principal`, !receives ? 'no: the principal does not receive it' : owned ? 'yes' : "no: the record's owner is not on its giving side", rule);
    if (receives && owned) return end('shared');
  }
  return subscribed('not-reached');
}

const ALLOWING = new Set(['admin', 'all', 'own', 'team', 'hierarchy', 'peer', 'group', 'reports', 'shared', 'public', 'subscriber', 'parent']);

export function formatTrace(trace: Pick<Trace, 'steps'>): string {
  return trace.steps.map((s, i) => `${String(i + 1).padStart(2)}. ${s.test}: ${s.outcome}${s.at ? `  (${s.at})` : ''}`).join('\n');
}
