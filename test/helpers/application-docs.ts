/**
 * Turns docs/application.md into a small application on disk: its package.json's `prebuild`
 * script (run with this checkout's CLI) writes the Kommo example's checker into `src/generated`,
 * every ```ts file=NAME block becomes `src/NAME` (type-checked together with tsc under the
 * project's strict flags, then type-stripped to `src/*.js` to run), a ```js file=NAME.cjs block
 * becomes `src/NAME.cjs`, and `node_modules` is this checkout's (express, fastify, @policyc/runtime).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transform } from 'esbuild';
import { main } from '../../compiler/cli.ts';
import { fencedBlocks, type Block } from './markdown.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const APPLICATION_DOC = 'docs/application.md';

export interface DocFile {
  readonly name: string;
  readonly language: string;
  readonly block: Block;
}

/** The blocks of the page that are files of the application (```ts file=express-app.ts). */
export function docFiles(): DocFile[] {
  return fencedBlocks(readFileSync(join(root, APPLICATION_DOC), 'utf8'), APPLICATION_DOC).flatMap((block) => {
    const m = /^(\w+) file=(\S+)$/.exec(block.info);
    return m ? [{ language: m[1]!, name: m[2]!, block }] : [];
  });
}

export function docFile(name: string): DocFile {
  const file = docFiles().find((f) => f.name === name);
  if (!file) throw new Error(`${APPLICATION_DOC} has no block file=${name}`);
  return file;
}

export interface DocsApp {
  readonly dir: string;
  /** What the prebuild script printed and its exit code. */
  readonly prebuild: { readonly code: number; readonly output: string };
  /** tsc's report over every TypeScript block: empty when they compile. */
  readonly tsc: string;
  /** Removes the application's folder. */
  readonly remove: () => void;
  /** Imports `src/<name>` (a .ts block, as the JavaScript esbuild strips it to). */
  readonly load: <T>(name: string) => Promise<T>;
}

/** Runs `npm run prebuild` of the page's package.json, with `policyc` meaning this checkout's CLI. */
async function runPrebuild(dir: string, script: string): Promise<{ code: number; output: string }> {
  const argv = script.split(/\s+/);
  if (argv[0] !== 'policyc') throw new Error(`the prebuild script must run policyc: ${script}`);
  let output = '';
  const io = { out: (t: string) => (output += t), err: (t: string) => (output += t), cwd: dir, color: false };
  return { code: await main(argv.slice(1), io), output };
}

export async function buildDocsApp(): Promise<DocsApp> {
  const dir = mkdtempSync(join(tmpdir(), 'policyc-docs-app-'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  cpSync(join(root, 'policies/kommo-crm'), join(dir, 'policies/kommo-crm'), { recursive: true, filter: (p) => !p.includes('/generated') && !p.endsWith('.test.ts') });
  const pkg = docFile('package.json').block.text;
  writeFileSync(join(dir, 'package.json'), pkg);
  const prebuild = await runPrebuild(dir, (JSON.parse(pkg) as { scripts: { prebuild: string } }).scripts.prebuild);

  mkdirSync(join(dir, 'src'), { recursive: true });
  const files = docFiles().filter((f) => f.name !== 'package.json');
  for (const f of files) writeFileSync(join(dir, 'src', f.name), f.block.text);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
      },
      files: files.filter((f) => f.language === 'ts').map((f) => `src/${f.name}`),
    }),
  );
  const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { cwd: dir, encoding: 'utf8' });
  for (const f of files.filter((f) => f.language === 'ts')) {
    const js = await transform(f.block.text, { loader: 'ts', format: 'esm', target: 'es2022', sourcefile: f.name });
    writeFileSync(join(dir, 'src', f.name.replace(/\.ts$/, '.js')), js.code);
  }
  return {
    dir,
    prebuild,
    tsc: (r.stdout + r.stderr).trim(),
    remove: () => rmSync(dir, { recursive: true, force: true }),
    load: async <T>(name: string) => (await import(/* @vite-ignore */ pathToFileURL(join(dir, 'src', name.replace(/\.ts$/, '.js'))).href)) as T,
  };
}
