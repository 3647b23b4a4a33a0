/**
 * `npx policyc serve <dir>` in a process of its own (the built bin, as installed): it prints where
 * it listens, answers, and exits 0 on SIGTERM with its decision log flushed — alone and with
 * `--workers 2` (node:cluster, the workers sharing the port).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { policies, send } from './helpers.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** `policyc serve <dir> --port N --workers W [--log FILE]` through the built bin. */
function serve(dir: string, port: number, workers: number, log?: string): ChildProcess {
  const args = ['serve', dir, '--port', String(port), '--workers', String(workers), '--no-watch', '--log', log ?? 'off'];
  return spawn(process.execPath, [`${root}bin/policyc.mjs`, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = (probe.address() as { port: number }).port;
  probe.close();
  await once(probe, 'close');
  return port;
}

/** Waits (bounded) until the child prints a line matching `pattern` on stderr. */
async function printed(child: ChildProcess, pattern: RegExp): Promise<string> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} in: ${seen}`)), 60_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const line = seen.split('\n').find((l) => pattern.test(l));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before printing ${pattern}: ${seen}`)));
  });
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

describe('policyc serve in its own process', () => {
  for (const workers of [1, 2]) {
    it(`${workers === 1 ? 'one process' : 'two workers'}: listens on 127.0.0.1, decides, and exits 0 on SIGTERM`, async () => {
      const port = await freePort();
      const log = join(mkdtempSync(join(tmpdir(), 'policyc-serve-process-')), 'decisions.jsonl');
      const child = serve(policies('authzen-certification'), port, workers, log);
      try {
        const line = await printed(child, /at http:\/\/127\.0\.0\.1:\d+/);
        expect(line).toContain(`http://127.0.0.1:${port}`);
        const url = `http://127.0.0.1:${port}`;
        const answers = await Promise.all(
          Array.from({ length: 8 }, (_, i) => send(url, '/access/v1/evaluation', { subject: { type: 'user', id: i % 2 === 0 ? 'alice' : 'bob' }, action: { name: 'write' }, resource: { type: 'record', id: 'record-1' } })),
        );
        expect(answers.map((a) => a.json.decision)).toEqual([true, false, true, false, true, false, true, false]);
        child.kill('SIGTERM');
        expect(await exitCode(child)).toBe(0);
        // the buffered decision log was flushed on the way out (workers share the file)
        expect(readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l).decision)).toHaveLength(8);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    });
  }

  it('a policy that does not compile stops the command with exit code 1 and the diagnostics', async () => {
    const child = serve(policies('no-such-set'), await freePort(), 1);
    const line = printed(child, /policyc serve: the policy does not compile/);
    await expect(line).resolves.toContain('does not compile');
    expect(await exitCode(child)).toBe(1);
  });
});
