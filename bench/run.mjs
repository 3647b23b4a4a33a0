// `npm run bench`: every benchmark in one process; prints the results and writes them to
// bench/RESULTS.md (overwritten each run). Ratios measured side by side in one run are what to
// read; absolute times on a shared machine are noise.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { celMarkdown, runCelBench } from './cel.mjs';
import { runCliStartupBench } from './cli-startup.mjs';
import { runChecksBench } from './checks.mjs';
import { runCompileBench } from './compile.mjs';
import { loadMarkdown, runLoadBench } from './load.mjs';
import { runScaleBench, scaleMarkdown } from './compile-scale.mjs';
import { directoryMarkdown, runDirectoryBench } from './directory.mjs';

const here = new URL('.', import.meta.url);
const fmt = (n, digits = 1) => n.toFixed(digits);
const int = (n) => Math.round(n).toLocaleString('en');
const progress = (line) => console.error(`  … ${line}`);
const started = performance.now();

async function runtimeSize() {
  const out = await build({ entryPoints: [new URL('../packages/runtime/src/index.ts', here).pathname], bundle: true, minify: true, format: 'esm', write: false, logLevel: 'silent' });
  const code = out.outputFiles[0].contents;
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

const lines = [];
const say = (line = '') => {
  lines.push(line);
  console.log(line);
};
const goal = (ok) => (ok ? 'met' : '**not met**');

const checks = await runChecksBench({ log: progress });
say(`### Checks: ${checks.requests.toLocaleString('en')} pre-generated requests on the leads policy (\`bench/leads-policy\`), median of ${checks.rounds} interleaved rounds`);
say();
say('| contender | median ns / check | min – max of the rounds | × hand-written | CASL ÷ this |');
say('|---|---:|---:|---:|---:|');
for (const row of checks.rows) {
  const ratio = row.baseline ? '' : fmt(row.ns / checks.rows.find((r) => r.name === row.versus).ns, 2);
  const vsCasl = row.baseline ? '' : fmt(checks.casl / row.ns, 1);
  say(`| ${row.name} | ${fmt(row.ns)} | ${fmt(row.min)} – ${fmt(row.max)} | ${ratio} | ${vsCasl} |`);
}
say();
const genVsHand = checks.generated / checks.hand;
const caslVsGen = checks.casl / checks.generated;
say(`- Generated checker: **${fmt(genVsHand, 2)}×** the hand-written function (goal ≤ 1.3×: ${goal(genVsHand <= 1.3)}); ` +
  `without the loop's own ${fmt(checks.loop)} ns, ${fmt((checks.generated - checks.loop) / (checks.hand - checks.loop), 2)}×.`);
if (checks.before !== undefined) {
  say(`- The own-data rule and total checks (issue 13): the generated checker takes **${fmt(checks.generated / checks.before, 2)}×** the time of the same policy compiled before them ` +
    `(without the loop's own time, ${fmt((checks.generated - checks.loop) / (checks.before - checks.loop), 2)}×).`);
}
say(`- After malformed requests (a second copy of each, which also decided the ${int(checks.malformed)} malformed requests before timing, so its property reads are megamorphic, ` +
  `as in a process that has seen many shapes): generated **${fmt(checks.seasoned / checks.handSeasoned, 2)}×** the hand-written function's copy (reported; the goal is judged on the first row). ` +
  'The own-data guards (prototype of the principal and the record, `roles` and `profile` absent) cost most there: a megamorphic read or `Object.getPrototypeOf` each.');
say(`- CASL ÷ generated: **${fmt(caslVsGen, 1)}×** (goal ≥ 7×: ${goal(caslVsGen >= 7)}).`);
say(`- All contenders agreed on every request (${int(checks.allowed)} allowed) before timing; generated and hand-written also on every decision code. ` +
  `Codes: ${Object.entries(checks.codes).map(([code, n]) => `${code} ${fmt((100 * n) / checks.requests, 0)}%`).join(', ')}.`);
say('- Times are CPU time of the process (`process.cpuUsage`), not wall time: on a shared machine, waiting for a core is not the check\'s.');
say();

const byo = checks.byo;
say(`### Checks on the application's own objects (issue 17): ${byo.requests.toLocaleString('en')} requests, users \`{ id, role, groupIds }\`, leads \`{ id, ownerId, groupId, stage }\` (\`bench/crm-policy\`, \`bench/crm-app.mjs\`)`);
say();
say('| contender | median ns / check | min – max of the rounds | × hand-written | CASL ÷ this |');
say('|---|---:|---:|---:|---:|');
for (const row of byo.rows) {
  const ratio = row.baseline ? '' : fmt(row.ns / byo.hand, 2);
  const vsCasl = row.baseline ? '' : fmt(byo.casl / row.ns, 1);
  say(`| ${row.name} | ${fmt(row.ns)} | ${fmt(row.min)} – ${fmt(row.max)} | ${ratio} | ${vsCasl} |`);
}
say();
say(`- Per-kind entry on the application's objects (no \`kind\`, no copy): **${fmt(byo.generated / byo.hand, 2)}×** the hand-written function (goal ≤ 1.3×: ${goal(byo.generated / byo.hand <= 1.3)}); ` +
  `CASL ÷ policyc **${fmt(byo.casl / byo.generated, 1)}×** (goal ≥ 7×: ${goal(byo.casl / byo.generated >= 7)}; CASL itself is ${fmt(byo.casl / byo.hand, 1)}× the hand-written function here).`);
say(`- All three agreed on every request (${int(byo.allowed)} allowed) before timing; policyc and hand-written also on every decision code. ` +
  `Codes: ${Object.entries(byo.codes).map(([code, n]) => `${code} ${fmt((100 * n) / byo.requests, 0)}%`).join(', ')}.`);
say();

const compile = await runCompileBench({ log: progress });
say(`### Compiling a large policy (median of ${compile.runs})`);
say();
say('| policy | `compileDir` (load → validate → analyze → emit → bundle) | of which load → analyze | of which emit → bundle | YAML | checker.ts | bundle (.js) | peak memory (fresh process) |');
say('|---|---:|---:|---:|---:|---:|---:|---:|');
say(`| 500 roles × 20 resources × 8 actions (${int(compile.cells)} cells), table layout | **${fmt(compile.ms / 1000, 2)} s** | ${fmt(compile.checkMs / 1000, 2)} s | ${fmt(compile.emitMs / 1000, 2)} s | ${fmt(compile.policyBytes / 1e6, 2)} MB | **${fmt(compile.checkerBytes / 1e6, 2)} MB** | ${fmt(compile.bundleBytes / 1e6, 2)} MB | ${fmt(compile.memory.peak / 1e6, 0)} MB |`);
say(`| the same, \`layout: 'code'\` (one compile) | ${fmt(compile.asCode.ms / 1000, 2)} s | | | | ${fmt(compile.asCode.checkerBytes / 1e6, 2)} MB | | ${fmt(compile.asCode.peak / 1e6, 0)} MB |`);
say();
say(`Goal < 2 s: ${goal(compile.ms < 2000)}; goal checker.ts ≤ 2 MB: ${goal(compile.checkerBytes <= 2e6)}. (The two phases are timed in one more run each; ` +
  `peak memory is the resident set of one compile in a fresh child process: ${fmt(compile.memory.ms / 1000, 2)} s there.)`);
say();

const scale = await runScaleBench({ log: progress });
say(scaleMarkdown(scale));
say();
const ratios = [scale.attributes, scale.roles].flatMap((rows) => rows.slice(1).map((row, i) => row.ms / rows[i].ms / (row.bytes / rows[i].bytes)));
say(`Goal: linear — time ÷ size between neighbouring sizes at most 1.5 (×4 the text, at most ×6 the time): ${goal(ratios.every((r) => r <= 1.5))} ` +
  `(worst ${fmt(Math.max(...ratios), 2)}). Goal: within the limits, a compile below 800 MB: ${goal(scale.memory.every((m) => m.codes.length > 0 || m.limits.maxExpressionLength !== undefined || m.peak < 800e6))}.`);
say();

const directory = await runDirectoryBench({ log: progress });
say(directoryMarkdown(directory));
say();

const filtering = new URL('./filtering.mjs', here);
if (existsSync(filtering)) {
  const { runFilteringBench } = await import(filtering.href);
  const result = await runFilteringBench();
  say(result.markdown.trim());
  say();
}

const cel = await runCelBench({ log: progress });
say(celMarkdown(cel));
say();

const cli = await runCliStartupBench({ log: progress });
say(`### CLI start-up: a fresh \`node\` process per command, median of ${cli.runs} interleaved runs`);
say();
say(`| command | this version | before on-demand loading (${cli.baseline ?? 'not measured'}) | speed-up |`);
say('|---|---:|---:|---:|');
for (const row of cli.rows) {
  const before = row.baselineMs === undefined ? '—' : `${int(row.baselineMs)} ms`;
  say(`| \`${row.command}\` | **${int(row.ms)} ms** | ${before} | ${row.baselineMs === undefined ? '—' : `${fmt(row.baselineMs / row.ms, 1)}×`} |`);
}
say();
const help = cli.rows.find((r) => r.command === 'policyc --help');
const check = cli.rows.find((r) => r.command.startsWith('policyc check'));
say(`- \`--help\` under 300 ms: ${goal(help.ms < 300)}; \`check\` at least 3× faster than before: ${check.baselineMs === undefined ? 'not measured' : goal(check.baselineMs / check.ms >= 3)}.`);
say();

// policyc serve under autocannon load (127.0.0.1 only, bounded in time), in a process of its own
progress('policyc serve under load (bench/serve.mjs)');
for (const line of execFileSync(process.execPath, [new URL('./serve.mjs', here).pathname], { encoding: 'utf8' }).trimEnd().split('\n')) say(line);
say();

const size = await runtimeSize();
say('### Runtime size');
say();
say(`\`@policyc/runtime\` bundled and minified with esbuild: ${int(size.min)} bytes, **${int(size.gzip)} bytes gzipped** (zlib level 9); what an application bundles of it depends on what it imports (below).`);
say();
say(loadMarkdown(await runLoadBench({ log: progress })));

const cpu = cpus();
const machine = `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpu[0]?.model?.trim() ?? 'unknown CPU'} × ${cpu.length}`;
writeFileSync(new URL('./RESULTS.md', here), `# Benchmark results\n\n${machine}\n\n${lines.join('\n')}\n`);
// the same tables in README.md, between the bench markers
const readme = new URL('../README.md', here);
const text = readFileSync(readme, 'utf8');
writeFileSync(readme, text.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, `<!-- bench:start -->\nMeasured ${machine} (\`npm run bench\`):\n\n${lines.join('\n')}\n<!-- bench:end -->`));
console.log(`\n${machine}; whole benchmark ${fmt((performance.now() - started) / 1000, 0)} s; wrote bench/RESULTS.md and the tables in README.md`);
