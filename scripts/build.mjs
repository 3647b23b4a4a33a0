// Builds dist/: the compiler and CLI (Node ESM, dependencies external) and the runtime
// with its declarations. Run by `npm ci` (prepare), `npm test` (pretest) and `npm run build`.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
rmSync(`${root}dist`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['compiler/cli.ts', 'compiler/index.ts', 'compiler/cel/index.ts', 'runtime/index.ts', 'runtime/sql.ts', 'runtime/cel.ts'],
  outdir: 'dist',
  outbase: '.',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
// declarations of the runtime, for applications importing `policyc/runtime`
execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', 'runtime/tsconfig.json', '--noEmit', 'false', '--declaration', '--emitDeclarationOnly', '--outDir', 'dist/runtime'], {
  cwd: root,
  stdio: 'inherit',
});
