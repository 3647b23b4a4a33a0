/**
 * `policyc check <dir> [--directory FILE]`: load, validate and analyze a policy set, and with
 * `--directory` check a user directory against it (docs/directory.md); writes nothing.
 */
import { resolve } from 'node:path';
import pc from 'picocolors';
import { count } from '../diagnostics/limits.ts';
import { checkDir, checkDirectoryFile } from '../index.ts';
import { limitsOf } from './limits.ts';
import { EXIT, type Io } from './io.ts';
import { report } from './report.ts';

export function checkCommand(dir: string, opts: { format: string; limit?: readonly string[]; directory?: string }, io: Io): number {
  const limits = limitsOf(opts.limit);
  const folder = resolve(io.cwd, dir);
  const result = opts.directory === undefined ? { ...checkDir(folder, limits), directory: undefined } : checkDirectoryFile(folder, resolve(io.cwd, opts.directory), limits);
  report(result, dir, opts.format, io);
  if (!result.model) return EXIT.policyErrors;
  if (opts.format === 'text') {
    const users = result.directory === undefined ? '' : `; ${opts.directory}: ${count(result.directory.users)} users`;
    io.out(`${pc.createColors(io.color).green('ok')} ${dir}: ${result.model.roles.length} roles, ${result.model.resources.length} resources${users}\n`);
  }
  return EXIT.ok;
}
