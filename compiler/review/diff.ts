/**
 * `policyc diff`: what a change does to *effective* permissions — every role × resource × action
 * cell whose level changed (directly, or through `extends`), and every change of whose records a
 * role reaches through the hierarchy, groups and sharing rules — each traced to the rule,
 * `reportsTo`, group or sharing rule that caused it.
 */
import { principalRows } from './principals.ts';
import { COLOUR_OF, type Level, type PolicyModel, type RoleModel, type Rule } from '../ir/model.ts';
import { code, conditionLabel, overridesOf, place, whenText } from './conditions.ts';
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
  /** `both`: a condition changed, so some requests may gain and others lose access. */
  readonly direction: 'widen' | 'narrow' | 'both';
  /** The rule that decides the cell after the change (or before it, when the role is gone). */
  readonly cause: string;
  /**
   * Set for a stage or pipeline override (R-K5): which records the change is about, such as
   * ``stage `won` `` (the levels are the cell's for records in that stage).
   */
  readonly condition?: string;
  /**
   * The condition of the grant before and after, where one is written, as markdown: the `when:`
   * in code, or ``during the user's shift (`office` unless the user has another)``.
   */
  readonly beforeWhen?: string;
  readonly afterWhen?: string;
}

/**
 * Ways a role reaches records, as they appear (`gained`) or disappear (`lost`). `reach`: the
 * roles whose users' records it reaches through the hierarchy and peers; `access`: group
 * membership (R-K8, R-Z7), sharing rules (R-Z5, R-Z6) and what subscribers may do (R-K9; role
 * `*`: every role), each described.
 */
interface WaysChange<K extends 'reach' | 'access'> {
  readonly kind: K;
  readonly role: string;
  readonly gained: readonly string[];
  readonly lost: readonly string[];
  readonly direction: 'widen' | 'narrow' | 'both';
  readonly cause: string;
}

export type ReachChange = WaysChange<'reach'>;
export type AccessChange = WaysChange<'access'>;

export type Change = CellChange | ReachChange | AccessChange | FieldChange;


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

/** The CEL text of a rule's condition (`when:`, shifts); stage and pipeline overrides are cells of their own. */
const whenOf = (rule: Rule | undefined): string | undefined => (rule?.condition?.kind === 'cel' ? rule.condition.text : undefined);
/** The same condition for people (see {@link whenText}). */
const shownWhen = (rule: Rule | undefined): string | undefined => (rule?.condition?.kind === 'cel' ? whenText(rule.condition) : undefined);
/** Why a condition whose words did not change is reported: the shifts behind `duringShift` changed. */
const shiftsChanged = (w1: string | undefined, w2: string | undefined, c1: string | undefined, c2: string | undefined): string =>
  w1 !== undefined && w1 === w2 && c1 !== c2 ? 'the shifts (R-Z10) changed; ' : '';

/**
 * How access moved from `level` when `cond` (no condition: always) to the other side's. A deny
 * allows nothing whatever its condition; between two allowing levels, a removed condition widens,
 * an added one narrows, a rewritten one may do both.
 */
function direction(l1: CellLevel, c1: string | undefined, l2: CellLevel, c2: string | undefined): CellChange['direction'] | undefined {
  if (l1 === 'deny' || l2 === 'deny') return l1 === l2 ? undefined : l1 === 'deny' ? 'widen' : 'narrow';
  const byLevel = ORDER.indexOf(l2) > ORDER.indexOf(l1) ? 'widen' : ORDER.indexOf(l2) < ORDER.indexOf(l1) ? 'narrow' : undefined;
  const byCondition = c1 === c2 ? undefined : c2 === undefined ? 'widen' : c1 === undefined ? 'narrow' : 'both';
  if (byLevel === undefined || byCondition === undefined) return byLevel ?? byCondition;
  return byLevel === byCondition ? byLevel : 'both';
}

