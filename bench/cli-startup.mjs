// CLI start-up (issue 15): `policyc --help`, `--version` and `check` on the Kommo example, each a
// fresh `node` process, side by side with the CLI as it was before commands were loaded on demand
// (commit BASELINE of bench/lib.mjs, built once in a temporary git worktree). Median wall time of
// interleaved runs.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BASELINE, baselineCheckout, median } from './lib.mjs';

const root = new URL('..', import.meta.url).pathname;

function timeRun(bin, args) {
  const start = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`policyc ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

export async function runCliStartupBench({ log = () => {}, runs = 15 } = {}) {
  const current = join(root, 'bin', 'policyc.mjs');
  const checkout = baselineCheckout(log);
  const baseline = checkout === undefined ? undefined : join(checkout, 'bin', 'policyc.mjs');
  // the Kommo example as the baseline commit has it: both CLIs read it (today's has kinds the old one rejects)
  const kommo = checkout === undefined ? 'policies/kommo-crm' : join(checkout, 'policies', 'kommo-crm');
  const commands = [['--help'], ['--version'], ['check', kommo]];
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
      command: `policyc ${args.map((a) => (a === kommo ? 'policies/kommo-crm' : a)).join(' ')}`,
      ms: median(times[k].current),
      baselineMs: times[k].baseline.length > 0 ? median(times[k].baseline) : undefined,
    })),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await runCliStartupBench({ log: console.error }));
