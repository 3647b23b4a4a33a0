/**
 * `policyc explain`: the steps of one decision, in the order the generated checker takes
 * them, each with the rule it consults and its source position. Read from the policy model;
 * the CLI prints it next to the decision of the compiled checker itself.
 */
import { COLOUR_OF, type PolicyModel, type Rule } from '../ir/model.ts';

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
}

const show = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : value === undefined ? 'missing' : `${JSON.stringify(value)} (not a string)`);

const where = (rule: Rule): string => `${rule.source.file}:${rule.source.line}:${rule.source.column}`;

export function traceDecision(model: PolicyModel, principal: unknown, action: string, resource: unknown): Trace {
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
  }
  const role = model.roles.find((x) => x.name === p.role);
  if (!role) {
    step(`role ${show(p.role)} is defined`, 'no');
    return end('unknown-role');
  }
  if ((p as { technical?: unknown }).technical === true) {
    step('the principal is a technical (partner) user', `yes: decides exactly like its role \`${role.name}\` (R-K11)`);
  }
  if (role.administratorRule !== undefined) {
    const rule = model.rules[role.administratorRule]!;
    step(`role \`${role.name}\` is an administrator`, rule.declaredIn === role.name ? 'yes' : `yes, through \`${rule.declaredIn}\``, rule);
    return end('admin');
  }
  step(`role \`${role.name}\` is an administrator`, 'no');
  const rule = model.rules[role.cells.get(kind.name)!.get(action)!]!;
  const inherited = rule.declaredIn === role.name ? '' : `, inherited from \`${rule.declaredIn}\``;
  if (rule.kind === 'default') {
    step(`grant of \`${role.name}\` for \`${kind.name}\` · \`${action}\``, 'none written, nor inherited: default deny', rule);
    return end('default-deny');
  }
  step(`grant of \`${role.name}\` for \`${kind.name}\` · \`${action}\``, `${rule.level} (${COLOUR_OF[rule.level]})${inherited}`, rule);
  if (rule.level === 'deny') return end('denied');
  if (rule.level === 'all') return end('all');

  const owner = r[kind.owner!];
  step(`owner attribute \`${kind.owner}\` is a string`, show(owner));
  if (typeof owner !== 'string') return end('missing-attribute');
  step('the principal is the owner', owner === p.id ? 'yes' : `no (principal ${show(p.id)})`);
  if (owner === p.id) return end('own');
  if (rule.level === 'team') {
    const team = r[kind.team!];
    step(`team attribute \`${kind.team}\` is a string`, show(team));
    if (typeof team !== 'string') return end('missing-attribute');
    if (p.groups !== undefined && !Array.isArray(p.groups)) {
      step("the principal's `groups` is a list", 'no');
      return end('invalid-request');
    }
    const groups = (p.groups ?? []) as unknown[];
    step("the record's team is one of the principal's groups", groups.includes(team) ? 'yes' : `no (groups: ${groups.map(show).join(', ') || 'none'})`);
    if (groups.includes(team)) return end('team');
  }
  const reaches = role.subordinates.length > 0 || role.sharesWithPeers;
  if (kind.ownerRole === undefined || !reaches) {
    step('the hierarchy applies', kind.ownerRole === undefined ? `no: \`${kind.name}\` declares no \`ownerRole\`` : `no: no role is below \`${role.name}\` and it does not share with peers`);
    return end('not-reached');
  }
  const ownerRole = r[kind.ownerRole];
  step(`owner-role attribute \`${kind.ownerRole}\` is a string`, show(ownerRole));
  if (typeof ownerRole !== 'string') return end('missing-attribute');
  const below = role.subordinates.includes(ownerRole);
  step(`the owner's role is below \`${role.name}\``, below ? 'yes' : `no (below: ${role.subordinates.join(', ') || 'none'})`);
  if (below) return end('hierarchy');
  if (role.sharesWithPeers) {
    step(`the owner is a peer in \`${role.name}\` (shares with peers)`, ownerRole === role.name ? 'yes' : 'no');
    if (ownerRole === role.name) return end('peer');
  }
  return end('not-reached');
}

export function formatTrace(trace: Pick<Trace, 'steps'>): string {
  return trace.steps.map((s, i) => `${String(i + 1).padStart(2)}. ${s.test}: ${s.outcome}${s.at ? `  (${s.at})` : ''}`).join('\n');
}
