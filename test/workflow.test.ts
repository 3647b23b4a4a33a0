/**
 * docs/ci/policy-review.yml, the policy-review workflow users copy: valid for GitHub's workflow
 * schema, shaped as issue 15 asks (a job per set, the label triggers, a SARIF category per set,
 * minimal permissions), its shell steps run for real on a scratch repository of the Kommo example,
 * and its comment script run against a fake GitHub API.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expand, git, loadWorkflow, policyc, removeScratch, reviewJob, root, runStep, scratchDir, scratchRepository, stepNamed, workflowText, type Job, type StepRun } from './helpers/workflow.ts';

const workflow = loadWorkflow();
const job = reviewJob(workflow);
const KOMMO = join(root, 'policies/kommo-crm');
afterAll(removeScratch);

describe('docs/ci/policy-review.yml: what GitHub accepts', () => {
  it('passes GitHub\'s workflow schema (@action-validator/core)', () => {
    expect(validateWorkflow(workflowText()).errors).toEqual([]);
  });

  it('the schema check is live: a job without `runs-on` is refused', () => {
    const broken = workflowText().replace(/^ {4}runs-on: .*\n/m, '');
    expect(broken).not.toBe(workflowText());
    expect(validateWorkflow(broken).errors.length).toBeGreaterThan(0);
  });
});

describe('docs/ci/policy-review.yml: the shape issue 15 asks for', () => {
  it('runs on pull requests, also when a label is added or removed (the gate reads one)', () => {
    expect([...workflow.on.pull_request.types].sort()).toEqual(['labeled', 'opened', 'reopened', 'synchronize', 'unlabeled']);
  });

  it('one job per policy set, headed by the set', () => {
    expect(job.strategy.matrix.set.length).toBeGreaterThan(0);
    expect(job.name).toContain('${{ matrix.set }}');
  });

  it('asks for no permission at the top and only what the steps use in the job', () => {
    expect(workflow.permissions).toEqual({});
    expect(job.permissions).toEqual({ contents: 'read', 'pull-requests': 'write', 'security-events': 'write', actions: 'read' });
  });

  it('uploads SARIF under a category of its own per set', () => {
    const upload = job.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif') === true);
    expect(upload?.with?.category).toBe('policyc-${{ matrix.set }}');
    expect(upload?.with?.sarif_file).toBe('policyc-${{ matrix.set }}.sarif');
  });

  it('prints the decision tables\' results in the log and writes JUnit beside them', () => {
    const run = stepNamed(job, 'Decision tables').run ?? '';
    expect(run).toMatch(/npx policyc test "\$POLICY_DIR" [^>|]*--junit "reports\/\$SET\.xml"\s*$/m);
    expect(job.steps.some((s) => s.uses?.startsWith('actions/upload-artifact') === true && s.with?.name === 'policyc-junit-${{ matrix.set }}')).toBe(true);
  });
});

describe('docs/ci/policy-review.yml: the shell steps on a pull request (Kommo example)', () => {
  const run = (repo: string, name: string) => runStep(job, stepNamed(job, name), repo, 'kommo-crm');
  // every run step once, in order, as a pull request that changes nothing
  let repo: string;
  let runs: Map<string, StepRun>;
  beforeAll(() => {
    repo = scratchRepository('kommo-crm', KOMMO);
    runs = new Map(job.steps.filter((s) => s.run !== undefined).map((s) => [s.name ?? '', runStep(job, s, repo, 'kommo-crm')]));
  });
  const ran = (name: string): StepRun => [...runs].find(([n]) => n.startsWith(name))![1];

  it('every run step passes on an unchanged set', () => {
    const failures = [...runs].filter(([, r]) => r.status !== 0).map(([name, r]) => `${name}: exit ${r.status}\n${r.stdout}${r.stderr}`);
    expect(failures).toEqual([]);
    expect(runs.size).toBeGreaterThanOrEqual(5);
  });

  it('the test step prints each decision table row and writes a JUnit report', () => {
    const result = ran('Decision tables');
    expect(result.stdout).toContain('✓ R-K1 R-Z8 an administrator may do everything');
    expect(result.stdout).toMatch(/\d+ passed, 0 failed/);
    expect(readFileSync(join(repo, 'reports/kommo-crm.xml'), 'utf8')).toMatch(/^<\?xml[\s\S]*<testsuite/);
  });

  it('SARIF goes to a file of its own, a SARIF 2.1.0 log for code scanning', () => {
    expect(ran('SARIF').status).toBe(0);
    const sarif = JSON.parse(readFileSync(join(repo, 'policyc-kommo-crm.sarif'), 'utf8')) as { version: string; runs: unknown[] };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs.length).toBe(1);
  });

  it('the comment body starts with the set\'s hidden marker and a heading naming the set, and is in the job summary', () => {
    const result = ran('Permission changes');
    const body = readFileSync(join(repo, 'permission-changes.md'), 'utf8');
    expect(body.startsWith('<!-- policyc-diff: kommo-crm -->\n## Policy set `kommo-crm`\n')).toBe(true);
    expect(body).toContain('No change to effective permissions.');
    expect(result.summary).toBe(body);
  });

  it('a change that widens access, its checker rebuilt: files current, the comment lists it, the gate refuses it', () => {
    const widened = scratchRepository('kommo-crm', KOMMO);
    const roles = join(widened, 'policies/kommo-crm/roles.yaml');
    const text = readFileSync(roles, 'utf8');
    const at = text.indexOf('  sales_rep:');
    writeFileSync(roles, text.slice(0, at) + text.slice(at).replace('delete: red', 'delete: yellow'));
    policyc(widened, ['build', 'policies/kommo-crm']);
    git(widened, ['commit', '-q', '-am', 'reps delete their own leads']);
    expect(run(widened, 'Generated checkers are up to date').status).toBe(0);
    expect(run(widened, 'Permission changes').status).toBe(0);
    expect(readFileSync(join(widened, 'permission-changes.md'), 'utf8')).toMatch(/⬆️ .*`lead` · `delete`: red → yellow/);
    const gate = run(widened, 'Refuse widening access');
    expect(gate.status).toBe(1);
    expect(gate.stderr).toContain('widens access');
  });

  it('a YAML change committed without rebuilding the checker fails the up-to-date step with an annotation', () => {
    const stale = scratchRepository('kommo-crm', KOMMO);
    const roles = join(stale, 'policies/kommo-crm/roles.yaml');
    writeFileSync(roles, readFileSync(roles, 'utf8').replace('export: red', 'export: yellow'));
    git(stale, ['commit', '-q', '-am', 'forgot to rebuild']);
    const result = run(stale, 'Generated checkers are up to date');
    expect(result.status).toBe(1);
    expect(result.stdout + result.stderr).toContain('::error');
  });

  it('an author who builds from inside `policies/` commits the files the up-to-date step expects', () => {
    const elsewhere = scratchRepository('kommo-crm', KOMMO);
    policyc(join(elsewhere, 'policies'), ['build', 'kommo-crm']);
    expect(git(elsewhere, ['status', '--porcelain'])).toBe('');
    expect(run(elsewhere, 'Generated checkers are up to date').status).toBe(0);
  });

  it('a base revision that cannot be read is said in the comment, not hidden', () => {
    const gone = scratchRepository('kommo-crm', KOMMO);
    git(gone, ['update-ref', '-d', 'refs/remotes/origin/main']);
    expect(run(gone, 'Permission changes').status).toBe(0);
    expect(readFileSync(join(gone, 'permission-changes.md'), 'utf8')).toMatch(/^<!-- policyc-diff: kommo-crm -->\n[\s\S]*policyc could not compare this set with `main`:\n\n```\npolicyc: git: /);
  });
});

interface Comment {
  id: number;
  body: string;
  user: { type: string; login: string };
}

/** Runs the github-script step's script with a fake of the GitHub API holding `comments`. */
async function runCommentScript(job: Job, set: string, body: string, comments: Comment[]): Promise<string[]> {
  const step = stepNamed(job, 'Keep one pull-request comment');
  const bodyFile = join(scratchDir('policyc-comment-'), 'permission-changes.md');
  writeFileSync(bodyFile, body);
  const calls: string[] = [];
  const listComments = async () => comments;
  const github = {
    paginate: async (method: unknown) => {
      expect(method).toBe(listComments);
      return comments.map((c) => ({ ...c, user: { ...c.user } }));
    },
    rest: {
      issues: {
        listComments,
        createComment: async (p: { issue_number: number; body: string }) => {
          calls.push(`create #${p.issue_number}`);
          comments.push({ id: 100 + comments.length, body: p.body, user: { type: 'Bot', login: 'github-actions[bot]' } });
        },
        updateComment: async (p: { comment_id: number; body: string }) => {
          calls.push(`update ${p.comment_id}`);
          comments.find((c) => c.id === p.comment_id)!.body = p.body;
        },
      },
    },
  };
  const context = { repo: { owner: 'acme', repo: 'crm' }, payload: { pull_request: { number: 7 } } };
  const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(v, set, 'main')]));
  const process = { env: { ...env, BODY_FILE: bodyFile } };
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...args: unknown[]) => Promise<void>;
  await new AsyncFunction('github', 'context', 'require', 'process', step.with!.script!)(github, context, createRequire(import.meta.url), process);
  return calls;
}

