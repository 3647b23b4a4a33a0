import { relative, join, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import pc from 'picocolors';
import { formatJson, formatText } from './diagnostics/format.ts';
import { checkDir, compileDir, type CheckResult } from './index.ts';
import { writeOutput } from './write.ts';

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly cwd: string;
  /** Colour the output (only on a terminal, by default). */
  readonly color: boolean;
}

const defaultIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  cwd: process.cwd(),
  color: pc.isColorSupported && process.stderr.isTTY === true,
};

/** Exit codes: 0 clean, 1 policy errors, 2 usage errors. */
export const EXIT = { ok: 0, policyErrors: 1, usage: 2 } as const;

function report(result: CheckResult, dir: string, format: string, io: Io): void {
  const c = pc.createColors(io.color);
  const display = (file: string): string => relative(io.cwd, resolve(io.cwd, dir, file)) || file;
  if (format === 'json') {
    io.out(formatJson(result.diagnostics, result.sources, display) + '\n');
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

function formatOption(): Option {
  return new Option('--format <format>', 'output format').choices(['text', 'json']).default('text');
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

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    throw error;
  }
  return exitCode;
}
