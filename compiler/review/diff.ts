/**
 * `policyc diff`: what a change does to *effective* permissions — every role × resource × action
 * cell whose level changed (directly, or through `extends`), and every change of whose records a
 * role reaches through the hierarchy, groups and sharing rules — each traced to the rule,
 * `reportsTo`, group or sharing rule that caused it.
 */
import { COLOUR_OF, type Level, type PolicyModel, type RoleModel, type Rule } from '../ir/model.ts';
import { fieldChanges, type FieldChange } from './fields-diff.ts';

/** Levels from narrowest to widest; an administrator is wider than any grant. */
export type CellLevel = Level | 'admin';
const ORDER: readonly CellLevel[] = ['deny', 'own', 'team', 'all', 'admin'];
const SQUARE: Readonly<Record<CellLevel, string>> = { deny: '🟥', own: '🟨', team: '🟦', all: '🟩', admin: '🟩' };
const NAME: Readonly<Record<CellLevel, string>> = { ...COLOUR_OF, admin: 'administrator' };

export interface CellChange {
  readonly kind: 'cell';
  readonly role: string;
  readonly resource: string;
  readonly action: string;
  readonly before: CellLevel;
  readonly after: CellLevel;
  readonly direction: 'widen' | 'narrow';
  /** The rule that decides the cell after the change (or before it, when the role is gone). */
  readonly cause: string;
}

export interface ReachChange {
  readonly kind: 'reach';
  readonly role: string;
  /** Roles whose users' records the role now reaches / no longer reaches (hierarchy and peers). */
  readonly gained: readonly string[];
  readonly lost: readonly string[];
  readonly direction: 'widen' | 'narrow' | 'both';
  readonly cause: string;
}

/**
 * Records a role reaches by group membership (R-K8, R-Z7) and sharing rules (R-Z5, R-Z6), and
 * what subscribers may do (R-K9; role `*`: every role): each way in, described, as it appears
 * or disappears.
 */
export interface AccessChange {
  readonly kind: 'access';
  readonly role: string;
  readonly gained: readonly string[];
  readonly lost: readonly string[];
  readonly direction: 'widen' | 'narrow' | 'both';
  readonly cause: string;
}

export type Change = CellChange | ReachChange | AccessChange | FieldChange;

