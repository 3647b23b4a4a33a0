// Compile time of a generated large policy: 500 roles × 20 resources × 8 actions.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileDir } from '../dist/compiler/index.js';
import { median, prng } from './lib.mjs';

const ROLES = 500;
const RESOURCES = 20;
const ACTIONS = 8;
const WORDS = ['red', 'yellow', 'blue', 'green'];

/** A deterministic large policy: a 5-ary role hierarchy, every fifth role built from another, a level per action. */
export function largePolicy() {
  const rnd = prng(500);
  const actions = Array.from({ length: ACTIONS }, (_, a) => `action${a}`);
  let resources = 'resources:\n';
  for (let r = 0; r < RESOURCES; r++) {
    resources += `  resource${r}:\n    actions: [${actions.join(', ')}]\n`;
    resources += '    attributes: { owner: string, team: string, ownerRole: string, amount: number }\n';
    resources += '    owner: owner\n    team: team\n    ownerRole: ownerRole\n';
  }
  let roles = 'roles:\n';
  for (let i = 0; i < ROLES; i++) {
    roles += `  role${i}:\n`;
    if (i > 0) roles += `    reportsTo: role${Math.floor((i - 1) / 5)}\n`;
    if (i % 5 === 4) roles += `    extends: role${i - 1}\n`;
    roles += '    grants:\n';
    for (let r = 0; r < RESOURCES; r++) {
      roles += `      resource${r}: { ${actions.map((a) => `${a}: ${WORDS[rnd(4)]}`).join(', ')} }\n`;
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'policyc-large-'));
  writeFileSync(join(dir, 'resources.yaml'), resources);
  writeFileSync(join(dir, 'roles.yaml'), roles);
  return dir;
}

export async function runCompileBench(runs = 3) {
  const dir = largePolicy();
  const times = [];
  let output;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const result = await compileDir(dir);
    times.push(performance.now() - start);
    if (!result.output) throw new Error('the large policy does not compile');
    output = result.output;
  }
  return { ms: median(times), checkerBytes: output.checkerTs.length, bundleBytes: output.bundle.length, cells: ROLES * RESOURCES * ACTIONS };
}
