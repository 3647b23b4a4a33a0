import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, transform } from 'esbuild';

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

/** The runtime's source, which the bundle inlines so the bundled checker stands alone. */
function runtimeEntry(): string {
  return join(packageRoot(), 'runtime', 'index.ts');
}

/**
 * Bundles a generated checker with the runtime into one self-contained ES module.
 * `runtimeImport` is the specifier the generated code uses for the runtime.
 */
export async function bundleChecker(checkerTs: string, runtimeImport: string, banner: string): Promise<string> {
  const result = await build({
    stdin: { contents: checkerTs, loader: 'ts', resolveDir: packageRoot(), sourcefile: 'checker.ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    alias: { [runtimeImport]: runtimeEntry(), [`${runtimeImport}/cel`]: join(packageRoot(), 'runtime', 'cel.ts') },
    banner: { js: banner },
    legalComments: 'none',
    logLevel: 'silent',
  });
  const out = result.outputFiles[0];
  if (!out) throw new Error('policyc internal error: esbuild produced no output');
  return out.text;
}

/** Type-strips a generated checker without bundling (imports kept), for tests and tools. */
export async function stripTypes(checkerTs: string): Promise<string> {
  return (await transform(checkerTs, { loader: 'ts', format: 'esm', target: 'es2022' })).code;
}
