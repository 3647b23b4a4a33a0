// Builds both packages: @policyc/runtime (packages/runtime/dist: ES modules with declarations, and
// CommonJS in dist/cjs) and policyc (dist/: the compiler and CLI, Node ESM, dependencies external,
// with declarations of the compiler API). Run by `npm ci` (prepare), `npm test` (pretest) and `npm run build`.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { writeSchemaValidators } from './schema-validators.mjs';

const root = new URL('..', import.meta.url).pathname;
const tsc = (...args) => execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, ...args], { cwd: root, stdio: 'inherit' });

// @policyc/runtime
const runtime = `${root}packages/runtime/`;
rmSync(`${runtime}dist`, { recursive: true, force: true });
tsc('-p', 'packages/runtime/tsconfig.json', '--noEmit', 'false');
const sources = readdirSync(`${runtime}src`).filter((f) => f.endsWith('.ts'));
await build({
  absWorkingDir: runtime,
  entryPoints: sources.map((f) => `src/${f}`),
  outdir: 'dist/cjs',
  format: 'cjs',
  platform: 'neutral',
  target: 'es2022',
  logLevel: 'warning',
});
// re2js (RE2 for CEL's `matches`) is inlined into celregex.js, the one file that imports it, so the
// published runtime has no dependencies; checkers that never call `matches` do not load it
// the declarations describe the CommonJS files too: under dist/cjs, package.json says commonjs
for (const f of readdirSync(`${runtime}dist`)) if (f.endsWith('.d.ts')) cpSync(`${runtime}dist/${f}`, `${runtime}dist/cjs/${f}`);
writeFileSync(`${runtime}dist/cjs/package.json`, '{ "type": "commonjs" }\n');
for (const [dir, format] of [['dist', 'esm'], ['dist/cjs', 'cjs']]) {
  await build({
    absWorkingDir: runtime,
    entryPoints: [`${dir}/celregex.js`],
    outfile: `${dir}/celregex.js`,
    allowOverwrite: true,
    bundle: true,
    external: ['./*'],
    format,
    platform: 'neutral',
    target: 'es2022',
    logLevel: 'warning',
    legalComments: 'inline',
  });
}

// policyc. Its `dependencies` stay external; libraries it bundles are devDependencies: chevrotain,
// bundled, loads as one file instead of hundreds of lodash-es modules (a third of the CLI's start-up).
const { dependencies } = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
const external = Object.keys(dependencies).flatMap((d) => [d, `${d}/*`]);
rmSync(`${root}dist`, { recursive: true, force: true });
writeSchemaValidators();
await build({
  absWorkingDir: root,
  entryPoints: ['compiler/cli.ts', 'compiler/index.ts', 'compiler/cel/index.ts'],
  outdir: 'dist',
  outbase: '.',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  logLevel: 'warning',
});
mkdirSync(`${root}dist/compiler`, { recursive: true });
tsc('-p', 'compiler/tsconfig.build.json');
