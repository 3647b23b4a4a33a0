/**
 * Compiles policies the way `policyc build` does and loads the bundled checker, so tests
 * exercise exactly what an application would import.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileDir, compileSources as compileTexts, type CompileResult } from '../../compiler/index.ts';
import { formatText } from '../../compiler/diagnostics/format.ts';
import type { Checker } from '../../packages/runtime/src/index.ts';

const cacheDir = join(tmpdir(), 'policyc-test-checkers');

/** Imports a bundled checker module from its text. */
export async function importBundle(bundle: string): Promise<Record<string, unknown>> {
  mkdirSync(cacheDir, { recursive: true });
  const file = join(cacheDir, `${createHash('sha256').update(bundle).digest('hex').slice(0, 24)}.mjs`);
  writeFileSync(file, bundle);
  return (await import(/* @vite-ignore */ pathToFileURL(file).href)) as Record<string, unknown>;
}

function failOnErrors(result: CompileResult): NonNullable<CompileResult['output']> {
  if (!result.output) throw new Error(`policy does not compile:\n${formatText(result.diagnostics, result.sources)}`);
  return result.output;
}

export async function checkerOf(result: CompileResult): Promise<Checker> {
  const mod = await importBundle(failOnErrors(result).bundle);
  return mod.checker as Checker;
}

/** Checkers of policy set folders already compiled in this worker (files run without isolation, vitest.config.ts), by path. */
const folders = new Map<string, Promise<Checker>>();

/**
 * Compiles a policy set folder (a path or a `file:` URL) and returns its checker: once per folder,
 * as the bundled example sets it is used for do not change while tests run.
 */
export function loadChecker(dir: string | URL): Promise<Checker> {
  const path = resolve(typeof dir === 'string' ? dir : fileURLToPath(dir));
  let checker = folders.get(path);
  if (checker === undefined) folders.set(path, (checker = compileDir(path).then(checkerOf)));
  return checker;
}

/** Compiles policy texts given as `{ 'roles.yaml': '…' }`; throws with the diagnostics on errors. */
export async function compileSources(files: Readonly<Record<string, string>>, name = 'test'): Promise<Checker> {
  return checkerOf(await compileTexts(name, Object.entries(files).map(([path, text]) => ({ path, text }))));
}
