// Compile time of a large generated policy: 500 roles × 20 resources × 8 actions (issue 17: under
// 2 s, at most 2 MB of checker.ts), and the peak memory of one compile in a fresh process.
// `node bench/compile.mjs` prints the figures alone.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDir, compileDir, emit } from '../dist/compiler/index.js';
import { fileURLToPath } from 'node:url';
import { median, prng } from './lib.mjs';

const ROLES = 500;
const RESOURCES = 20;
const ACTIONS = 8;
const LEVELS = ['red', 'yellow', 'blue', 'green'];

/**
 * A deterministic large policy, written to a temp folder as three files: the resources, and the
 * roles in two halves. The roles form a 5-ary tree through `reportsTo` (so most have roles below
 * them); about one in eight shares with peers; every fifth extends its predecessor and one in
 * twenty-five also a second role. Grants mix the ways of writing them: mostly a level per action,
 * some with a `'*'` for the rest, some one level for the whole resource, a few lists; a role that
 * extends another writes only some resources itself.
 */
export function largePolicy() {
  const rnd = prng(500);
  const actions = Array.from({ length: ACTIONS }, (_, a) => `action${a}`);
  let resources = '# yaml-language-server: $schema=../../schemas/policy.schema.json\nresources:\n';
  for (let r = 0; r < RESOURCES; r++) {
    resources += `  resource${r}:\n    title: Resource ${r}\n    actions: [${actions.join(', ')}]\n`;
    resources += '    attributes: { owner: string, team: string, ownerRole: string, amount: number }\n';
    resources += '    owner: owner\n    team: team\n    ownerRole: ownerRole\n';
  }
  const roleTexts = [];
  for (let i = 0; i < ROLES; i++) {
    let role = `  role${i}:\n`;
    if (i === 0) role += '    description: The top of the hierarchy\n';
    if (i > 0) role += `    reportsTo: role${Math.floor((i - 1) / 5)}\n`;
    if (rnd(8) === 0) role += '    sharesWithPeers: true\n';
    const extending = i % 5 === 4;
    if (extending) role += i % 25 === 24 ? `    extends: [role${i - 1}, role${i - 2}]\n` : `    extends: role${i - 1}\n`;
    role += '    grants:\n';
    for (let r = 0; r < RESOURCES; r++) {
      if (extending && rnd(2) === 0) continue; // inherited as is
      const style = rnd(10);
      if (style === 0) {
        role += `      resource${r}: ${LEVELS[rnd(4)]}\n`;
      } else if (style === 1) {
        role += `      resource${r}: [${actions.filter(() => rnd(3) === 0).join(', ')}]\n`;
      } else if (style <= 3) {
        const named = actions.slice(0, 2 + rnd(4));
        role += `      resource${r}: { ${named.map((a) => `${a}: ${LEVELS[rnd(4)]}`).join(', ')}, '*': ${LEVELS[rnd(2)]} }\n`;
      } else {
        role += `      resource${r}: { ${actions.map((a) => `${a}: ${LEVELS[rnd(4)]}`).join(', ')} }\n`;
      }
    }
    roleTexts.push(role);
  }
  const dir = mkdtempSync(join(tmpdir(), 'policyc-large-'));
  const half = ROLES / 2;
  writeFileSync(join(dir, 'resources.yaml'), resources);
  writeFileSync(join(dir, 'roles-a.yaml'), `roles:\n${roleTexts.slice(0, half).join('')}`);
  writeFileSync(join(dir, 'roles-b.yaml'), `roles:\n${roleTexts.slice(half).join('')}`);
  return dir;
}

// the child: one compile of the policy in `dir`, in a fresh process, and its peak memory
const CHILD = `
const { compileDir } = await import(${JSON.stringify(new URL('../dist/compiler/index.js', import.meta.url).href)});
const layout = process.argv[2] === 'auto' ? undefined : process.argv[2];
const start = performance.now();
const result = await compileDir(process.argv[1], layout === undefined ? {} : { layout });
const ms = performance.now() - start;
if (!result.output) throw new Error('the large policy does not compile');
console.log(JSON.stringify({ ms, peak: process.resourceUsage().maxRSS * 1024, heap: process.memoryUsage().heapUsed, checkerBytes: Buffer.byteLength(result.output.checkerTs) }));
`;

/** One compile in a fresh child process: its time, peak resident set and checker size. */
function compileInChild(dir, layout) {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', CHILD, dir, layout], { encoding: 'utf8', timeout: 300_000, maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop());
}

export async function runCompileBench({ runs = 3, log = () => {} } = {}) {
  const dir = largePolicy();
  try {
    return await measure(dir, runs, log);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(dir, runs, log) {
  const times = [];
  const phases = { check: [], emit: [] };
  let output;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const result = await compileDir(dir);
    times.push(performance.now() - start);
    if (!result.output) throw new Error(`the large policy does not compile:\n${result.diagnostics.slice(0, 5).map((d) => d.message).join('\n')}`);
    output = result.output;
    log(`compileDir run ${i + 1}: ${(times[i] / 1000).toFixed(2)} s`);
  }
  // where the time goes: load → validate → analyze, then emit → bundle (one more run of each half)
  for (let i = 0; i < 1; i++) {
    let start = performance.now();
    const checked = checkDir(dir);
    phases.check.push(performance.now() - start);
    start = performance.now();
    await emit(checked.model);
    phases.emit.push(performance.now() - start);
  }
  const { statSync, readdirSync } = await import('node:fs');
  const policyBytes = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  // memory: one compile per process, in the layout chosen by default (tables) and as code
  const memory = compileInChild(dir, 'auto');
  log(`compile in a fresh process: ${(memory.ms / 1000).toFixed(2)} s, peak ${(memory.peak / 1e6).toFixed(0)} MB`);
  const asCode = compileInChild(dir, 'code');
  log(`the same as code: ${(asCode.ms / 1000).toFixed(2)} s, peak ${(asCode.peak / 1e6).toFixed(0)} MB`);
  return {
    memory,
    asCode,
    ms: median(times),
    checkMs: median(phases.check),
    emitMs: median(phases.emit),
    policyBytes,
    checkerBytes: Buffer.byteLength(output.checkerTs),
    bundleBytes: Buffer.byteLength(output.bundle),
    cells: ROLES * RESOURCES * ACTIONS,
    runs,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await runCompileBench({ log: (line) => console.error(`  … ${line}`) });
  console.log(JSON.stringify(r, null, 2));
}
