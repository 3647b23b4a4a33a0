// Where a checker's import time goes (issue 17), for a maintainer deciding what to make smaller:
// the bundled `checker.cjs` of each policy set compiled (`new vm.Script`: V8 parsing every
// function, if only to skip it), its top level run, and its first decision made, each in a fresh
// `vm` context, many times in one process, the sets taking turns. A warm process is faster than a
// fresh `node` (bench/load.mjs times those), but the parts compare: compare the sets' rows, or
// a bundle before and after a change. The request is parsed inside the context, so that the
// checker sees objects of its own realm (an object of another realm is not plain: it would go
// to the runtime's checker). `node bench/load-breakdown.mjs [runs] [policy dir…]`
import vm from 'node:vm';
import { pathToFileURL } from 'node:url';
import { compileSet, firstRequest, policySets } from './load.mjs';

const root = new URL('..', import.meta.url).pathname;

/** The tenth percentile of `values`: the run least disturbed by the rest of the machine, but one. */
const low = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 10)];

export async function loadBreakdown(dirs = policySets(), runs = 100) {
  const sets = [];
  for (const dir of dirs) {
    const { model, output } = await compileSet(dir);
    sets.push({ name: dir.startsWith(root) ? dir.slice(root.length) : dir, bytes: output.lean.cjs.length, source: output.lean.cjs, request: JSON.stringify(firstRequest(model)), compile: [], run: [], first: [] });
  }
  for (let i = 0; i < runs; i++) {
    for (const set of i % 2 === 0 ? sets : [...sets].reverse()) {
      const context = vm.createContext({ module: { exports: {} }, REQUEST: set.request });
      const started = performance.now();
      // a comment unique to the run: V8 would otherwise take the script from its compilation cache
      const script = new vm.Script(`(function (module, exports) {${set.source}\n})(module, module.exports);\n// ${i}`);
      const compiled = performance.now();
      script.runInContext(context);
      const ran = performance.now();
      vm.runInContext('{ const q = JSON.parse(REQUEST); module.exports.checker.can(q.principal, q.action, q.resource); }', context);
      const decided = performance.now();
      set.compile.push(compiled - started);
      set.run.push(ran - compiled);
      set.first.push(decided - ran);
    }
  }
  return sets.map(({ name, bytes, compile, run, first }) => ({ name, bytes, compile: low(compile), run: low(run), first: low(first) }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [runs, ...dirs] = process.argv.slice(2);
  const rows = await loadBreakdown(dirs.length > 0 ? dirs : undefined, runs === undefined ? undefined : Number(runs));
  console.log('| policy set | checker.cjs | compile (ms) | top level (ms) | first decision (ms) |\n|---|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| \`${r.name}\` | ${(r.bytes / 1000).toFixed(1)} KB | ${r.compile.toFixed(2)} | ${r.run.toFixed(2)} | ${r.first.toFixed(2)} |`);
}
