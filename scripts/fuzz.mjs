// `npm run fuzz [-- --requests N] [-- --seed S]`: 10^6 random requests (hostile shapes included:
// throwing Proxies and getters, revoked Proxies, cycles, huge and sparse lists, class instances,
// wrong types) split over the example sets, each checked by the set's generated checker and by
// the reference interpreter. Prints requests, throws and disagreements per set, and the time;
// exits 1 on any throw or disagreement. The run is test/helpers/fuzz.ts, bundled here with
// esbuild (test/fuzz.test.ts runs a small one in `npm test`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { requests: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '20261205' } } });
const total = Number(values.requests);
const seed = Number(values.seed);
if (!Number.isSafeInteger(total) || total < 1 || !Number.isSafeInteger(seed)) {
  console.error('usage: npm run fuzz -- [--requests N] [--seed S]');
  process.exit(2);
}

const bundled = await build({
  entryPoints: [join(root, 'test/helpers/fuzz.ts')],
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // the runtime from its sources, as the compiler's bundles inline it
  alias: {
    '@policyc/runtime/cel': join(root, 'packages/runtime/src/cel.ts'),
    '@policyc/runtime/sql': join(root, 'packages/runtime/src/sql.ts'),
    '@policyc/runtime': join(root, 'packages/runtime/src/index.ts'),
  },
  logLevel: 'warning',
});
// inside the repository, so that the bundle's imports of packages resolve from its node_modules
const dir = join(root, 'node_modules', '.cache', 'policyc-fuzz');
mkdirSync(dir, { recursive: true });
const file = join(dir, 'fuzz.mjs');
writeFileSync(file, bundled.outputFiles[0].text);
const { FUZZ_SETS, fuzzSet } = await import(pathToFileURL(file).href);

const started = performance.now();
const rows = [];
for (const [i, set] of FUZZ_SETS.entries()) {
  const share = Math.floor(total / FUZZ_SETS.length) + (i < total % FUZZ_SETS.length ? 1 : 0);
  const figures = await fuzzSet(root, set, share, seed + i * 1_000_003);
  rows.push(figures);
  console.error(`  … ${set}: ${figures.requests.toLocaleString('en')} requests in ${(figures.ms / 1000).toFixed(1)} s`);
  for (const example of figures.examples) console.error(`    ${example}`);
}
const int = (n) => n.toLocaleString('en');
const sum = (key) => rows.reduce((n, r) => n + r[key], 0);
console.log(`Fuzz: ${int(total)} requests (seed ${seed}), each checked by the generated checker and the reference interpreter`);
console.log();
console.log('| policy set | requests | throws | disagreements | allowed | reference threw (checker: `error`) | time (s) |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.set} | ${int(r.requests)} | ${int(r.throws)} | ${int(r.disagreements)} | ${int(r.allowed)} | ${int(r.referenceThrew)} | ${(r.ms / 1000).toFixed(1)} |`);
console.log(`| **all** | ${int(sum('requests'))} | **${int(sum('throws'))}** | **${int(sum('disagreements'))}** | ${int(sum('allowed'))} | ${int(sum('referenceThrew'))} | ${((performance.now() - started) / 1000).toFixed(1)} |`);
process.exit(sum('throws') + sum('disagreements') === 0 ? 0 : 1);