describe('docs/ci/policy-review.yml: one comment per set, edited in place', () => {
  const bodyOf = (set: string, text: string) => `<!-- policyc-diff: ${set} -->\n## Policy set \`${set}\`\n\n${text}\n`;

  it('creates the comment once, then edits the same comment on every push', async () => {
    const comments: Comment[] = [{ id: 1, body: 'LGTM', user: { type: 'User', login: 'ana' } }];
    expect(await runCommentScript(job, 'kommo-crm', bodyOf('kommo-crm', 'first'), comments)).toEqual(['create #7']);
    expect(await runCommentScript(job, 'kommo-crm', bodyOf('kommo-crm', 'second'), comments)).toEqual(['update 101']);
    expect(comments.map((c) => c.body)).toEqual(['LGTM', bodyOf('kommo-crm', 'second')]);
  });

  it('leaves an unchanged comment alone (no edit, no notification)', async () => {
    const comments: Comment[] = [{ id: 5, body: bodyOf('kommo-crm', 'same'), user: { type: 'Bot', login: 'github-actions[bot]' } }];
    expect(await runCommentScript(job, 'kommo-crm', bodyOf('kommo-crm', 'same'), comments)).toEqual([]);
  });

  it('keeps each set\'s comment apart, and never edits a person\'s comment that quotes the marker', async () => {
    const quoted = bodyOf('kommo-crm', 'a person pasted this');
    const comments: Comment[] = [
      { id: 1, body: quoted, user: { type: 'User', login: 'ana' } },
      { id: 2, body: bodyOf('zoho-hierarchy', 'old'), user: { type: 'Bot', login: 'github-actions[bot]' } },
    ];
    expect(await runCommentScript(job, 'kommo-crm', bodyOf('kommo-crm', 'new'), comments)).toEqual(['create #7']);
    expect(await runCommentScript(job, 'zoho-hierarchy', bodyOf('zoho-hierarchy', 'new'), comments)).toEqual(['update 2']);
    expect(comments.map((c) => c.body)).toEqual([quoted, bodyOf('zoho-hierarchy', 'new'), bodyOf('kommo-crm', 'new')]);
  });

  it('cuts a body GitHub would refuse at a line, keeping the marker', async () => {
    const comments: Comment[] = [];
    const long = bodyOf('kommo-crm', Array.from({ length: 5000 }, (_, i) => `- change ${i} of a very large diff`).join('\n'));
    await runCommentScript(job, 'kommo-crm', long, comments);
    expect(comments[0]!.body.length).toBeLessThan(65536);
    expect(comments[0]!.body.startsWith('<!-- policyc-diff: kommo-crm -->')).toBe(true);
    expect(comments[0]!.body).toMatch(/of a very large diff\n\n… truncated: the whole list is in the job summary\.\n$/);
  });

  it('refuses a body without the marker rather than post a comment it could never find again', async () => {
    await expect(runCommentScript(job, 'kommo-crm', '## no marker\n', [])).rejects.toThrow('does not start with <!-- policyc-diff: kommo-crm -->');
  });
});
