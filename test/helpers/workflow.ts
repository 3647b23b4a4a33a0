/**
 * Runs the shell steps of docs/ci/policy-review.yml the way a GitHub runner would (bash -eo
 * pipefail, the workflow's env with its expressions filled in, $GITHUB_STEP_SUMMARY), inside a
 * scratch git repository holding one policy set, with `npx policyc` meaning this checkout's
 * built CLI. Only the expressions listed in `expressions` are known: any other makes the test
 * fail, so the workflow cannot grow an expression this harness silently leaves empty.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const WORKFLOW_PATH = join(root, 'docs/ci/policy-review.yml');

export interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly env?: Record<string, string>;
  readonly with?: Record<string, string>;
}
export interface Job {
  readonly name: string;
  readonly permissions: Record<string, string>;
  readonly strategy: { readonly matrix: { readonly set: readonly string[] } };
  readonly env: Record<string, string>;
  readonly steps: readonly Step[];
}
export interface Workflow {
  readonly on: { readonly pull_request: { readonly types: readonly string[] }; readonly push?: unknown };
  readonly permissions: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

export const workflowText = (): string => readFileSync(WORKFLOW_PATH, 'utf8');
export const loadWorkflow = (): Workflow => parse(workflowText()) as Workflow;

/** The one job of the workflow (one per policy set through its matrix). */
export function reviewJob(workflow: Workflow): Job {
  const jobs = Object.values(workflow.jobs);
  if (jobs.length !== 1) throw new Error(`expected one job, found ${jobs.length}`);
  return jobs[0]!;
}

export function stepNamed(job: Job, name: string): Step {
  const step = job.steps.find((s) => s.name?.startsWith(name) === true);
  if (!step) throw new Error(`no step named "${name}…"`);
  return step;
}

/** Fills in `${{ … }}` for one matrix entry of a pull-request event. */
export function expand(text: string, set: string, baseRef: string): string {
  const expressions: Record<string, string> = { 'matrix.set': set, 'github.base_ref': baseRef };
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => {
    const value = expressions[expr];
    if (value === undefined) throw new Error(`the harness does not know the expression \`${expr}\``);
    return value;
  });
}

/**
 * A scratch repository: `policies/<set>` copied from `source`, built, committed on `main` and
 * fetched as `origin/main`, with a branch `change` checked out. Built once per set and cloned.
 */
const scratchOrigins = new Map<string, string>();
const scratchDirs: string[] = [];
let shim: string | undefined; // the npx shim's folder

/** A new folder under the system's temporary folder, removed by {@link removeScratch}. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratchDirs.push(dir);
  return dir;
}

/** Removes every scratch folder made so far (call it in `afterAll`). */
export function removeScratch(): void {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  scratchOrigins.clear();
  shim = undefined;
}
export function scratchRepository(set: string, source: string): string {
  let origin = scratchOrigins.get(set);
  if (origin === undefined) {
    origin = scratchDir('policyc-review-origin-');
    cpSync(source, join(origin, 'policies', set), { recursive: true, filter: (path) => !path.startsWith(join(source, 'generated')) && !path.endsWith('.test.ts') });
    policyc(origin, ['build', `policies/${set}`]);
    git(origin, ['init', '-q', '-b', 'main']);
    git(origin, ['add', '-A']);
    git(origin, ['commit', '-q', '-m', 'policies']);
    scratchOrigins.set(set, origin);
  }
  const repo = scratchDir('policyc-review-');
  git(repo, ['clone', '-q', origin, '.']); // origin/main is the base of the pull request
  git(repo, ['checkout', '-q', '-b', 'change']);
  return repo;
}

export function git(repo: string, args: readonly string[]): string {
  return execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], { cwd: repo, encoding: 'utf8' });
}

/** Runs the built CLI (what `npx policyc` runs once policyc is installed) in `cwd`. */
export function policyc(cwd: string, args: readonly string[]): string {
  return execFileSync(process.execPath, [join(root, 'bin', 'policyc.mjs'), ...args], { cwd, encoding: 'utf8' });
}

/**
 * A folder with an `npx` that runs this checkout's CLI for `npx policyc …`, and an `npm` for which
 * `npm ci` installs nothing (policyc is this checkout); anything else is refused.
 */
function npxShim(): string {
  if (shim !== undefined) return shim;
  const bin = scratchDir('policyc-npx-');
  const npx = join(bin, 'npx');
  writeFileSync(npx, `#!/bin/sh\n[ "$1" = policyc ] || { echo "npx $1: not allowed in this test" >&2; exit 127; }\nshift\nexec "${process.execPath}" "${join(root, 'bin', 'policyc.mjs')}" "$@"\n`);
  chmodSync(npx, 0o755);
  const npm = join(bin, 'npm');
  writeFileSync(npm, `#!/bin/sh\n[ "$*" = ci ] || { echo "npm $*: not allowed in this test" >&2; exit 127; }\n`);
  chmodSync(npm, 0o755);
  return (shim = bin);
}

export interface StepRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly summary: string;
}

/** Runs one `run:` step of the job for matrix entry `set` of a pull request into `main`. */
export function runStep(job: Job, step: Step, repo: string, set: string): StepRun {
  if (step.run === undefined) throw new Error(`step "${step.name ?? step.uses}" has no run script`);
  const summary = join(repo, '.step-summary.md');
  writeFileSync(summary, '');
  const env: Record<string, string> = { PATH: `${npxShim()}:${process.env.PATH ?? ''}`, HOME: process.env.HOME ?? repo, GITHUB_STEP_SUMMARY: summary };
  for (const [key, value] of Object.entries({ ...job.env, ...step.env })) env[key] = expand(value, set, 'main');
  const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', expand(step.run, set, 'main')], { cwd: repo, env, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, summary: readFileSync(summary, 'utf8') };
}
