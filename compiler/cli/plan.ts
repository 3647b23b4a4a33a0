/** `policyc plan <dir> --request FILE [--columns FILE]`: the query plan of one request, and its SQL. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pc from 'picocolors';
import { parse as parseYaml } from 'yaml';
import type { Context, Principal } from '@policyc/runtime';
import { toSql, type ColumnMapping } from '@policyc/runtime/sql';
import { compileDir } from '../index.ts';
import { EXIT, UsageError, type Io } from './io.ts';
import { report } from './report.ts';
import { loadBundle, readRequest } from './request.ts';

export async function planCommand(dir: string, opts: { request: string; columns?: string; format: string }, io: Io): Promise<number> {
  const { request, context } = await readRequest(opts.request, io);
  if (typeof request.action !== 'string' || typeof request.kind !== 'string') throw new UsageError('the request needs `principal`, `action` (a string) and `kind` (a string)');
  const mapping = opts.columns === undefined ? undefined : (parseYaml(readFileSync(resolve(io.cwd, opts.columns), 'utf8')) as ColumnMapping);
  const result = await compileDir(resolve(io.cwd, dir));
  if (!result.output) {
    report(result, dir, 'text', io);
    return EXIT.policyErrors;
  }
  const plan = (await loadBundle(result.output.bundle)).plan(request.principal as Principal, request.action, request.kind, context as Context | undefined);
  const sql = mapping === undefined ? undefined : toSql(plan, mapping);
  if (opts.format === 'json') {
    io.out(JSON.stringify({ plan, ...(sql === undefined ? {} : { sql }) }, null, 2) + '\n');
    return EXIT.ok;
  }
  const c = pc.createColors(io.color);
  const head = plan.result === 'always' ? c.green('always') : plan.result === 'never' ? c.red('never') : c.yellow(plan.recheck ? 'filter, to recheck with `can`' : 'filter');
  io.out(`${head}: ${plan.reason}\n`);
  if (plan.result === 'filter') io.out(`${JSON.stringify(plan.filter, null, 2)}\n`);
  if (sql !== undefined) io.out(`WHERE ${sql.where}\nparams: ${JSON.stringify(sql.params)}\n`);
  return EXIT.ok;
}
