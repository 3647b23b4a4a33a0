/** `policyc explain <dir> --request FILE`: decide one request (or a field's access) and show every step. */
import { resolve } from 'node:path';
import pc from 'picocolors';
import type { Context, Principal, Resource } from '@policyc/runtime';
import { traceField } from '../explain/fields.ts';
import { formatTrace, traceDecision } from '../explain/trace.ts';
import { compileDir } from '../index.ts';
import { EXIT, UsageError, type Io } from './io.ts';
import { report } from './report.ts';
import { loadBundle, readRequest } from './request.ts';

export async function explainCommand(dir: string, opts: { request: string; format: string }, io: Io): Promise<number> {
  const { request, context } = await readRequest(opts.request, io);
  if (typeof request.action !== 'string' && typeof request.field !== 'string') {
    throw new UsageError('the request needs `principal`, `action` (a string) and `resource`, or `principal`, `resource` and `field` (a string)');
  }
  const result = await compileDir(resolve(io.cwd, dir));
  if (!result.output || !result.model) {
    report(result, dir, 'text', io);
    return EXIT.policyErrors;
  }
  const checker = await loadBundle(result.output.bundle);
  const principal = request.principal as Principal;
  const resource = request.resource as Resource;
  if (typeof request.field === 'string') {
    // field-level security (R-K6, R-Z9): the compiled checker's mask, traced through the model
    const mask = checker.fields(principal, resource);
    const access = Object.hasOwn(mask, request.field) ? mask[request.field] : undefined;
    const hasView = result.model.resources.some((r) => r.name === (resource as { kind?: unknown } | null)?.kind && r.actions.includes('view'));
    const trace = traceField(result.model, principal, resource, request.field, hasView ? checker.can(principal, 'view', resource) : undefined);
    if (trace.access !== access) throw new Error(`policyc internal error: the field trace ends in ${String(trace.access)} but the checker says ${String(access)}`);
    if (opts.format === 'json') io.out(JSON.stringify({ field: request.field, access: access ?? null, trace: trace.steps }, null, 2) + '\n');
    else io.out(`${access ?? 'not a field'}: field \`${request.field}\`\n${formatTrace(trace)}\n`);
    return EXIT.ok;
  }
  const action = request.action as string;
  const decision = checker.can(principal, action, resource, context as Context | undefined);
  const trace = traceDecision(result.model, request.principal, action, request.resource, context);
  if (trace.code !== decision.code) throw new Error(`policyc internal error: the trace ends in ${trace.code} but the checker decided ${decision.code}`);
  if (opts.format === 'json') {
    io.out(JSON.stringify({ decision, trace: trace.steps }, null, 2) + '\n');
  } else {
    const c = pc.createColors(io.color);
    io.out(`${decision.allow ? c.green('allowed') : c.red('denied')} (${decision.code}): ${decision.reason}\n${formatTrace(trace)}\n`);
  }
  return EXIT.ok;
}
