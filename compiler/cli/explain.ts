/**
 * `policyc explain <dir> --request FILE [--as USER --directory FILE]`: decide one request (or a
 * field's access) and show every step. With `--as`, the principal is the user of that id, email
 * or key in the user directory (docs/directory.md), checked against the policy first; a user with
 * several roles is decided as `canAny` decides it, and the trace follows the role that decided.
 */
import { resolve } from 'node:path';
import pc from 'picocolors';
import { canAny, loadDirectory, type Context, type Principal, type Resource } from '@policyc/runtime';
import { traceField } from '../explain/fields.ts';
import { formatTrace, traceDecision } from '../explain/trace.ts';
import { checkDirectoryWith, compileDir, type PolicyModel } from '../index.ts';
import { EXIT, UsageError, type Io } from './io.ts';
import { report } from './report.ts';
import { loadBundle, readRequest } from './request.ts';

export interface ExplainFlags {
  readonly request: string;
  readonly format: string;
  /** A user's id, email or key in `directory`: the principal of the request. */
  readonly as?: string;
  readonly directory?: string;
}

export async function explainCommand(dir: string, opts: ExplainFlags, io: Io): Promise<number> {
  const { request, context } = await readRequest(opts.request, io);
  if (typeof request.action !== 'string' && typeof request.field !== 'string') {
    throw new UsageError('the request needs `principal`, `action` (a string) and `resource`, or `principal`, `resource` and `field` (a string)');
  }
  if ((opts.as === undefined) !== (opts.directory === undefined)) throw new UsageError('`--as <user>` and `--directory <file>` go together: the user is looked up in the directory');
  if (opts.as !== undefined && request.principal !== undefined) throw new UsageError('the request has a `principal` and `--as` names a user: write one');
  const folder = resolve(io.cwd, dir);
  const result = await compileDir(folder);
  if (!result.output || !result.model) {
    report(result, dir, 'text', io);
    return EXIT.policyErrors;
  }
  const checker = await loadBundle(result.output.bundle);
  let principal = request.principal as Principal;
  if (opts.as !== undefined) {
    const found = principalFromDirectory(result.model, folder, opts.as, resolve(io.cwd, opts.directory!), (r) => report(r, dir, 'text', io));
    if (found === undefined) return EXIT.policyErrors;
    principal = found;
  }
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
  const decision = canAny(checker, principal, action, resource, context as Context | undefined);
  // several roles: the trace follows the role the decision names (canAny decides role by role)
  const roles = (principal as { roles?: unknown } | null)?.roles;
  const deciding = Array.isArray(roles) ? roles.find((role) => checker.can({ ...principal, role } as Principal, action, resource, context as Context | undefined).code === decision.code) : undefined;
  const traced = deciding === undefined ? principal : { ...principal, role: deciding };
  const trace = traceDecision(result.model, traced, action, request.resource, context);
  if (trace.code !== decision.code) throw new Error(`policyc internal error: the trace ends in ${trace.code} but the checker decided ${decision.code}`);
  if (opts.format === 'json') {
    io.out(JSON.stringify({ decision, trace: trace.steps }, null, 2) + '\n');
  } else {
    const c = pc.createColors(io.color);
    io.out(`${decision.allow ? c.green('allowed') : c.red('denied')} (${decision.code}): ${decision.reason}\n${formatTrace(trace)}\n`);
  }
  return EXIT.ok;
}

/** The principal of the user `key` in the directory, after checking it against the policy; `undefined` after reporting why not. */
function principalFromDirectory(model: PolicyModel, folder: string, key: string, file: string, show: (r: Parameters<typeof report>[0]) => void): Principal | undefined {
  const checked = checkDirectoryWith(model, folder, file);
  show(checked);
  if (checked.entries === undefined || !checked.model) return undefined;
  const principal = loadDirectory(checked.entries).principal(key);
  if (principal === undefined) throw new UsageError(`no user \`${key}\` in the directory: give a user's id, email or key`);
  return principal;
}
