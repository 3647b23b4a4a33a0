/**
 * The limits analysis enforces before it builds anything (issue 14): roles, rules and the length
 * of conditions. A limit exceeded stops analysis: building the model, or compiling a 200,000-element
 * list literal, is where memory would run out.
 */
import type { DiagnosticBag } from '../diagnostics/diagnostic.ts';
import { tick } from '../diagnostics/diagnostic.ts';
import { count, type Limits } from '../diagnostics/limits.ts';
import { spanOf, type Declarations } from './declarations.ts';

/** False, after reporting each limit exceeded, when the policy set is beyond a limit. */
export function withinLimits(declarations: Declarations, limits: Limits, bag: DiagnosticBag): boolean {
  const before = bag.items.length;
  const { roles, profiles, resources } = declarations;
  const all = [...roles.values(), ...profiles.values()];
  const past = all[limits.maxRoles];
  if (past !== undefined) {
    bag.report('TooManyRoles', spanOf(past.origin), `the policy set has ${count(all.length)} roles and profiles, more than the limit of ${count(limits.maxRoles)}; this is the first past it`, {
      help: 'roles that grant the same can be one role (users differ, not roles); or raise the limit `maxRoles`',
    });
  }
  // every role has a rule per resource × action, and one more per stage or pipeline value it writes
  let cells = 0;
  for (const r of resources.values()) if (r.parent === undefined) cells += r.model.actions.length;
  let rules = roles.size * cells;
  for (const role of roles.values()) {
    for (const key of ['stages', 'pipelines'] as const) {
      for (const [resource, values] of role[key]) rules += values.size * (resources.get(resource)?.model.actions.length ?? 0);
    }
  }
  const first = roles.values().next().value;
  if (rules > limits.maxRules && first !== undefined) {
    bag.report('TooManyRules', spanOf(first.origin), `${count(roles.size)} roles × ${count(cells)} resource actions make ${count(rules)} rules, more than the limit of ${count(limits.maxRules)}`, {
      help: 'split the policy set by product area, or raise the limit `maxRules`',
    });
  }
  // every role has a field mask entry per attribute of each record resource
  let attributes = 0;
  for (const r of resources.values()) if (r.model.kind === 'record') attributes += r.model.attributes.length;
  const entries = roles.size * attributes;
  if (entries > limits.maxFieldEntries && first !== undefined) {
    bag.report('TooManyRules', spanOf(first.origin), `${count(roles.size)} roles × ${count(attributes)} attributes make ${count(entries)} field-mask entries, more than the limit of ${count(limits.maxFieldEntries)}`, {
      help: 'declare only the attributes decisions and field rules use, or raise the limit `maxFieldEntries`',
    });
  }
  const specs = new Map([...profiles, ...roles]);
  const chains = [
    { parents: (r: string) => [roles.get(r)?.reportsTo].filter((p): p is string => p !== undefined && roles.has(p)), verb: 'reports to a chain of' },
    { parents: (r: string) => { const s = specs.get(r); return s === undefined ? [] : [...(s.profile === undefined ? [] : [s.profile]), ...s.extends].filter((p) => specs.has(p)); }, verb: 'extends a chain of' },
  ];
  for (const { parents, verb } of chains) {
    const deep = tooDeep(specs.keys(), parents, limits.maxRoleDepth);
    if (deep === undefined) continue;
    bag.report('RoleChainTooDeep', spanOf(specs.get(deep)!.origin), `role ${tick(deep)} ${verb} more than ${count(limits.maxRoleDepth)} roles`, {
      help: 'a hierarchy a few levels deep says the same; or raise the limit `maxRoleDepth`',
    });
  }
  for (const role of all) {
    for (const [resource, byAction] of role.conditions) {
      for (const [action, c] of byAction) {
        if (c.when === undefined || c.when.length <= limits.maxExpressionLength) continue;
        bag.report('ExpressionTooLong', spanOf(role.origin, ['grants', resource, action, 'when'], 'value'), `the condition has ${count(c.when.length)} characters, more than the limit of ${count(limits.maxExpressionLength)}`, {
          help: 'a condition states a rule, not data: keep long lists of values in attributes, or raise the limit `maxExpressionLength`',
        });
      }
    }
  }
  return bag.items.length === before;
}

/**
 * The first name whose chain of parents is longer than `limit`, found without recursion (the
 * chain may be thousands long) and without looping (a cycle counts as ending where it closes;
 * cycles are reported later).
 */
function tooDeep(names: Iterable<string>, parents: (name: string) => readonly string[], limit: number): string | undefined {
  const depth = new Map<string, number>();
  const open = new Set<string>();
  for (const start of names) {
    const stack = [start];
    while (stack.length > 0) {
      const name = stack[stack.length - 1]!;
      if (depth.has(name)) {
        stack.pop();
      } else if (!open.has(name)) {
        open.add(name);
        for (const p of parents(name)) if (!depth.has(p) && !open.has(p)) stack.push(p);
      } else {
        stack.pop();
        open.delete(name);
        let d = 0;
        for (const p of parents(name)) d = Math.max(d, (depth.get(p) ?? 0) + 1);
        depth.set(name, d);
        if (d > limit) return name;
      }
    }
  }
  return undefined;
}
