import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, transform } from 'esbuild';
import { minifyKeepingAnnotations } from './annotations.ts';
import { leanLoader } from '../emit/lean.ts';

/** The policyc package folder, found from this file whether it runs from source or from `dist/`. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'policyc') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('policyc internal error: cannot find the policyc package folder');
    dir = up;
  }
}

/**
 * The runtime the bundle inlines so the bundled checker stands alone: the installed
 * `@policyc/runtime` package, or its sources when policyc runs inside its own repository.
 */
function runtimeEntries(): { index: string; cel: string } {
  const dir = dirname(createRequire(join(packageRoot(), 'package.json')).resolve('@policyc/runtime/package.json'));
  const sources = join(dir, 'src');
  if (existsSync(join(sources, 'index.ts'))) return { index: join(sources, 'index.ts'), cel: join(sources, 'cel.ts') };
  return { index: join(dir, 'dist', 'index.js'), cel: join(dir, 'dist', 'cel.js') };
}

/**
 * Above this many characters of checker.ts (policies of the table layout), the bundles are not
 * minified, and the lean modules are the whole ones (emit/lean.ts): bundling twice more would cost
 * most of a second, and what such a module is loaded for dwarfs the parsing.
 */
export const LARGE_CHECKER = 1_000_000;

/**
 * Bundles a generated checker with the runtime into one self-contained module (ES or CommonJS).
 * `runtimeImport` is the specifier the generated code uses for the runtime.
 */
export async function bundleChecker(checkerTs: string, runtimeImport: string, banner: string, format: 'esm' | 'cjs' = 'esm'): Promise<string> {
  const runtime = runtimeEntries();
  const large = checkerTs.length > LARGE_CHECKER;
  const result = await build({
    // paths in the bundle's comments are relative to this, so output does not depend on the folder policyc runs in
    absWorkingDir: packageRoot(),
    stdin: { contents: checkerTs, loader: 'ts', resolveDir: packageRoot(), sourcefile: 'checker.ts' },
    bundle: true,
    write: false,
    format,
    platform: 'neutral',
    target: 'es2022',
    alias: { [runtimeImport]: runtime.index, [`${runtimeImport}/cel`]: runtime.cel },
    legalComments: 'none',
    // what an application imports is parsed by V8 on every start: fewer tokens and bytes load
    // sooner (bench/load.mjs); checker.ts stays the readable, reviewed file. The ES module is
    // minified below, keeping the annotations a bundler needs (no bundler tree-shakes CommonJS).
    // A large policy's are not: that would cost seconds of its compile (bench/compile.mjs), and
    // what its module is loaded for dwarfs the parsing
    minify: format === 'cjs' && !large,
    logLevel: 'silent',
  });
  const out = result.outputFiles[0];
  if (!out) throw new Error('policyc internal error: esbuild produced no output');
  if (format === 'cjs' || large) return `${banner}\n${out.text}`;
  // where the annotations cannot all be written back unchanged: minified but for line breaks, which keeps them
  const code = (await minifyKeepingAnnotations(out.text)) ?? (await transform(out.text, { minifySyntax: true, minifyIdentifiers: true, format: 'esm', target: 'es2022' })).code;
  return `${banner}\n${code}`;
}

/** The lean modules of `checker.js` and `checker.cjs` from the lean generated module, each followed by its `loadFull` (emit/lean.ts). */
export async function bundleLean(leanTs: string, runtimeImport: string, banner: string): Promise<{ esm: string; cjs: string }> {
  const [esm, cjs] = await Promise.all((['esm', 'cjs'] as const).map(async (format) => `${(await bundleChecker(leanTs, runtimeImport, banner, format)).trimEnd()}\n${leanLoader(format)}`));
  return { esm: esm!, cjs: cjs! };
}

/** Type-strips a generated checker without bundling (imports kept), for tests and tools. */
export async function stripTypes(checkerTs: string): Promise<string> {
  return (await transform(checkerTs, { loader: 'ts', format: 'esm', target: 'es2022' })).code;
}