/** Roles whose records `role` reaches beyond its own: the roles below it, and itself with peers. */
function reach(role: RoleModel | undefined): Set<string> {
  if (!role) return new Set();
  return new Set([...role.subordinates, ...(role.sharesWithPeers || role.top ? [role.name] : [])]);
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
  // roles, and roles for users carrying another profile (R-Z2), by row label
  const rowsBefore = new Map(principalRows(before).map((r) => [r.label, r.role]));
  const rowsAfter = new Map(principalRows(after).map((r) => [r.label, r.role]));
  const roles = [...new Set([...rowsBefore.keys(), ...rowsAfter.keys()])].sort();
  const resources = new Map<string, Set<string>>();
  for (const r of [...before.resources, ...after.resources]) resources.set(r.name, new Set([...(resources.get(r.name) ?? []), ...r.actions]));
  for (const name of roles) {
    const b = rowsBefore.get(name);
    const a = rowsAfter.get(name);
    for (const [resource, actions] of [...resources].sort(([x], [y]) => (x < y ? -1 : 1))) {
      for (const action of actions) {
        const was = cellOf(before, b, resource, action);
        const now = cellOf(after, a, resource, action);
        const wasWhen = whenOf(was.rule);
        const nowWhen = whenOf(now.rule);
        const moved = direction(was.level, wasWhen, now.level, nowWhen);
        const wasShown = shownWhen(was.rule);
        const nowShown = shownWhen(now.rule);
        if (moved !== undefined) {
          const cause = a ? describeRule(now.rule, name, false) : describeRule(undefined, name, true);
          changes.push({
            kind: 'cell', role: name, resource, action, before: was.level, after: now.level, direction: moved,
            cause: shiftsChanged(wasShown, nowShown, wasWhen, nowWhen) + cause,
            ...(wasShown === undefined ? {} : { beforeWhen: wasShown }),
            ...(nowShown === undefined ? {} : { afterWhen: nowShown }),
          });
        }
        // R-K5: each stage or pipeline override, compared as the cell of the records it matches
        const wasOverrides = new Map(b && b.administratorRule === undefined ? overridesOf(before, b, resource, action).map((r) => [conditionLabel(before, resource, r.condition!), r] as const) : []);
        const nowOverrides = new Map(a && a.administratorRule === undefined ? overridesOf(after, a, resource, action).map((r) => [conditionLabel(after, resource, r.condition!), r] as const) : []);
        for (const label of new Set([...wasOverrides.keys(), ...nowOverrides.keys()])) {
          const o1 = wasOverrides.get(label);
          const o2 = nowOverrides.get(label);
          const [l1, c1, w1] = o1 ? [o1.level, undefined, undefined] : [was.level, wasWhen, wasShown];
          const [l2, c2, w2] = o2 ? [o2.level, undefined, undefined] : [now.level, nowWhen, nowShown];
          const d = direction(l1, c1, l2, c2);
          if (d === undefined) continue;
          const decided = a ? describeRule(o2 ?? now.rule, name, false) : describeRule(undefined, name, true);
          const cause = o1 && !o2 && a ? `the override at ${place(o1)} was removed; now ${decided}` : decided;
          changes.push({
            kind: 'cell', role: name, resource, action, condition: label, before: l1, after: l2, direction: d,
            cause: shiftsChanged(w1, w2, c1, c2) + cause,
            ...(w1 === undefined ? {} : { beforeWhen: w1 }),
            ...(w2 === undefined ? {} : { afterWhen: w2 }),
          });
        }
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
      const arrow = c.direction === 'narrow' ? '⬇️' : c.direction === 'both' ? '↕️' : '⬆️';
      if (c.kind === 'field') {
        out.push(`- ${arrow} field ${code(`${c.resource}.${c.field}`)}: ${c.before} → ${c.after} — ${c.cause}`);
      } else if (c.kind === 'cell') {
        const stage = c.condition === undefined ? '' : ` [${c.condition}]`;
        const level = (l: CellLevel, when: string | undefined) => `${NAME[l]}${when === undefined ? '' : ` when ${when}`}`;
        out.push(`- ${arrow} ${SQUARE[c.before]} → ${SQUARE[c.after]} ${code(c.resource)} · ${code(c.action)}${stage}: ${level(c.before, c.beforeWhen)} → ${level(c.after, c.afterWhen)} — ${c.cause}`);
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
