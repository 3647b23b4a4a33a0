import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import pc from 'picocolors';
import { parse as parseYaml } from 'yaml';
import type { Checker, Context, Principal, Resource } from '@policyc/runtime';
import { toSql, type ColumnMapping } from '@policyc/runtime/sql';
import { packageRoot } from './bundle/bundle.ts';
import { formatGithub, formatSarif } from './diagnostics/ci-formats.ts';
import { DiagnosticBag, sortDiagnostics } from './diagnostics/diagnostic.ts';
import { formatJson, formatText } from './diagnostics/format.ts';
import { traceField } from './explain/fields.ts';
import { formatTrace, traceDecision } from './explain/trace.ts';
import { checkDir, checkSources, compileDir, type CheckResult } from './index.ts';
import { applyRefactor, deleteRole, renameRole, type RefactorResult } from './refactor/roles.ts';
import { diffMarkdown, diffModels, widens } from './review/diff.ts';
import { matrixHtml, matrixMarkdown } from './review/matrix.ts';
import { GitError, policyTextsAt } from './review/sources.ts';
import { cellCoverage, testJson, testJunit, testText } from './testing/report.ts';
import { failuresAsDiagnostics, loadTests, runTests } from './testing/tests.ts';
import { writeOutput } from './write.ts';

/**
 * The `policyc` command line: check, build, test, explain, plan, diff, matrix, rename-role, delete-role.
 * `main` takes its input and output as parameters, so tests run it in process.
 */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly cwd: string;
  /** Colour the output (only on a terminal, by default). */
  readonly color: boolean;
  /** Standard input, for `explain --request -` and `plan --request -`. */
  readonly stdin?: () => Promise<string>;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const defaultIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  cwd: process.cwd(),
  color: pc.isColorSupported && process.stderr.isTTY === true,
  stdin: readStdin,
};

/** Exit codes: 0 clean, 1 policy errors, 2 usage errors. */
export const EXIT = { ok: 0, policyErrors: 1, usage: 2 } as const;

/** Thrown for a request file that cannot be used: a usage error, one line. */
class RequestError extends Error {}

/**
 * Reads a request (`explain`, `plan`) as YAML or JSON from a file or standard input; conditions
 * read `context.now` as a Date, so the request's ISO date-time becomes one.
 */
