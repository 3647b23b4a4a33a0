/**
 * `policyc build <dir>`: compile a policy set and write its checker files, all or none.
 * `--check` compares instead of writing (CI: an edited or stale generated file is an error);
 * files in the output folder that policyc did not generate are replaced only with `--force`.
 */
import { join, relative, resolve } from 'node:path';
import { sortDiagnostics } from '../diagnostics/diagnostic.ts';
import { compileDir } from '../index.ts';
import { foreignOutput, staleOutput, writeOutput } from '../write.ts';
import { limitsOf } from './limits.ts';
import { EXIT, UsageError, type Io } from './io.ts';
import { report } from './report.ts';

export interface BuildOptions {
  readonly out?: string;
  readonly format: string;
  readonly check?: boolean;
  readonly force?: boolean;
  readonly limit?: readonly string[];
  /** `code` or `table` (compiler/emit/table.ts); by default tables from 10,000 cells. */
  readonly layout?: string;
}

export async function buildCommand(dir: string, opts: BuildOptions, io: Io): Promise<number> {
  const root = resolve(io.cwd, dir);
  const { layout } = opts;
  if (layout !== undefined && layout !== 'code' && layout !== 'table') throw new UsageError(`--layout must be \`code\` or \`table\`, not \`${layout}\``);
  const result = await compileDir(root, { ...limitsOf(opts.limit), lean: true, ...(layout === undefined ? {} : { layout }) });
  if (!result.output) {
    report(result, dir, opts.format, io);
    return EXIT.policyErrors;
  }
  const outDir = resolve(io.cwd, opts.out ?? join(dir, 'generated'));
  // output files are shown relative to the policy folder, like policy files
  const shownAs = (name: string): string => relative(root, join(outDir, name));
  if (opts.check === true) {
    const stale = staleOutput(outDir, result.output, shownAs);
    report({ diagnostics: sortDiagnostics([...result.diagnostics, ...stale.diagnostics]), sources: new Map([...result.sources, ...stale.sources]) }, dir, opts.format, io);
    if (stale.diagnostics.length > 0) return EXIT.policyErrors;
    if (opts.format === 'text') io.out(`up to date: ${relative(io.cwd, outDir) || '.'}\n`);
    return EXIT.ok;
  }
  const foreign = opts.force === true ? [] : foreignOutput(outDir, result.output, shownAs);
  report({ diagnostics: sortDiagnostics([...result.diagnostics, ...foreign]), sources: result.sources }, dir, opts.format, io);
  if (foreign.length > 0) return EXIT.policyErrors;
  const written = writeOutput(outDir, result.output);
  if (opts.format === 'text') for (const file of written) io.out(`wrote ${relative(io.cwd, file)}\n`);
  return EXIT.ok;
}
