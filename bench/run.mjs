// `npm run bench`: runs every benchmark in one process and writes bench/RESULTS.md and the
// table in README.md. Ratios measured side by side in one run are what to read; absolute
// times on a shared machine are noise.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { runChecksBench } from './checks.mjs';
import { runCompileBench } from './compile.mjs';

const here = new URL('.', import.meta.url);
const fmt = (n, digits = 1) => n.toFixed(digits);

async function runtimeSize() {
  const out = await build({ entryPoints: [new URL('../runtime/index.ts', here).pathname], bundle: true, minify: true, format: 'esm', write: false });
  const code = out.outputFiles[0].contents;
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

const lines = [];
const say = (line = '') => {
  lines.push(line);
  console.log(line);
};

const checks = await runChecksBench();
say(`### Checks: ${checks.requests.toLocaleString('en')} pre-generated requests on the leads policy, median of ${checks.rounds} rounds`);
say();
say('| contender | median ns / check | × hand-written |');
say('|---|---:|---:|');
for (const [name, ns] of Object.entries(checks.ns)) say(`| ${name} | ${fmt(ns)} | ${name.startsWith('loop') ? '' : fmt(ns / checks.hand, 2)} |`);
say();
say(`Generated checker: **${fmt(checks.ns.generated / checks.hand, 2)}×** the hand-written function (goal ≤ 1.3×), **${fmt(checks.casl / checks.ns.generated, 1)}×** faster than CASL (goal ≥ 7×).`);
say();

const compile = await runCompileBench();
say('### Compiling a large policy');
say();
say('| policy | median of 3 (whole pipeline: load → bundle) | checker.ts | checker.js |');
say('|---|---:|---:|---:|');
say(`| 500 roles × 20 resources × 8 actions (${compile.cells.toLocaleString('en')} cells) | ${fmt(compile.ms / 1000, 2)} s | ${fmt(compile.checkerBytes / 1e6)} MB | ${fmt(compile.bundleBytes / 1e6)} MB |`);
say();
say(`Goal: under 3 s — ${compile.ms < 3000 ? 'met' : 'not met'}.`);
say();

const filtering = new URL('./filtering.mjs', here);
if (existsSync(filtering)) {
  const { runFilteringBench } = await import(filtering.href);
  const result = await runFilteringBench();
  say(result.markdown.trim());
  say();
}

const size = await runtimeSize();
say('### Runtime size');
say();
say(`\`runtime/index.ts\` bundled and minified: ${size.min.toLocaleString('en')} bytes, **${size.gzip.toLocaleString('en')} bytes gzipped**.`);

const machine = `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}`;
writeFileSync(new URL('./RESULTS.md', here), `# Benchmark results\n\n${machine}\n\n${lines.join('\n')}\n`);
const readme = new URL('../README.md', here);
const text = readFileSync(readme, 'utf8');
const updated = text.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, `<!-- bench:start -->\nMeasured ${machine}:\n\n${lines.join('\n')}\n<!-- bench:end -->`);
writeFileSync(readme, updated);
console.log('\nwrote bench/RESULTS.md and the table in README.md');
