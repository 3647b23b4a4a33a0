/** `policyc check <dir>`: load, validate and analyze a policy set; writes nothing. */
import { resolve } from 'node:path';
import pc from 'picocolors';
import { checkDir } from '../index.ts';
import { limitsOf } from './limits.ts';
import { EXIT, type Io } from './io.ts';
import { report } from './report.ts';

export function checkCommand(dir: string, opts: { format: string; limit?: readonly string[] }, io: Io): number {
  const result = checkDir(resolve(io.cwd, dir), limitsOf(opts.limit));
  report(result, dir, opts.format, io);
  if (!result.model) return EXIT.policyErrors;
  if (opts.format === 'text') io.out(`${pc.createColors(io.color).green('ok')} ${dir}: ${result.model.roles.length} roles, ${result.model.resources.length} resources\n`);
  return EXIT.ok;
}