async function readRequest(file: string, io: Io): Promise<{ readonly request: Record<string, unknown>; readonly context: unknown }> {
  const text = file === '-' ? await (io.stdin ?? readStdin)() : readFileSync(resolve(io.cwd, file), 'utf8');
  let request: unknown;
  try {
    request = parseYaml(text) ?? {};
  } catch (error) {
    throw new RequestError(`the request is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request)) throw new RequestError('the request is not a mapping');
  let context = (request as { context?: unknown }).context;
  if (typeof context === 'object' && context !== null && !Array.isArray(context) && 'now' in context) {
    const now = (context as { now: unknown }).now;
    const date = typeof now === 'string' ? new Date(now) : now instanceof Date ? now : undefined;
    if (date === undefined || Number.isNaN(date.getTime())) throw new RequestError(`the request's \`context.now\` is not an ISO date-time: ${JSON.stringify(now)}`);
    context = { ...context, now: date };
  }
  return { request: request as Record<string, unknown>, context };
}

function report(result: CheckResult, dir: string, format: string, io: Io): void {
  const c = pc.createColors(io.color);
  const display = (file: string): string => relative(io.cwd, resolve(io.cwd, dir, file)) || file;
  if (format === 'json') {
    io.out(formatJson(result.diagnostics, result.sources, display) + '\n');
    return;
  }
  if (format === 'sarif') {
    io.out(formatSarif(result.diagnostics, result.sources, display, version()) + '\n');
    return;
  }
  if (format === 'github') {
    if (result.diagnostics.length > 0) io.out(formatGithub(result.diagnostics, result.sources, display) + '\n');
    return;
  }
  if (result.diagnostics.length === 0) return;
  const text = formatText(result.diagnostics, result.sources, display);
  io.err(
    text
      .split('\n')
      .map((line) => line.replace(/^(\S+: )(error|warning)( PC\d+)/, (_, at: string, sev: string, code: string) => at + (sev === 'error' ? c.red(sev) : c.yellow(sev)) + code))
      .join('\n') + '\n',
  );
}

function formatOption(choices: readonly string[] = ['text', 'json', 'github', 'sarif']): Option {
  return new Option('--format <format>', 'output format').choices(choices).default('text');
}

function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** Runs the CLI on `argv` (without `node` and the script) and resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('policyc')
    .description('compile YAML authorization policies into specialized TypeScript checkers')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run `policyc --help` for usage)');

  program
    .command('check')
    .description('validate a policy set without writing anything')
    .argument('<dir>', 'policy set folder')
    .addOption(formatOption())
    .action((dir: string, opts: { format: string }) => {
      const result = checkDir(resolve(io.cwd, dir));
      report(result, dir, opts.format, io);
      exitCode = result.model ? EXIT.ok : EXIT.policyErrors;
      if (exitCode === EXIT.ok && opts.format === 'text') io.out(`${pc.createColors(io.color).green('ok')} ${dir}: ${result.model!.roles.length} roles, ${result.model!.resources.length} resources\n`);
    });

  program
    .command('build')
    .description('compile a policy set into checker.ts, checker.d.ts and checker.js')
    .argument('<dir>', 'policy set folder')
    .option('--out <dir>', 'output folder (default: <dir>/generated)')
    .addOption(formatOption())
    .action(async (dir: string, opts: { out?: string; format: string }) => {
      const result = await compileDir(resolve(io.cwd, dir));
      report(result, dir, opts.format, io);
      if (!result.output) {
        exitCode = EXIT.policyErrors;
        return;
      }
      const outDir = opts.out ?? join(dir, 'generated');
      const written = writeOutput(resolve(io.cwd, outDir), result.output);
      if (opts.format === 'text') for (const file of written) io.out(`wrote ${relative(io.cwd, file)}\n`);
    });

  program
    .command('explain')
    .description('decide one request and show every step that led to the decision')
    .argument('<dir>', 'policy set folder')
    .requiredOption('--request <file>', 'the request as YAML or JSON: { principal, action, resource, context? } (context.now: an ISO date-time), or { principal, resource, field } for a field\'s access; `-` reads standard input')
    .addOption(formatOption(['text', 'json']))
    .action(async (dir: string, opts: { request: string; format: string }) => {
      const { request, context } = await readRequest(opts.request, io);
      if (typeof request.action !== 'string' && typeof request.field !== 'string') {
        throw new RequestError('the request needs `principal`, `action` (a string) and `resource`, or `principal`, `resource` and `field` (a string)');
      }
      const result = await compileDir(resolve(io.cwd, dir));
      if (!result.output || !result.model) {
        report(result, dir, 'text', io);
        exitCode = EXIT.policyErrors;
        return;
      }
      if (typeof request.field === 'string') {
        // field-level security (R-K6, R-Z9): the compiled checker's mask, traced through the model
        const checker = await loadBundle(result.output.bundle);
        const principal = request.principal as Principal;
        const resource = request.resource as Resource;
        const mask = checker.fields(principal, resource);
        const access = Object.prototype.hasOwnProperty.call(mask, request.field) ? mask[request.field] : undefined;
        const hasView = result.model.resources.some((r) => r.name === (resource as { kind?: unknown } | null)?.kind && r.actions.includes('view'));
        const trace = traceField(result.model, principal, resource, request.field, hasView ? checker.can(principal, 'view', resource) : undefined);
        if (trace.access !== access) throw new Error(`policyc internal error: the field trace ends in ${String(trace.access)} but the checker says ${String(access)}`);
        if (opts.format === 'json') io.out(JSON.stringify({ field: request.field, access: access ?? null, trace: trace.steps }, null, 2) + '\n');
        else io.out(`${access ?? 'not a field'}: field \`${request.field}\`\n${formatTrace(trace)}\n`);
        return;
      }
      if (typeof request.action !== 'string') throw new Error('policyc internal error: no action');
      const decision = (await loadBundle(result.output.bundle)).can(request.principal as Principal, request.action, request.resource as Resource, context as Context | undefined);
      const trace = traceDecision(result.model, request.principal, request.action, request.resource, context);
      if (trace.code !== decision.code) throw new Error(`policyc internal error: the trace ends in ${trace.code} but the checker decided ${decision.code}`);
      if (opts.format === 'json') {
        io.out(JSON.stringify({ decision, trace: trace.steps }, null, 2) + '\n');
      } else {
        const c = pc.createColors(io.color);
        io.out(`${decision.allow ? c.green('allowed') : c.red('denied')} (${decision.code}): ${decision.reason}\n${formatTrace(trace)}\n`);
      }
    });

  program
    .command('plan')
    .description('which records of a kind one principal may act on: the query plan, and its SQL with --columns')
    .argument('<dir>', 'policy set folder')
    .requiredOption('--request <file>', 'the request as YAML or JSON: { principal, action, kind, context? } (context.now: an ISO date-time); `-` reads standard input')
    .option('--columns <file>', 'a column mapping as YAML or JSON ({ table?, columns: { attribute: column }, records? }): also print the SQL WHERE fragment and its parameters')
    .addOption(formatOption(['text', 'json']))
    .action(async (dir: string, opts: { request: string; columns?: string; format: string }) => {
      const { request, context } = await readRequest(opts.request, io);
      if (typeof request.action !== 'string' || typeof request.kind !== 'string') throw new RequestError('the request needs `principal`, `action` (a string) and `kind` (a string)');
      const mapping = opts.columns === undefined ? undefined : (parseYaml(readFileSync(resolve(io.cwd, opts.columns), 'utf8')) as ColumnMapping);
      const result = await compileDir(resolve(io.cwd, dir));
      if (!result.output) {
        report(result, dir, 'text', io);
        exitCode = EXIT.policyErrors;
        return;
      }
      const plan = (await loadBundle(result.output.bundle)).plan(request.principal as Principal, request.action, request.kind, context as Context | undefined);
      const sql = mapping === undefined ? undefined : toSql(plan, mapping);
      if (opts.format === 'json') {
        io.out(JSON.stringify({ plan, ...(sql === undefined ? {} : { sql }) }, null, 2) + '\n');
        return;
      }
      const c = pc.createColors(io.color);
      const head = plan.result === 'always' ? c.green('always') : plan.result === 'never' ? c.red('never') : c.yellow(plan.recheck ? 'filter, to recheck with `can`' : 'filter');
      io.out(`${head}: ${plan.reason}\n`);
      if (plan.result === 'filter') io.out(`${JSON.stringify(plan.filter, null, 2)}\n`);
      if (sql !== undefined) io.out(`WHERE ${sql.where}\nparams: ${JSON.stringify(sql.params)}\n`);
    });

  program
    .command('test')
    .description('run the decision tables (*_test.yaml) of a policy set against its compiled checker')
    .argument('<dir>', 'policy set folder')
    .option('--filter <text>', 'run only the tests whose name contains this text')
    .option('--min-coverage <percent>', 'fail when fewer matrix cells are covered', (v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0 || n > 100) throw new InvalidArgumentError('expected a percentage from 0 to 100');
      return n;
    })
    .addOption(formatOption(['text', 'junit', 'json', 'github', 'sarif']))
    .action(async (dir: string, opts: { filter?: string; minCoverage?: number; format: string }) => {
      const root = resolve(io.cwd, dir);
      const result = await compileDir(root);
      const bag = new DiagnosticBag();
      const { set, tests } = loadTests(root, bag);
      const diagnostics = sortDiagnostics([...result.diagnostics, ...bag.items]);
      const sources = new Map([...result.sources, ...set.sources]);
      const failed = !result.output || !result.model || bag.hasErrors;
      if (failed || (diagnostics.length > 0 && !['github', 'sarif'].includes(opts.format))) {
        report({ diagnostics, sources, model: result.model }, dir, ['junit', 'json'].includes(opts.format) ? 'text' : opts.format, io);
      }
      if (failed) {
        exitCode = EXIT.policyErrors;
        return;
      }
      const checker = await loadBundle(result.output!.bundle);
      const run = runTests(
        result.model!,
        tests,
        (p, a, r, c) => checker.can(p as Principal, a, r as Resource, c),
        opts.filter,
        (p, r) => checker.fields(p as Principal, r as Resource),
      );
      if (opts.format === 'github' || opts.format === 'sarif') {
        const failures = new DiagnosticBag();
        failuresAsDiagnostics(run, failures);
        report({ diagnostics: sortDiagnostics([...diagnostics, ...failures.items]), sources, model: result.model }, dir, opts.format, io);
      } else {
        io.out((opts.format === 'junit' ? testJunit(run, result.model!.name) : opts.format === 'json' ? testJson(run) : testText(run)) + '\n');
      }
      const belowCoverage = opts.minCoverage !== undefined && cellCoverage(run) < opts.minCoverage;
      if (belowCoverage) io.err(`policyc: matrix coverage ${cellCoverage(run).toFixed(1)}% is below --min-coverage ${opts.minCoverage}%\n`);
      exitCode = run.results.some((r) => !r.passed) || belowCoverage ? EXIT.policyErrors : EXIT.ok;
    });

  program
    .command('diff')
    .description('what a change does to effective permissions: two folders, or a folder at two git revisions')
    .argument('<before>', 'the policy set before the change (a folder; with --from, the folder whose history to read)')
    .argument('[after]', 'the policy set after the change (a folder; default with --from: the same folder)')
    .option('--from <rev>', 'read <before> at this git revision')
    .option('--to <rev>', 'with --from: read the after side at this git revision instead of the working tree')
    .addOption(new Option('--format <format>', 'output format').choices(['markdown', 'json']).default('markdown'))
    .addOption(new Option('--fail-on <what>', 'exit 1 when access widens').choices(['widen']))
    .action((beforeArg: string, afterArg: string | undefined, opts: { from?: string; to?: string; format: string; failOn?: string }) => {
      const sides: { label: string; result: CheckResult; dir: string }[] = [];
      try {
        if (opts.from !== undefined) {
          const dir = resolve(io.cwd, beforeArg);
          const at = (rev: string) => {
            const { name, texts } = policyTextsAt(dir, rev);
            return checkSources(name, texts);
          };
          sides.push({ label: opts.from, result: at(opts.from), dir: beforeArg });
          sides.push(
            opts.to !== undefined
              ? { label: opts.to, result: at(opts.to), dir: beforeArg }
              : { label: 'working tree', result: checkDir(resolve(io.cwd, afterArg ?? beforeArg)), dir: afterArg ?? beforeArg },
          );
        } else {
          if (afterArg === undefined) {
            io.err('policyc: diff needs two folders, or one folder and --from <rev>\n');
            exitCode = EXIT.usage;
            return;
          }
          sides.push({ label: beforeArg, result: checkDir(resolve(io.cwd, beforeArg)), dir: beforeArg });
          sides.push({ label: afterArg, result: checkDir(resolve(io.cwd, afterArg)), dir: afterArg });
        }
      } catch (error) {
        if (!(error instanceof GitError)) throw error;
        io.err(`policyc: git: ${error.message}\n`);
        exitCode = EXIT.usage;
        return;
      }
      for (const side of sides) {
        if (side.result.model) continue;
        io.err(`policyc: the policy set (${side.label}) has errors:\n`);
        report(side.result, side.dir, 'text', io);
        exitCode = EXIT.policyErrors;
      }
      if (exitCode !== EXIT.ok) return;
      const changes = diffModels(sides[0]!.result.model!, sides[1]!.result.model!);
      io.out(opts.format === 'json' ? JSON.stringify({ changes }, null, 2) + '\n' : diffMarkdown(changes, `Permission changes: ${sides[0]!.label} → ${sides[1]!.label}`));
      if (opts.failOn === 'widen' && widens(changes)) {
        io.err('policyc: this change widens access (--fail-on widen)\n');
        exitCode = EXIT.policyErrors;
      }
    });

  /** Applies a checked refactor, or explains why it was refused; nothing is written when refused. */
  const refactor = (dir: string, result: RefactorResult): void => {
    if (!result.ok) {
      io.err(`policyc: ${result.message ?? 'refused'}\n`);
      if (result.diagnostics.length > 0) report({ diagnostics: result.diagnostics, sources: result.sources, model: undefined }, dir, 'text', io);
      exitCode = EXIT.policyErrors;
      return;
    }
    const written = applyRefactor(resolve(io.cwd, dir), result);
    io.out(`${result.message ?? 'done'}\n${written.map((f) => `  rewrote ${relative(io.cwd, resolve(io.cwd, dir, f)) || f}\n`).join('')}`);
  };

  program
    .command('rename-role')
    .description('rename a role and every reference to it (reportsTo, extends, tests), keeping comments and formatting')
    .argument('<dir>', 'policy set folder')
    .argument('<old>', 'the role to rename')
    .argument('<new>', 'its new name')
    .action((dir: string, oldName: string, newName: string) => refactor(dir, renameRole(resolve(io.cwd, dir), oldName, newName)));

  program
    .command('delete-role')
    .description("delete a role, moving its sub-roles and every reference to another role")
    .argument('<dir>', 'policy set folder')
    .argument('<role>', 'the role to delete')
    .requiredOption('--transfer-to <role>', 'the role that takes over its sub-roles and references')
    .action((dir: string, role: string, opts: { transferTo: string }) => refactor(dir, deleteRole(resolve(io.cwd, dir), role, opts.transferTo)));

  program
    .command('matrix')
    .description('the effective role × resource × action matrix in colours, with the rule behind each cell')
    .argument('<dir>', 'policy set folder')
    .addOption(new Option('--format <format>', 'output format').choices(['markdown', 'html']).default('markdown'))
    .option('--out <file>', 'write to a file instead of standard output')
    .action((dir: string, opts: { format: string; out?: string }) => {
      const result = checkDir(resolve(io.cwd, dir));
      if (!result.model) {
        report(result, dir, 'text', io);
        exitCode = EXIT.policyErrors;
        return;
      }
      const text = opts.format === 'html' ? matrixHtml(result.model) : matrixMarkdown(result.model) + '\n';
      if (opts.out === undefined) io.out(text);
      else writeFileSync(resolve(io.cwd, opts.out), text);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof RequestError) {
      io.err(`policyc: ${error.message}\n`);
      return EXIT.usage;
    }
    // a file that cannot be read or written, a failing git, …: one line, no stack (POLICYC_DEBUG=1 for it)
    const message = error instanceof Error ? error.message : String(error);
    io.err(`policyc: ${message.replace(/^policyc: /, '')}\n`);
    if (process.env.POLICYC_DEBUG === '1' && error instanceof Error) io.err(`${error.stack ?? ''}\n`);
    return EXIT.policyErrors;
  }
  return exitCode;
}

/** Loads a compiled bundle as a module, so a command decides exactly as an application would. */
async function loadBundle(bundle: string): Promise<Checker> {
  const dir = mkdtempSync(join(tmpdir(), 'policyc-checker-'));
  try {
    const file = join(dir, 'checker.mjs');
    writeFileSync(file, bundle);
    return ((await import(pathToFileURL(file).href)) as { checker: Checker }).checker;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
