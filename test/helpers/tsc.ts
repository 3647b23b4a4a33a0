/**
 * Runs `tsc --noEmit` on a project as a child process and returns its report (empty when the
 * project type-checks). `--incremental` keeps what tsc learnt in a build-info file under the
 * system's temporary folder, one per project: a later run re-checks only the files that changed
 * and what depends on them, and reports the same errors (tsc stores them per file); a run on a
 * fresh machine checks everything, as before.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export function tsc(project: string): string {
  const path = resolve(root, project);
  const info = join(tmpdir(), 'policyc-test-tsc', `${createHash('sha256').update(path).digest('hex').slice(0, 16)}.tsbuildinfo`);
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path, '--noEmit', '--incremental', '--tsBuildInfoFile', info], { cwd: root, encoding: 'utf8' });
  return (r.stdout + r.stderr).trim();
}
