/**
 * The lean module of `checker.js` and `checker.cjs` (issue 17: import and first decision within
 * 5 ms). Most of a checker's code is what no decision runs — plans and their runtime, field
 * security, role management — and V8 parses all of a module before it runs any of it. The lean
 * module is the generated module with those left to the whole one, `checker.full.cjs`, which it
 * loads synchronously on the first call that needs it: its `checker.plan`, `fields`, `redact`,
 * `canWrite` and `roleManagement` are the whole module's, its decisions its own (the same
 * generated code; the requests its entries leave to the runtime's checker too).
 */
import { lit } from './literal.ts';

/** The whole module a lean one loads, beside it: the CommonJS bundle, the one file every platform with Node's `require` can load synchronously. */
export const WHOLE_FILE = 'checker.full.cjs';

/**
 * The lean module's access to the whole module: `full()`, which loads it once with `loadFull`
 * ({@link leanLoader}), and only if it is the same policy (lazy.ts `wholeModule`).
 */
export function wholeModuleAccess(hash: string): string {
  return [
    `/** The whole module beside this lean one (\`${WHOLE_FILE}\`): plans, field security and role management, loaded on the first call that needs them. */`,
    'type WholeModule = { readonly checker: PolicyChecker<Schema>; readonly roleManagement?: unknown };',
    '/** Written after bundling ({@link leanLoader}), so that no bundler step rewrites its `require`. */',
    'declare function loadFull(fresh: boolean): unknown;',
    'let whole: WholeModule | undefined;',
    'function full(): WholeModule {',
    `  return whole ??= wholeModule(loadFull, ${lit(hash)}) as WholeModule;`,
    '}',
  ].join('\n');
}

/**
 * `loadFull(fresh)`, written after the bundled lean module: plain JavaScript that no bundler step
 * of ours rewrites (the runtime package loads nothing). `fresh`: from the file, not Node's cache.
 * - CommonJS `require`s the file.
 * - An ES module, in Node, has no `require`: it asks Node for one (`process.getBuiltinModule`,
 *   Node 20.16 and later, Deno, Bun), and elsewhere throws, so that the call that needed the whole
 *   module fails closed, saying to import `checker.full.js`. Bundled again by an application's
 *   bundler, it has one: esbuild (and a bundler like it) bundles the whole module along, and the bundle needs no
 *   file beside it.
 */
export function leanLoader(format: 'esm' | 'cjs'): string {
  const file = lit(`./${WHOLE_FILE}`);
  const fromNode = (require: string): string => `if(fresh)delete ${require}.cache[${require}.resolve(${file})];return ${require}(${file})`;
  if (format === 'cjs') return `function loadFull(fresh){${fromNode('require')}}\n`;
  const unsupported = lit(`cannot load ${file.slice(1, -1)} on this platform (no process.getBuiltinModule): import checker.full.js instead`);
  return [
    'function loadFull(fresh){',
    `if(typeof require=="function")return require(${file});`,
    'const node=globalThis.process?.getBuiltinModule?.("module");',
    `if(typeof node?.createRequire!="function")throw new Error(${unsupported});`,
    `const load=node.createRequire(import.meta.url);${fromNode('load')}}`,
    '',
  ].join('');
}
