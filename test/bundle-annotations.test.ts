// checker.js is minified for Node to load it quickly (issue 17) and keeps the pure annotations an
// application's bundler needs to tree-shake it (compiler/bundle/annotations.ts): minified, with
// nothing but those comments added.
import { build, transform } from 'esbuild';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { minifyKeepingAnnotations } from '../compiler/bundle/annotations.ts';
import { compileDir } from '../compiler/index.ts';
import { root } from './helpers/cli.ts';

const MODULE = `
/* @__NO_SIDE_EFFECTS__ */
function makeTable(size) {
  const table = [];
  for (let i = 0; i < size; i++) table.push("row " + i);
  return table;
}
const big = /* @__PURE__ */ makeTable(1000);
const registry = new Map();
registry.set("loaded", true);
export const used = (n) => n + 1;
export const unused = () => big.length;
export { registry };
`;

/** What a bundler keeps of `code` for an application that imports `used` alone. */
async function usedAlone(code: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'policyc-annotations-'));
  writeFileSync(join(dir, 'module.js'), code);
  writeFileSync(join(dir, 'app.js'), "import { used } from './module.js';\nconsole.log(used(1));\n");
  return (await build({ absWorkingDir: dir, entryPoints: ['app.js'], bundle: true, format: 'esm', write: false, logLevel: 'silent' })).outputFiles[0]!.text;
}

describe('minified bundles keep their pure annotations', () => {
  it('the module is minified, and a bundler still drops an unused annotated call but keeps a side effect', async () => {
    const minified = await minifyKeepingAnnotations(MODULE);
    expect(minified).toBeDefined();
    expect(minified!.trimEnd()).not.toContain('\n');
    expect(minified).not.toContain('makeTable');
    expect(minified!.match(/@__PURE__|@__NO_SIDE_EFFECTS__/g)?.length).toBe(2);
    // esbuild's own minifying loses them: then the table is kept
    expect(await usedAlone((await transform(MODULE, { minify: true, format: 'esm' })).code)).toContain('"row "');
    const kept = await usedAlone(minified!);
    expect(kept).not.toContain('"row "');
    expect(kept).toContain('"loaded"');
  });

  it('the bundled checker.js of an example: annotations back, and nothing but comments added', async () => {
    const { output } = await compileDir(join(root, 'policies', 'kommo-crm'));
    const code = output!.bundle.replace(/^(\/\/.*\n)+/, '');
    expect(code.match(/@__PURE__|@__NO_SIDE_EFFECTS__/g)?.length).toBeGreaterThan(30);
    const withoutComments = async (text: string) => (await transform(text, { minify: true, format: 'esm' })).code;
    expect(await withoutComments(code)).toBe(await withoutComments(code.replace(/\/\* @__(PURE|NO_SIDE_EFFECTS)__ \*\//g, '')));
    // one line of code after the header: minified
    expect(output!.bundle.trimEnd().split('\n').filter((line) => !line.startsWith('//'))).toHaveLength(1);
  });
});