/** A name as inline code in markdown, whatever characters it holds. */
const code = (name: string): string => {
  const flat = name.replace(/[\r\n\u2028\u2029]+/g, ' ');
  const fence = '`'.repeat((flat.match(/`+/g) ?? []).reduce((n, run) => Math.max(n, run.length + 1), 1));
  return fence === '`' ? `\`${flat}\`` : `${fence} ${flat} ${fence}`;
};

const at = (rule: Rule): string => `${rule.source.file}:${rule.source.line}:${rule.source.column}`;

function cellOf(model: PolicyModel, role: RoleModel | undefined, resource: string, action: string): { level: CellLevel; rule: Rule | undefined } {
  if (!role) return { level: 'deny', rule: undefined };
  const id = role.administratorRule ?? role.cells.get(resource)?.get(action);
  const rule = id === undefined ? undefined : model.rules[id];
  if (!rule) return { level: 'deny', rule: undefined };
  return { level: rule.kind === 'administrator' ? 'admin' : rule.level, rule };
}

function describeRule(rule: Rule | undefined, role: string, gone: boolean): string {
  if (!rule) return gone ? `role ${code(role)} removed` : 'no rule';
  const via = rule.declaredIn === role ? '' : `, inherited from ${code(rule.declaredIn)}`;
  if (rule.kind === 'default') return `no grant: default deny (role at ${at(rule)})`;
  if (rule.kind === 'administrator') return `administrator${via} (${at(rule)})`;
  if (rule.kind === 'public') return `a yellow or blue grant${via} made green by the org-wide default at ${at(rule)}`;
  return `${rule.level} (${COLOUR_OF[rule.level]}) at ${at(rule)}${via}`;
}

/** Roles whose records `role` reaches beyond its own: the roles below it, and itself with peers. */
function reach(role: RoleModel | undefined): Set<string> {
  if (!role) return new Set();
  return new Set([...role.subordinates, ...(role.sharesWithPeers ? [role.name] : [])]);
}

/** The ways a role reaches records besides grants and hierarchy, described, with where each is written. */
function accessOf(model: PolicyModel, role: string): Map<string, string> {
  const ways = new Map<string, string>();
  const place = (s: { source: { file: string; line: number; column: number } }): string => `${s.source.file}:${s.source.line}:${s.source.column}`;
  if (role === '*') {
    for (const r of model.resources) {
      if (r.subscribers) ways.set(`subscribers of ${code(r.name)} records may ${r.subscribers.actions.map(code).join(', ')}`, `subscribers at ${at(model.rules[r.subscribers.rule]!)}`);
    }
    return ways;
  }
  const self = model.roles.find((r) => r.name === role);
  if (!self) return ways;
  for (const g of self.groups) {
    const group = model.groups.find((x) => x.name === g)!;
    ways.set(`member of group ${code(g)} (blue grants reach its records)`, `group ${code(g)} at ${place(group)}`);
  }
  for (const s of model.sharingRules) {
    if (!s.receivers.includes(role)) continue;
    const from = `${s.from.kind === 'group' ? 'group' : s.from.kind === 'role' ? 'role' : 'role and subordinates'} ${code(s.from.name)}`;
    ways.set(`${code(s.resource)} records of ${from} shared by ${code(s.name)} (${s.access}: ${s.actions.map(code).join(', ')})`, `sharing rule ${code(s.name)} at ${place(s)}`);
  }
  return ways;
}

export function diffModels(before: PolicyModel, after: PolicyModel): Change[] {
  const changes: Change[] = [];
  const roles = [...new Set([...before.roles, ...after.roles].map((r) => r.name))].sort();
  const resources = new Map<string, Set<string>>();
  for (const r of [...before.resources, ...after.resources]) resources.set(r.name, new Set([...(resources.get(r.name) ?? []), ...r.actions]));
  for (const name of roles) {
    const b = before.roles.find((r) => r.name === name);
    const a = after.roles.find((r) => r.name === name);
    for (const [resource, actions] of [...resources].sort(([x], [y]) => (x < y ? -1 : 1))) {
      for (const action of actions) {
        const was = cellOf(before, b, resource, action);
        const now = cellOf(after, a, resource, action);
        if (was.level === now.level) continue;
        const direction = ORDER.indexOf(now.level) > ORDER.indexOf(was.level) ? 'widen' : 'narrow';
        const cause = a ? describeRule(now.rule, name, false) : describeRule(undefined, name, true);
        changes.push({ kind: 'cell', role: name, resource, action, before: was.level, after: now.level, direction, cause });
      }
    }
    const wasReach = reach(b);
    const nowReach = reach(a);
    const gained = [...nowReach].filter((r) => !wasReach.has(r)).sort();
    const lost = [...wasReach].filter((r) => !nowReach.has(r)).sort();
    if (gained.length > 0 || lost.length > 0) {
      const moved = [...gained, ...lost].filter((r) => r !== name);
      const why = [
        ...(moved.length > 0 ? [`\`reportsTo\` changed for ${moved.map(code).join(', ')}`] : []),
        ...([...gained, ...lost].includes(name) ? [`\`sharesWithPeers\` of ${code(name)} changed`] : []),
      ];
      changes.push({
        kind: 'reach',
        role: name,
        gained,
        lost,
        direction: gained.length > 0 && lost.length > 0 ? 'both' : gained.length > 0 ? 'widen' : 'narrow',
        cause: why.join('; '),
      });
    }
  }
  for (const name of ['*', ...roles]) {
    const was = accessOf(before, name);
    const now = accessOf(after, name);
    const gained = [...now.keys()].filter((w) => !was.has(w)).sort();
    const lost = [...was.keys()].filter((w) => !now.has(w)).sort();
    if (gained.length === 0 && lost.length === 0) continue;
    changes.push({
      kind: 'access',
      role: name,
      gained,
      lost,
      direction: gained.length > 0 && lost.length > 0 ? 'both' : gained.length > 0 ? 'widen' : 'narrow',
      cause: [...new Set([...gained.map((w) => now.get(w)!), ...lost.map((w) => `${was.get(w)!} (before)`)])].join('; '),
    });
  }
  changes.push(...fieldChanges(before, after));
  // widening first: that is what a reviewer must not miss
  const rank = (c: Change): number => (c.direction === 'widen' ? 0 : c.direction === 'both' ? 1 : 2);
  return changes.sort((x, y) => (x.role < y.role ? -1 : x.role > y.role ? 1 : rank(x) - rank(y)));
}

export function widens(changes: readonly Change[]): boolean {
  return changes.some((c) => c.direction === 'widen' || c.direction === 'both');
}

/** Markdown for a pull-request comment: grouped by role, widening first, with colour squares. */
export function diffMarkdown(changes: readonly Change[], title: string): string {
  if (changes.length === 0) return `### ${title}\n\nNo change to effective permissions.\n`;
  const out = [`### ${title}`, ''];
  const widened = changes.filter((c) => c.direction !== 'narrow').length;
  out.push(`${changes.length} change${changes.length === 1 ? '' : 's'}: **${widened} widen${widened === 1 ? 's' : ''} access**, ${changes.length - widened} narrow${changes.length - widened === 1 ? 's' : ''} it.`, '');
  const roles = [...new Set(changes.map((c) => c.role))];
  for (const role of roles) {
    out.push(`#### ${role === '*' ? 'every role' : code(role)}`, '');
    for (const c of changes.filter((x) => x.role === role)) {
      const arrow = c.direction === 'narrow' ? '⬇️' : '⬆️';
      if (c.kind === 'field') {
        out.push(`- ${arrow} field ${code(`${c.resource}.${c.field}`)}: ${c.before} → ${c.after} — ${c.cause}`);
      } else if (c.kind === 'cell') {
        out.push(`- ${arrow} ${SQUARE[c.before]} → ${SQUARE[c.after]} ${code(c.resource)} · ${code(c.action)}: ${NAME[c.before]} → ${NAME[c.after]} — ${c.cause}`);
      } else if (c.kind === 'access') {
        const parts = [...c.gained.map((w) => `gains: ${w}`), ...c.lost.map((w) => `loses: ${w}`)];
        out.push(`- ${arrow} ${parts.join('; ')} — ${c.cause}`);
      } else {
        const parts = [
          ...(c.gained.length > 0 ? [`now reaches records of ${c.gained.map(code).join(', ')}`] : []),
          ...(c.lost.length > 0 ? [`no longer reaches records of ${c.lost.map(code).join(', ')}`] : []),
        ];
        out.push(`- ${arrow} hierarchy: ${parts.join('; ')} (within its yellow and blue grants) — ${c.cause}`);
      }
    }
    out.push('');
  }
  return out.join('\n');
}
