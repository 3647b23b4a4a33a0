// CLI start-up (issue 15): `policyc --help`, `--version` and `check` on the Kommo example, each a
// fresh `node` process, side by side with the CLI as it was before commands were loaded on demand
// (commit BASELINE, checked out and built once in a temporary git worktree). Median wall time of
// interleaved runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './lib.mjs';

/** The last commit whose CLI imported every library at start-up. */
export const BASELINE = '6a0634b';
const root = new URL('..', import.meta.url).pathname;

function baselineCli(log) {
  const dir = join(tmpdir(), `policyc-baseline-${BASELINE}`);
  const bin = join(dir, 'bin', 'policyc.mjs');
  if (existsSync(join(dir, 'dist', 'compiler', 'cli.js'))) return bin;
  try {
    log(`building the baseline CLI (${BASELINE}) in ${dir}`);
    if (!existsSync(dir)) execFileSync('git', ['worktree', 'add', '--detach', dir, BASELINE], { cwd: root, stdio: 'ignore' });
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'ignore' });
    return bin;
  } catch (error) {
    log(`no baseline: ${error.message.split('\n')[0]}`);
    return undefined;
  }
}

function timeRun(bin, args) {
  const start = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`policyc ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

export async function runCliStartupBench({ log = () => {}, runs = 15 } = {}) {
  const current = join(root, 'bin', 'policyc.mjs');
  const baseline = baselineCli(log);
  const commands = [['--help'], ['--version'], ['check', 'policies/kommo-crm']];
  const times = commands.map(() => ({ current: [], baseline: [] }));
  for (let i = 0; i < runs; i++) {
    commands.forEach((args, k) => {
      times[k].current.push(timeRun(current, args));
      // the baseline has no --version
      if (baseline !== undefined && args[0] !== '--version') times[k].baseline.push(timeRun(baseline, args));
    });
  }
  return {
    runs,
    baseline: baseline === undefined ? undefined : BASELINE,
    rows: commands.map((args, k) => ({
      command: `policyc ${args.join(' ')}`,
      ms: median(times[k].current),
      baselineMs: times[k].baseline.length > 0 ? median(times[k].baseline) : undefined,
    })),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await runCliStartupBench({ log: console.error }));
