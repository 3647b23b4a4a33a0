/** Policy texts from a folder, or from a git revision of a folder (for `policyc diff`). */
import { execFileSync } from 'node:child_process';
import { basename, resolve } from 'node:path';
import { isPolicyFileName } from '../load/load.ts';
import type { SourceText } from '../index.ts';

export class GitError extends Error {
  override readonly name = 'GitError';
}

function git(dir: string, args: readonly string[]): string {
  try {
    return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new GitError(stderr.trim().split('\n')[0] || (error as Error).message);
  }
}

/** The policy files of `dir` as they are at revision `rev` (paths relative to `dir`). */
export function policyTextsAt(dir: string, rev: string): { name: string; texts: SourceText[] } {
  if (rev.startsWith('-')) throw new GitError(`\`${rev}\` is not a revision`);
  const listing = git(dir, ['ls-tree', '-r', '--name-only', rev, '--', '.']);
  const paths = listing
    .split('\n')
    .filter((p) => p !== '' && isPolicyFileName(p.split('/').at(-1)!) && !p.split('/').some((part) => part === 'generated' || part.startsWith('.')));
  const texts = paths.map((path) => ({ path, text: git(dir, ['show', `${rev}:./${path}`]) }));
  return { name: basename(resolve(dir)), texts };
}
