import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CompiledChecker } from './index.ts';

export const OUTPUT_FILES = { checkerTs: 'checker.ts', declarations: 'checker.d.ts', bundle: 'checker.js' } as const;

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

/** Writes checker.ts, checker.d.ts and checker.js into `outDir`, all three or none. */
export function writeOutput(outDir: string, output: CompiledChecker): string[] {
  mkdirSync(outDir, { recursive: true });
  const files = (Object.entries(OUTPUT_FILES) as [keyof CompiledChecker, string][]).map(([key, name]) => ({ path: join(outDir, name), text: output[key] }));
  replaceFiles(files);
  return files.map((f) => f.path);
}
