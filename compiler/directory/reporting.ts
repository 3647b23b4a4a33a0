/**
 * Cycles of the reporting hierarchy (R-Z4): each user reports to at most one other, so the
 * users form a graph with one edge out of each node, and each cycle is found once by walking
 * from every user not yet seen — linear in the users, however long the chains.
 */
import type { UserEntry } from './entries.ts';

/** Each cycle once, starting at the user written first in the file. */
export function reportingCycles(users: readonly UserEntry[]): UserEntry[][] {
  const byId = new Map<string, number>();
  users.forEach((u, i) => {
    if (!byId.has(u.id)) byId.set(u.id, i);
  });
  const next = users.map((u) => (u.reportsTo === undefined ? -1 : (byId.get(u.reportsTo.name) ?? -1)));
  // 0: not seen; 1: on the walk now; 2: done
  const state = new Uint8Array(users.length);
  const cycles: UserEntry[][] = [];
  for (let start = 0; start < users.length; start++) {
    if (state[start] !== 0) continue;
    const walk: number[] = [];
    let at = start;
    while (at !== -1 && state[at] === 0) {
      state[at] = 1;
      walk.push(at);
      at = next[at]!;
    }
    if (at !== -1 && state[at] === 1) {
      const cycle = walk.slice(walk.indexOf(at));
      const first = cycle.indexOf(cycle.reduce((a, b) => (a < b ? a : b)));
      cycles.push([...cycle.slice(first), ...cycle.slice(0, first)].map((i) => users[i]!));
    }
    for (const i of walk) state[i] = 2;
  }
  return cycles;
}
