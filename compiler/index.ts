/**
 * The one place that runs the phases in order: load → validate → analyze → emit → bundle.
 * Phases hand each other plain data and never call each other.
 */
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { analyze } from './analyze/analyze.ts';
import { DiagnosticBag, sortDiagnostics, type Diagnostic } from './diagnostics/diagnostic.ts';
import { checkDirectory, type DirectorySummary } from './directory/check.ts';
import { readDirectoryFile } from './directory/read.ts';
import type { PolicyModel } from './ir/model.ts';
import { limitsWith, type Limits } from './diagnostics/limits.ts';
import { resetSuggestionBudget } from './diagnostics/suggest.ts';
import { parsePolicyFiles, readPolicyFolder } from './load/load.ts';
import { validateFiles } from './validate/validate.ts';

export { FORMAT_VERSION } from './emit/header.ts';
export type { Diagnostic } from './diagnostics/diagnostic.ts';
export type { PolicyModel } from './ir/model.ts';
export { DEFAULT_LIMITS, type Limits } from './diagnostics/limits.ts';

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
  /**
   * The lean modules `policyc build` writes as `checker.js` and `checker.cjs` (compiler/emit/lean.ts):
   * the same decisions, loading `bundleCjs` (written beside them as `checker.full.cjs`) for
   * plans, field security and role management. Made only when asked for (`lean: true`).
   */
  readonly lean?: { readonly esm: string; readonly cjs: string };
}

export interface CompileResult extends CheckResult {
  readonly output: CompiledChecker | undefined;
}

export interface CheckOptions {
  /** Limits replacing the defaults (`DEFAULT_LIMITS`, docs/diagnostics.md). */
  readonly limits?: Partial<Limits>;
}

export interface CompileOptions extends CheckOptions {
  readonly runtimeImport?: string;
  /**
   * How the checker lays out its role × resource × action cells: `code` (a switch on the role per
   * resource × action, readable in review) or `table` (compact tables, for large policies). By
   * default tables from 10,000 cells (`compiler/emit/table.ts`); decisions are the same.
   */
  readonly layout?: 'code' | 'table';
  /** Also bundle the lean modules (`CompiledChecker.lean`), for writing the output files. */
  readonly lean?: boolean;
}

/**
 * load → validate → analyze, on texts already read. A phase runs only when the one before it
 * found no error: a later phase would report what follows from that error again.
 */
export function checkSources(name: string, texts: readonly SourceText[], options: CheckOptions = {}): CheckResult {
  const limits = limitsWith(options.limits);
  resetSuggestionBudget();
  const bag = new DiagnosticBag();
  const set = parsePolicyFiles(name, texts, bag, limits);
  const valid = !bag.hasErrors && validateFiles(set.files, bag);
  const model = valid && !bag.hasErrors ? analyze(set, bag, limits) : undefined;
  return { diagnostics: sortDiagnostics(bag.items), sources: set.sources, model: bag.hasErrors ? undefined : model };
}

/** load → validate → analyze on a policy set folder. */
export function checkDir(dir: string, options: CheckOptions = {}): CheckResult {
  const bag = new DiagnosticBag();
  const read = readPolicyFolder(dir, bag, limitsWith(options.limits));
  if (bag.hasErrors) return { diagnostics: sortDiagnostics(bag.items), sources: read.sources, model: undefined };
  const result = checkSources(policyName(dir), read.texts, options);
  return { ...result, diagnostics: sortDiagnostics([...bag.items, ...result.diagnostics]) };
}

export interface DirectoryCheckResult extends CheckResult {
  /** What the directory holds, when it could be read. */
  readonly directory: DirectorySummary | undefined;
  /** The directory's entries as plain data (for the runtime's `loadDirectory`), when it could be read. */
  readonly entries: readonly unknown[] | undefined;
}

/**
 * load → validate → analyze, then the directory phase: the user directory `file` (YAML, JSON or
 * JSON Lines; docs/directory.md) checked against the policy set. `model` is present only when
 * both are free of errors. Diagnostics name the directory by its path from the policy folder.
 */
export function checkDirectoryFile(dir: string, file: string, options: CheckOptions = {}): DirectoryCheckResult {
  const checked = checkDir(dir, options);
  if (!checked.model) return { ...checked, directory: undefined, entries: undefined };
  const found = checkDirectoryWith(checked.model, dir, file, options);
  const sources = new Map([...checked.sources, ...found.sources]);
  return { ...found, diagnostics: sortDiagnostics([...checked.diagnostics, ...found.diagnostics]), sources, model: found.model && checked.model };
}

/** The directory phase alone, against a model already checked (`policyc explain --as` compiles first). */
export function checkDirectoryWith(model: PolicyModel, dir: string, file: string, options: CheckOptions = {}): DirectoryCheckResult {
  const bag = new DiagnosticBag();
  const path = resolve(dir, file);
  const shown = relative(resolve(dir), path);
  const name = isAbsolute(shown) ? shown : shown.split(sep).join('/');
  resetSuggestionBudget();
  const sources = new Map<string, string>();
  const read = readDirectoryFile(path, name, bag, limitsWith(options.limits), sources);
  const directory = read === undefined ? undefined : checkDirectory(model, read, bag);
  return {
    diagnostics: sortDiagnostics(bag.items),
    sources,
    model: bag.hasErrors ? undefined : model,
    directory,
    entries: read?.entries.map((e) => e.value),
  };
}

/**
 * emit → bundle, from a checked model. The two phases (ts-morph, esbuild) are loaded on first
 * use, so commands that only check never load them.
 */
export async function emit(model: PolicyModel, options: CompileOptions = {}): Promise<CompiledChecker> {
  const [{ emitChecker }, { emitDeclarations }, { header }, { bundleChecker, bundleLean, LARGE_CHECKER }] = await Promise.all([
    import('./emit/checker.ts'),
    import('./emit/types.ts'),
    import('./emit/header.ts'),
    import('./bundle/bundle.ts'),
  ]);
  const runtimeImport = options.runtimeImport ?? DEFAULT_RUNTIME_IMPORT;
  const layout = options.layout === undefined ? {} : { layout: options.layout };
  const checkerTs = emitChecker(model, { runtimeImport, ...layout });
  const declarations = emitDeclarations(model, runtimeImport);
  const [bundle, bundleCjs] = await Promise.all([
    bundleChecker(checkerTs, runtimeImport, header(model), 'esm'),
    bundleChecker(checkerTs, runtimeImport, header(model), 'cjs'),
  ]);
  if (options.lean !== true) return { checkerTs, declarations, bundle, bundleCjs };
  const lean = checkerTs.length > LARGE_CHECKER ? { esm: bundle, cjs: bundleCjs } : await bundleLean(emitChecker(model, { runtimeImport, ...layout, lean: true }), runtimeImport, header(model));
  return { checkerTs, declarations, bundle, bundleCjs, lean };
}

export async function compileSources(name: string, texts: readonly SourceText[], options: CompileOptions = {}): Promise<CompileResult> {
  const checked = checkSources(name, texts, options);
  return { ...checked, output: checked.model ? await emit(checked.model, options) : undefined };
}

export async function compileDir(dir: string, options: CompileOptions = {}): Promise<CompileResult> {
  const checked = checkDir(dir, options);
  return { ...checked, output: checked.model ? await emit(checked.model, options) : undefined };
}

/** A policy set is named after its folder. */
export function policyName(dir: string): string {
  return basename(resolve(dir));
}
