import type { DiagnosticBag } from '../diagnostics/diagnostic.ts';
import { tick } from '../diagnostics/diagnostic.ts';
import type { Origin } from './declarations.ts';
import { spanOf } from './declarations.ts';

const HELP = {
  HierarchyCycle: 'a role cannot be above itself; remove one `reportsTo`',
  InheritanceCycle: 'remove one of the `extends` entries',
  ParentCycle: 'a record cannot be its own ancestor; remove one of the `parent` kinds',
} as const;

/**
 * Finds cycles in a graph of roles (edges: reportsTo or extends) and reports each cycle once,
 * at the edge that closes it, with the whole path in the message.
 * Returns the roles that lie on a cycle, so later phases can skip them.
 */
export function reportCycles(
  edges: ReadonlyMap<string, readonly { to: string; origin: Origin; path: readonly (string | number)[] }[]>,
  kind: 'HierarchyCycle' | 'InheritanceCycle' | 'ParentCycle',
  verb: string,
  bag: DiagnosticBag,
): Set<string> {
  const state = new Map<string, 'open' | 'done'>();
  const onCycle = new Set<string>();
  const stack: string[] = [];
  const visit = (role: string): void => {
    state.set(role, 'open');
    stack.push(role);
    for (const edge of edges.get(role) ?? []) {
      const s = state.get(edge.to);
      if (s === 'open') {
        const cycle = [...stack.slice(stack.indexOf(edge.to)), edge.to];
        cycle.forEach((r) => onCycle.add(r));
        bag.report(kind, spanOf(edge.origin, edge.path, 'value'), `${kind === 'ParentCycle' ? 'record kinds' : 'roles'} form a cycle: ${cycle.map(tick).join(` ${verb} `)}`, {
          help: HELP[kind],
        });
      } else if (s === undefined && edges.has(edge.to)) visit(edge.to);
    }
    stack.pop();
    state.set(role, 'done');
  };
  for (const role of [...edges.keys()].sort()) if (!state.has(role)) visit(role);
  return onCycle;
}

/** Every role below each role, transitively and sorted (R-Z1), from `reportsTo` edges. */
export function subordinatesOf(reportsTo: ReadonlyMap<string, string | undefined>): Map<string, string[]> {
  const children = new Map<string, string[]>();
  for (const [role, boss] of reportsTo) {
    if (boss === undefined) continue;
    const list = children.get(boss) ?? [];
    list.push(role);
    children.set(boss, list);
  }
  const result = new Map<string, string[]>();
  for (const role of reportsTo.keys()) {
    const seen = new Set<string>();
    const queue = [...(children.get(role) ?? [])];
    while (queue.length > 0) {
      const next = queue.pop()!;
      if (seen.has(next) || next === role) continue;
      seen.add(next);
      queue.push(...(children.get(next) ?? []));
    }
    result.set(role, [...seen].sort());
  }
  return result;
}
