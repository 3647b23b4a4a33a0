/**
 * The one place that runs the phases in order: load → validate → analyze → emit → bundle.
 * Phases hand each other plain data and never call each other.
 */
import { basename, resolve } from 'node:path';
import { analyze } from './analyze/analyze.ts';
import { DiagnosticBag, sortDiagnostics, type Diagnostic } from './diagnostics/diagnostic.ts';
import type { PolicyModel } from './ir/model.ts';
import { parsePolicyFiles, readPolicyDir } from './load/load.ts';
import { validateFiles } from './validate/validate.ts';

export { FORMAT_VERSION } from './emit/header.ts';
export type { Diagnostic } from './diagnostics/diagnostic.ts';
export type { PolicyModel } from './ir/model.ts';

export const DEFAULT_RUNTIME_IMPORT = '@policyc/runtime';

export interface SourceText {
  /** Path relative to the policy set folder. */
  readonly path: string;
  readonly text: string;
}

export interface CheckResult {
  /** Sorted by file, line and column. */
  readonly diagnostics: readonly Diagnostic[];
  /** File texts by path, for printing code frames. */
  readonly sources: ReadonlyMap<string, string>;
  /** Present when there is no error. */
  readonly model: PolicyModel | undefined;
}

export interface CompiledChecker {
  /** The generated TypeScript module (imports the runtime). */
  readonly checkerTs: string;
  /** Declarations of the bundle. */
  readonly declarations: string;
  /** The checker and the runtime in one self-contained ES module (esbuild). */
  readonly bundle: string;
  /** The same as a CommonJS module. */
  readonly bundleCjs: string;
}

export interface CompileResult extends CheckResult {
  readonly output: CompiledChecker | undefined;
}

export interface CompileOptions {
  readonly runtimeImport?: string;
}

/** load → validate → analyze, on texts already read. */
export function checkSources(name: string, texts: readonly SourceText[]): CheckResult {
  const bag = new DiagnosticBag();
  const set = parsePolicyFiles(name, texts, bag);
  const valid = validateFiles(set.files, bag);
  const model = valid && !bag.hasErrors ? analyze(set, bag) : undefined;
  return { diagnostics: sortDiagnostics(bag.items), sources: set.sources, model: bag.hasErrors ? undefined : model };
}

/** load → validate → analyze on a policy set folder. */
export function checkDir(dir: string): CheckResult {
  const bag = new DiagnosticBag();
  const texts = readPolicyDir(dir, bag);
  if (bag.hasErrors) return { diagnostics: sortDiagnostics(bag.items), sources: new Map(), model: undefined };
  const result = checkSources(policyName(dir), texts);
  return { ...result, diagnostics: sortDiagnostics([...bag.items, ...result.diagnostics]) };
}

/**
 * emit → bundle, from a checked model. The two phases (ts-morph, esbuild) are loaded on first
 * use, so commands that only check never load them.
 */
export async function emit(model: PolicyModel, options: CompileOptions = {}): Promise<CompiledChecker> {
  const [{ emitChecker }, { emitDeclarations }, { header }, { bundleChecker }] = await Promise.all([
    import('./emit/checker.ts'),
    import('./emit/types.ts'),
    import('./emit/header.ts'),
    import('./bundle/bundle.ts'),
  ]);
  const runtimeImport = options.runtimeImport ?? DEFAULT_RUNTIME_IMPORT;
  const checkerTs = emitChecker(model, { runtimeImport });
  const declarations = emitDeclarations(model, runtimeImport);
  const [bundle, bundleCjs] = await Promise.all([
    bundleChecker(checkerTs, runtimeImport, header(model), 'esm'),
    bundleChecker(checkerTs, runtimeImport, header(model), 'cjs'),
  ]);
  return { checkerTs, declarations, bundle, bundleCjs };
}

export async function compileSources(name: string, texts: readonly SourceText[], options: CompileOptions = {}): Promise<CompileResult> {
  const checked = checkSources(name, texts);
  return { ...checked, output: checked.model ? await emit(checked.model, options) : undefined };
}

export async function compileDir(dir: string, options: CompileOptions = {}): Promise<CompileResult> {
  const checked = checkDir(dir);
  return { ...checked, output: checked.model ? await emit(checked.model, options) : undefined };
}

/** A policy set is named after its folder. */
export function policyName(dir: string): string {
  return basename(resolve(dir));
}
