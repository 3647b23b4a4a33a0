/**
 * The `policyc` command line. This file only declares the commands and their options; each
 * command lives in its own module under `cli/`, loaded when it runs, so `--help`, `--version`
 * and light commands never load the heavy libraries (ts-morph, esbuild) they do not use.
 * `main` takes its input and output as parameters, so tests run the CLI in process.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { defaultIo, EXIT, UsageError, type Io } from './cli/io.ts';
import { version } from './cli/report.ts';

import type { ExplainFlags } from './cli/explain.ts';
import type { ServeFlags } from './cli/serve.ts';

export { EXIT, type Io } from './cli/io.ts';

function formatOption(choices: readonly string[] = ['text', 'json', 'github', 'sarif']): Option {
  return new Option('--format <format>', 'output format').choices(choices).default('text');
}

/** `--limit name=value`, repeatable: every compile limit can be raised for an unusually large policy set. */
function limitOption(): Option {
  return new Option('--limit <name=value>', 'change a compile limit, e.g. maxRoles=20000 (repeatable; docs/diagnostics.md)').argParser((v: string, all: string[] = []) => [...all, v]);
}

function percentage(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 100) throw new InvalidArgumentError('expected a percentage from 0 to 100');
  return n;
}

function integer(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError('expected a whole number from 0 to 65535');
  return n;
}

function workersOption(v: string): number | 'auto' {
  return v === 'auto' ? 'auto' : integer(v);
}

