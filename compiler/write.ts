import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { diagnostic, type Diagnostic } from './diagnostics/diagnostic.ts';
import { generatedByPolicyc } from './emit/header.ts';
import type { CompiledChecker } from './index.ts';
import { WHOLE_FILE } from './emit/lean.ts';

/**
 * The files `policyc build` writes: the module to compile with the application (imports
 * `@policyc/runtime`); self-contained bundles — lean `checker.js` / `checker.cjs`, which load
 * `checker.full.cjs` beside them for plans, field security and role management (emit/lean.ts),
 * and `checker.full.js`, the whole module as an ES module, for platforms without Node's `require`;
 * declarations for each (`.d.cts` is what TypeScript reads beside a `.cjs` file).
 */
export const OUTPUT_FILES: Readonly<Record<string, (output: CompiledChecker) => string>> = {
  'checker.ts': (o) => o.checkerTs,
  'checker.d.ts': (o) => o.declarations,
  'checker.js': (o) => leanOf(o).esm,
  'checker.cjs': (o) => leanOf(o).cjs,
  'checker.d.cts': (o) => o.declarations,
  'checker.full.js': (o) => o.bundle,
  'checker.full.d.ts': (o) => o.declarations,
  [WHOLE_FILE]: (o) => o.bundleCjs,
  'checker.full.d.cts': (o) => o.declarations,
};

function leanOf(output: CompiledChecker): { readonly esm: string; readonly cjs: string } {
  if (output.lean === undefined) throw new Error('policyc internal error: output files need the lean modules (compile with `lean: true`)');
  return output.lean;
}

/** Each output file's path in `outDir` and its new text. */
export function outputFiles(outDir: string, output: CompiledChecker): { path: string; name: string; text: string }[] {
  return Object.entries(OUTPUT_FILES).map(([name, text]) => ({ path: join(outDir, name), name, text: text(output) }));
}

/**
 * Replaces several files all together or not at all (as far as a file system allows): every
 * new text is first written to a hidden temporary file beside its target, and only when all
 * are written are they renamed over the targets. If a rename fails, the files already replaced
 * get their `previous` text back (best effort) and the error is thrown.
 */
export function replaceFiles(files: readonly { path: string; text: string; previous?: string | undefined }[]): void {
  const suffix = `.policyc-${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const temps: { temp: string; path: string; previous: string | undefined }[] = [];
  try {
    for (const file of files) {
      const temp = join(dirname(file.path), `.${basename(file.path)}${suffix}`);
      writeFileSync(temp, file.text, { flag: 'wx' });
      temps.push({ temp, path: file.path, previous: file.previous });
    }
  } catch (error) {
    for (const { temp } of temps) rmSync(temp, { force: true });
    throw new Error(`cannot write the new files: ${(error as Error).message}; nothing was changed`);
  }
  const replaced: typeof temps = [];
  try {
    for (const t of temps) {
      renameSync(t.temp, t.path);
      replaced.push(t);
    }
  } catch (error) {
    for (const t of replaced) if (t.previous === undefined) rmSync(t.path, { force: true });
    else writeFileSync(t.path, t.previous);
    for (const t of temps) rmSync(t.temp, { force: true });
    throw new Error(`cannot replace the files: ${(error as Error).message}; the earlier files were put back`);
  }
}

/** Writes every output file into `outDir`, all or none. */
export function writeOutput(outDir: string, output: CompiledChecker): string[] {
  mkdirSync(outDir, { recursive: true });
  const files = outputFiles(outDir, output);
  replaceFiles(files);
  return files.map((f) => f.path);
}

/** What one output file is now, with `file` (its name as shown) and its current text if any. */
interface Existing {
  readonly file: string;
  readonly current: string | undefined;
  readonly text: string;
}

function existing(outDir: string, output: CompiledChecker, shownAs: (name: string) => string): Existing[] {
  return outputFiles(outDir, output).map((f) => ({ file: shownAs(f.name), current: existsSync(f.path) ? readFileSync(f.path, 'utf8') : undefined, text: f.text }));
}

/**
 * `build --check`: a diagnostic for each output file that is missing or differs from what the
 * policy compiles to (at the first differing character), with the files' texts for code frames.
 */
export function staleOutput(outDir: string, output: CompiledChecker, shownAs: (name: string) => string): { diagnostics: Diagnostic[]; sources: Map<string, string> } {
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>();
  for (const f of existing(outDir, output, shownAs)) {
    if (f.current === f.text) continue;
    if (f.current === undefined) {
      diagnostics.push(diagnostic('StaleOutput', { file: f.file, start: 0, end: 0 }, `\`${f.file}\` is missing`, { help: 'run `policyc build` and commit the generated files' }));
      continue;
    }
    let at = 0;
    while (at < f.current.length && f.current[at] === f.text[at]) at++;
    sources.set(f.file, f.current);
    diagnostics.push(
      diagnostic('StaleOutput', { file: f.file, start: at, end: Math.min(f.current.length, at + 1) }, `\`${f.file}\` differs from what the policy compiles to (edited by hand, or not rebuilt)`, {
        help: 'run `policyc build` and commit the generated files',
      }),
    );
  }
  return { diagnostics, sources };
}

/** Output files that exist and do not carry policyc's generated header: not overwritten without `--force`. */
export function foreignOutput(outDir: string, output: CompiledChecker, shownAs: (name: string) => string): Diagnostic[] {
  return existing(outDir, output, shownAs)
    .filter((f) => f.current !== undefined && !generatedByPolicyc(f.current))
    .map((f) =>
      diagnostic('ForeignOutput', { file: f.file, start: 0, end: 0 }, `\`${f.file}\` exists and was not generated by policyc, so it is not overwritten`, {
        help: 'choose another `--out` folder, or pass `--force` to replace it',
      }),
    );
}
