// What an application loads: the size of a bundle that uses a generated checker's `can` alone (or the
// whole `checker`), made by esbuild from the *built* packages as an application's bundler would, and
// the time from `import` to the first decision in a fresh `node` process. `npm run bench` reports
// both for every example set; test/runtime-size.test.ts holds `can` alone to its budget.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { compileDir } from '../dist/compiler/index.js';
import { median } from './lib.mjs';

const root = new URL('..', import.meta.url).pathname;

/** Most bytes (min + gzip level 9) an application's bundle of `can` alone may take for the leads policy. */
export const CAN_BUDGET = 3000;
/** The first decision (import included) each example set must make within, in a fresh process. */
export const FIRST_DECISION_BUDGET_MS = 5;

/** The policy sets the rows are made for: the leads policy of the benchmarks, then every example. */
export function policySets() {
  const examples = readdirSync(join(root, 'policies'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(root, 'policies', e.name));
  return [join(root, 'bench', 'leads-policy'), ...examples.sort()];
}

/** Compiles a policy set; throws on a policy that does not compile (the examples all do). */
export async function compileSet(dir) {
  const result = await compileDir(dir, { lean: true });
  if (result.output === undefined || result.model === undefined) throw new Error(`${dir} does not compile: ${result.diagnostics.map((d) => d.message).join('; ')}`);
  return { model: result.model, output: result.output };
}

/**
 * A request the first decision is made for: the first role, kind and action of the policy (a real
 * cell, not an unknown name, so that the decision goes through the generated code).
 */
export function firstRequest(model) {
  const resource = model.resources[0];
  return {
    principal: { id: 'u1', role: model.roles[0]?.name ?? 'none', groups: [] },
    action: resource?.actions[0] ?? 'none',
    resource: { kind: resource?.name ?? 'none' },
  };
}

/**
 * The bundle of an application that imports `entry` from the generated `checker.ts` and calls its
 * `can`, built by esbuild (bundle, minify, tree shaking) against the built `@policyc/runtime`.
 * `entry` is `can` (the export on its own) or `checker` (the whole checker object).
 */
export async function appBundle(checkerTs, entry, request = { principal: { id: 'u1', role: 'r' }, action: 'a', resource: { kind: 'k' } }) {
  const call = entry === 'can' ? 'can' : 'checker.can';
  return bundleApp(checkerTs, `import { ${entry} } from './checker.ts';\nconsole.log(${call}(${JSON.stringify(request.principal)}, ${JSON.stringify(request.action)}, ${JSON.stringify(request.resource)}));\n`);
}

/**
 * `app` (an ES module that imports './checker.ts') bundled with `checkerTs` as an application's
 * bundler would: its text, its size minified and gzipped (level 9), and the runtime files in it.
 */
export async function bundleApp(checkerTs, app) {
  const dir = mkdtempSync(join(tmpdir(), 'policyc-app-'));
  writeFileSync(join(dir, 'checker.ts'), checkerTs);
  writeFileSync(join(dir, 'app.ts'), app);
  const out = await build({
    absWorkingDir: dir,
    entryPoints: ['app.ts'],
    bundle: true,
    minify: true,
    treeShaking: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    metafile: true,
    logLevel: 'silent',
    nodePaths: [join(root, 'node_modules')],
  });
  const code = out.outputFiles[0].contents;
  const runtimeFiles = Object.keys(Object.values(out.metafile.outputs)[0].inputs)
    .filter((f) => f.includes('packages/runtime/dist/'))
    .map((f) => f.replace(/^.*packages\/runtime\/dist\//, ''))
    .sort();
  return { text: out.outputFiles[0].text, min: code.length, gzip: gzipSync(code, { level: 9 }).length, runtimeFiles };
}

/** A module that only answers, for the floor: what Node's first `import()` / `require()` costs whatever the module. */
const EMPTY = {
  esm: 'export const checker = { can: () => ({ allow: false, code: "none" }) };\n',
  cjs: 'exports.checker = { can: () => ({ allow: false, code: "none" }) };\n',
};

const PROBE = `
const [file, format, request] = process.argv.slice(2);
const { principal, action, resource } = JSON.parse(request);
const load = format === 'cjs' ? (await import('node:module')).createRequire(import.meta.url) : (f) => import(new URL('file://' + f).href);
const cpu = process.cpuUsage();
const started = performance.now();
const module = await load(file);
const decision = module.checker.can(principal, action, resource);
const ms = performance.now() - started;
const used = process.cpuUsage(cpu);
process.stdout.write(JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000, allow: decision.allow, code: decision.code }));
`;

/**
 * A fresh folder holding the checker as `policyc build` writes it — the lean `checker.js` or
 * `checker.cjs`, the whole `checker.full.cjs` beside it, which the first decision does not load —
 * (or the empty module: `output` undefined) and the probe that times it.
 */
function prepareProbe(output, format) {
  const dir = mkdtempSync(join(tmpdir(), 'policyc-load-'));
  // an ES module application's package.json: without a `type`, Node 20 parses a `.js` file as
  // CommonJS first and again as a module when that fails, which is not the checker's cost
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  const file = join(dir, format === 'cjs' ? 'checker.cjs' : 'checker.js');
  writeFileSync(file, output === undefined ? EMPTY[format] : output.lean[format]);
  if (output !== undefined) writeFileSync(join(dir, 'checker.full.cjs'), output.bundleCjs);
  const probe = join(dir, 'probe.mjs');
  writeFileSync(probe, PROBE);
  return { file, probe, format };
}

/** One fresh `node` process importing the prepared checker and making the first decision of `request`. */
function probeOnce({ file, probe, format }, request) {
  return JSON.parse(execFileSync(process.execPath, [probe, file, format, JSON.stringify(request)], { encoding: 'utf8', timeout: 30_000 }));
}

/** The median, min and max of the runs' wall-clock times, the median CPU time, and the decision's code. */
function summary(results) {
  const times = results.map((r) => r.ms);
  return { ms: median(times), min: Math.min(...times), max: Math.max(...times), cpuMs: median(results.map((r) => r.cpuMs)), code: results.at(-1)?.code };
}

/**
 * Milliseconds from the start of `import` (or `require`) of the bundled checker to its first
 * decision, timed inside fresh `node` processes: the median of `runs` (wall clock, and the CPU time
 * of the process over the same span, which a busy machine disturbs less). `output` undefined: an
 * empty module, the floor.
 */
export function firstDecision(output, request, format, runs = 7) {
  const prepared = prepareProbe(output, format);
  return summary(Array.from({ length: runs }, () => probeOnce(prepared, request)));
}

/**
 * Every row: per policy set, the bundles of `can` alone and of `checker`, and the first decision of
 * both bundles. The processes take turns — each round times every set once in each format, the
 * empty module first — so that a busy spell of the shared machine falls on every row alike rather
 * than on the rows it happens to coincide with.
 */
export async function runLoadBench({ log = () => {}, runs = 15 } = {}) {
  const empty = { principal: { id: 'u1', role: 'r' }, action: 'a', resource: { kind: 'k' } };
  const probes = [
    { key: 'floor', request: empty, esm: prepareProbe(undefined, 'esm'), cjs: prepareProbe(undefined, 'cjs') },
  ];
  const rows = [];
  for (const dir of policySets()) {
    const name = dir.slice(root.length);
    log(`bundling ${name}`);
    const { model, output } = await compileSet(dir);
    const request = firstRequest(model);
    const row = { name, can: await appBundle(output.checkerTs, 'can', request), checker: await appBundle(output.checkerTs, 'checker', request) };
    rows.push(row);
    probes.push({ key: row, request, esm: prepareProbe(output, 'esm'), cjs: prepareProbe(output, 'cjs') });
  }
  const results = new Map(probes.map((p) => [p.key, { esm: [], cjs: [] }]));
  for (let round = 0; round < runs; round++) {
    log(`first decisions, round ${round + 1} of ${runs}`);
    for (const p of probes) for (const format of ['esm', 'cjs']) results.get(p.key)[format].push(probeOnce(p[format], p.request));
  }
  const of = (key) => ({ esm: summary(results.get(key).esm), cjs: summary(results.get(key).cjs) });
  for (const row of rows) Object.assign(row, of(row));
  return { rows, runs, floor: of('floor') };
}

/** The rows as the Markdown of bench/RESULTS.md. */
export function loadMarkdown({ rows, runs, floor }) {
  const kb = (n) => `${(n / 1000).toFixed(2)} KB`;
  const ms = (r) => `**${r.ms.toFixed(2)} ms** (${r.min.toFixed(2)} – ${r.max.toFixed(2)}; CPU ${r.cpuMs.toFixed(2)})`;
  const lines = [
    `### Loading a checker: what an application bundles, and import + first decision in a fresh \`node\` process (median of ${runs})`,
    '',
    '| policy set | `can` alone, min+gzip | whole `checker`, min+gzip | first decision, `checker.js` (ESM) | first decision, `checker.cjs` |',
    '|---|---:|---:|---:|---:|',
    `| an empty module (Node's own cost of a first import) | | | ${ms(floor.esm)} | ${ms(floor.cjs)} |`,
  ];
  for (const r of rows) lines.push(`| \`${r.name}\` | **${kb(r.can.gzip)}** | ${kb(r.checker.gzip)} | ${ms(r.esm)} | ${ms(r.cjs)} |`);
  const leads = rows[0];
  const slowest = Math.max(...rows.flatMap((r) => [r.esm.ms, r.cjs.ms]));
  lines.push('');
  lines.push(
    `- \`can\` alone for the leads policy: **${leads.can.gzip.toLocaleString('en')} bytes** (goal ≤ ${CAN_BUDGET.toLocaleString('en')}: ${leads.can.gzip <= CAN_BUDGET ? 'met' : '**not met**'}); ` +
      `it bundles ${leads.can.runtimeFiles.join(', ')} of the runtime. Bundled by esbuild (minify, tree shaking) from the built packages, gzip level 9.`,
  );
  lines.push(
    `- Import + first decision under ${FIRST_DECISION_BUDGET_MS} ms for every set, ESM and CommonJS: ${slowest < FIRST_DECISION_BUDGET_MS ? 'met' : '**not met**'} (slowest median ${slowest.toFixed(2)} ms); ` +
      'timed inside the process from before `import()` / `require()` to after the first `checker.can` (min – max of the runs; CPU: user + system time of the process over the same span), ' +
      'of `checker.js` / `checker.cjs` as `policyc build` writes them: the lean modules, `checker.full.cjs` beside them and not loaded by the first decision. ' +
      `Above the empty module's ${floor.esm.ms.toFixed(2)} / ${floor.cjs.ms.toFixed(2)} ms, the slowest set takes ${Math.max(...rows.map((r) => r.esm.ms - floor.esm.ms)).toFixed(2)} ms (ESM) and ${Math.max(...rows.map((r) => r.cjs.ms - floor.cjs.ms)).toFixed(2)} ms (CommonJS).`,
  );
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(loadMarkdown(await runLoadBench({ log: (line) => console.error(`  … ${line}`) })));
}