function program(io: Io, done: (code: number) => void): Command {
  const cli = new Command('policyc')
    .description('compile YAML authorization policies into specialized TypeScript checkers')
    .version(version(), '-V, --version', 'print the version of policyc')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run `policyc --help` for usage)');

  cli
    .command('check')
    .description('validate a policy set without writing anything')
    .argument('<dir>', 'policy set folder')
    .option('--directory <file>', 'also check a user directory (YAML, JSON or JSON Lines) against the policy (docs/directory.md)')
    .addOption(formatOption())
    .addOption(limitOption())
    .action(async (dir: string, opts: { format: string; limit?: string[]; directory?: string }) => done((await import('./cli/check.ts')).checkCommand(dir, opts, io)));

  cli
    .command('init')
    .description('write a starting policy set with its decision tables from a bundled example')
    .argument('<dir>', 'the folder to write')
    .addOption(new Option('--template <name>', 'the example to start from').choices(['kommo', 'gtg', 'zoho', 'org-admin']).makeOptionMandatory())
    .option('--force', 'write into a folder that is not empty')
    .action(async (dir: string, opts: { template: string; force?: boolean }) => done((await import('./cli/init.ts')).initCommand(dir, opts, io)));

  cli
    .command('build')
    .description('compile a policy set into checker.ts, checker.js (ES module), checker.cjs (CommonJS) and their declarations')
    .argument('<dir>', 'policy set folder')
    .option('--out <dir>', 'output folder (default: <dir>/generated)')
    .option('--check', 'write nothing; exit 1 when the generated files differ from what the policy compiles to')
    .option('--force', 'replace files in the output folder that policyc did not generate')
    .addOption(new Option('--layout <layout>', 'cells as code (readable in review) or as compact tables; default: tables from 500 cells (roles × (1 + profiles) × actions)').choices(['code', 'table']))
    .addOption(formatOption())
    .addOption(limitOption())
    .action(async (dir: string, opts: { out?: string; format: string; check?: boolean; force?: boolean; limit?: string[]; layout?: string }) => done(await (await import('./cli/build.ts')).buildCommand(dir, opts, io)));

  cli
    .command('explain')
    .description('decide one request and show every step that led to the decision')
    .argument('<dir>', 'policy set folder')
    .requiredOption('--request <file>', "the request as YAML or JSON: { principal, action, resource, context? } (context.now: an ISO date-time), or { principal, resource, field } for a field's access; `-` reads standard input")
    .option('--as <user>', 'decide as this user of --directory (id, email or key); the request then needs no principal')
    .option('--directory <file>', 'the user directory --as reads (docs/directory.md)')
    .addOption(formatOption(['text', 'json']))
    .action(async (dir: string, opts: ExplainFlags) => done(await (await import('./cli/explain.ts')).explainCommand(dir, opts, io)));

  cli
    .command('plan')
    .description('which records of a kind one principal may act on: the query plan, and its SQL with --columns')
    .argument('<dir>', 'policy set folder')
    .requiredOption('--request <file>', 'the request as YAML or JSON: { principal, action, kind, context? } (context.now: an ISO date-time); `-` reads standard input')
    .option('--columns <file>', 'a column mapping as YAML or JSON ({ table?, columns: { attribute: column }, records? }): also print the SQL WHERE fragment and its parameters')
    .addOption(formatOption(['text', 'json']))
    .action(async (dir: string, opts: { request: string; columns?: string; format: string }) => done(await (await import('./cli/plan.ts')).planCommand(dir, opts, io)));

  cli
    .command('test')
    .description('run the decision tables (*_test.yaml) of a policy set against its compiled checker')
    .argument('<dir>', 'policy set folder')
    .option('--filter <text>', 'run only the tests whose name contains this text')
    .option('--min-coverage <percent>', 'fail when fewer matrix cells are covered', percentage)
    .option('--junit <file>', 'also write a JUnit report to this file')
    .addOption(formatOption(['text', 'junit', 'json', 'github', 'sarif']))
    .addOption(limitOption())
    .action(async (dir: string, opts: { filter?: string; minCoverage?: number; format: string; junit?: string; limit?: string[] }) => done(await (await import('./cli/test.ts')).testCommand(dir, opts, io)));

  cli
    .command('diff')
    .description('what a change does to effective permissions: two folders, or a folder at two git revisions')
    .argument('<before>', 'the policy set before the change (a folder; with --from, the folder whose history to read)')
    .argument('[after]', 'the policy set after the change (a folder; default with --from: the same folder)')
    .option('--from <rev>', 'read <before> at this git revision')
    .option('--to <rev>', 'with --from: read the after side at this git revision instead of the working tree')
    .addOption(new Option('--format <format>', 'output format').choices(['markdown', 'json']).default('markdown'))
    .addOption(new Option('--fail-on <what>', 'exit 1 when access widens').choices(['widen']))
    .action(async (before: string, after: string | undefined, opts: { from?: string; to?: string; format: string; failOn?: string }) =>
      done((await import('./cli/diff.ts')).diffCommand(before, after, opts, io)),
    );

  cli
    .command('rename-role')
    .description('rename a role and every reference to it (reportsTo, extends, tests), keeping comments and formatting')
    .argument('<dir>', 'policy set folder')
    .argument('<old>', 'the role to rename')
    .argument('<new>', 'its new name')
    .action(async (dir: string, oldName: string, newName: string) => done((await import('./cli/refactor.ts')).renameRoleCommand(dir, oldName, newName, io)));

  cli
    .command('delete-role')
    .description('delete a role, moving its sub-roles and every reference to another role')
    .argument('<dir>', 'policy set folder')
    .argument('<role>', 'the role to delete')
    .requiredOption('--transfer-to <role>', 'the role that takes over its sub-roles and references')
    .action(async (dir: string, role: string, opts: { transferTo: string }) => done((await import('./cli/refactor.ts')).deleteRoleCommand(dir, role, opts.transferTo, io)));

  cli
    .command('matrix')
    .description('the effective role × resource × action matrix in colours, with the rule behind each cell')
    .argument('<dir>', 'policy set folder')
    .addOption(new Option('--format <format>', 'output format').choices(['markdown', 'html']).default('markdown'))
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (dir: string, opts: { format: string; out?: string }) => done((await import('./cli/matrix.ts')).matrixCommand(dir, opts, io)));

  cli
    .command('serve')
    .description('serve decisions over HTTP: an AuthZEN 1.0 decision point for the policy set (docs/server.md)')
    .argument('<dir>', 'policy set folder (with its user directory and records, docs/server.md)')
    .option('--port <n>', 'port', integer, 8080)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--token-file <file>', 'accept only requests with a bearer token listed in this file (one per line)')
    .option('--workers <n>', 'processes serving the port (`auto`: one per core)', workersOption, 1)
    .option('--log <where>', 'the decision log: stdout, stderr, off, or a file', 'stdout')
    .option('--public-url <url>', 'the base URL announced by /.well-known/authzen-configuration')
    .option('--no-watch', 'do not reload when the policy folder changes')
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM)')
    .option('--tls-key <file>', 'the private key of --tls-cert (PEM)')
    .action(async (dir: string, opts: ServeFlags) => done(await (await import('./cli/serve.ts')).serveFromCli(dir, opts, io)));

  return cli;
}

/** Runs the CLI on `argv` (without `node` and the script) and resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  try {
    await program(io, (code) => (exitCode = code)).parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof UsageError) {
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
