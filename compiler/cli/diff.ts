/** `policyc diff`: what a change does to effective permissions, between two folders or two git revisions. */
import { resolve } from 'node:path';
import { checkDir, checkSources, type CheckResult } from '../index.ts';
import { diffMarkdown, diffModels, widens } from '../review/diff.ts';
import { GitError, policyTextsAt } from '../review/sources.ts';
import { EXIT, UsageError, type Io } from './io.ts';
import { report } from './report.ts';

export interface DiffOptions {
  readonly from?: string;
  readonly to?: string;
  readonly format: string;
  readonly failOn?: string;
}

function sidesOf(beforeArg: string, afterArg: string | undefined, opts: DiffOptions, io: Io): { label: string; result: CheckResult; dir: string }[] {
  if (opts.from === undefined) {
    if (afterArg === undefined) throw new UsageError('diff needs two folders, or one folder and --from <rev>');
    return [beforeArg, afterArg].map((dir) => ({ label: dir, result: checkDir(resolve(io.cwd, dir)), dir }));
  }
  const dir = resolve(io.cwd, beforeArg);
  const at = (rev: string): CheckResult => {
    const { name, texts } = policyTextsAt(dir, rev);
    return checkSources(name, texts);
  };
  try {
    return [
      { label: opts.from, result: at(opts.from), dir: beforeArg },
      opts.to !== undefined
        ? { label: opts.to, result: at(opts.to), dir: beforeArg }
        : { label: 'working tree', result: checkDir(resolve(io.cwd, afterArg ?? beforeArg)), dir: afterArg ?? beforeArg },
    ];
  } catch (error) {
    if (error instanceof GitError) throw new UsageError(`git: ${error.message}`);
    throw error;
  }
}

export function diffCommand(beforeArg: string, afterArg: string | undefined, opts: DiffOptions, io: Io): number {
  const sides = sidesOf(beforeArg, afterArg, opts, io);
  let broken = false;
  for (const side of sides) {
    if (side.result.model) continue;
    io.err(`policyc: the policy set (${side.label}) has errors:\n`);
    report(side.result, side.dir, 'text', io);
    broken = true;
  }
  const [before, after] = sides;
  if (broken || !before?.result.model || !after?.result.model) return EXIT.policyErrors;
  const changes = diffModels(before.result.model, after.result.model);
  io.out(opts.format === 'json' ? JSON.stringify({ changes }, null, 2) + '\n' : diffMarkdown(changes, `Permission changes: ${before.label} → ${after.label}`));
  if (opts.failOn === 'widen' && widens(changes)) {
    io.err('policyc: this change widens access (--fail-on widen)\n');
    return EXIT.policyErrors;
  }
  return EXIT.ok;
}
