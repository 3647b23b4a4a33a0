/** `policyc matrix <dir>`: the effective role × resource × action matrix, as markdown or an HTML page. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkDir } from '../index.ts';
import { matrixHtml, matrixMarkdown } from '../review/matrix.ts';
import { EXIT, type Io } from './io.ts';
import { report } from './report.ts';

export function matrixCommand(dir: string, opts: { format: string; out?: string }, io: Io): number {
  const result = checkDir(resolve(io.cwd, dir));
  if (!result.model) {
    report(result, dir, 'text', io);
    return EXIT.policyErrors;
  }
  const text = opts.format === 'html' ? matrixHtml(result.model) : matrixMarkdown(result.model) + '\n';
  if (opts.out === undefined) io.out(text);
  else writeFileSync(resolve(io.cwd, opts.out), text);
  return EXIT.ok;
}
