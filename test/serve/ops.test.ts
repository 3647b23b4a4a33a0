/**
 * Operating `policyc serve`: `/healthz` and `/readyz`, Prometheus metrics, the JSON Lines
 * decision log (ids only), and hot reload — a good change is served, a broken one is not (the
 * old version stays, the error shows in `/readyz` and the metrics) until it is fixed.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policies, send, serveForTests } from './helpers.ts';

const alice = { type: 'user', id: 'alice' };
const record1 = { type: 'record', id: 'record-1' };

/** Polls `probe` until it returns true; a bounded wait for the file watcher, not a speed assertion. */
async function eventually(probe: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never happened: ${what}`);
}

describe('health, readiness and metrics', () => {
  const { server, post } = serveForTests({ dir: policies('authzen-certification') });
  const get = (path: string) => send(server().url, path, undefined, { method: 'GET' });

  it('/healthz answers ok; /readyz names the policy and its hash', async () => {
    expect((await get('/healthz')).json).toEqual({ status: 'ok' });
    expect((await get('/readyz')).json).toEqual({ status: 'ready', policy: 'authzen-certification', hash: server().policy().hash });
    expect(server().policy().hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('counts decisions by result and code, times requests, and names the policy hash', async () => {
    await post('/access/v1/evaluation', { subject: alice, action: { name: 'read' }, resource: record1 });
    await post('/access/v1/evaluations', { subject: alice, resource: record1, evaluations: [{ action: { name: 'read' } }, { action: { name: 'delete' } }] });
    const metrics = await get('/metrics');
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(metrics.text).toContain('policyc_decisions_total{decision="allow",code="all"} 2');
    expect(metrics.text).toContain('policyc_decisions_total{decision="deny",code="condition"} 1');
    expect(metrics.text).toContain(`policyc_policy_info{policy="authzen-certification",hash="${server().policy().hash}"} 1`);
    expect(metrics.text).toMatch(/policyc_request_duration_seconds_count\{route="\/access\/v1\/evaluation",status="200"\} 1/);
    expect(metrics.text).toContain('policyc_reload_failures_total 0');
  });
});

describe('the decision log', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'policyc-serve-log-')), 'decisions.jsonl');
  const { post, server } = serveForTests({ dir: policies('authzen-certification'), log: file, tokens: ['a-token-that-must-never-be-logged'] });

  it('one JSON line per decision: request id, ids, decision, code, rule, policy hash, latency — never properties, context or tokens', async () => {
    const headers = { authorization: 'Bearer a-token-that-must-never-be-logged', 'x-request-id': 'req-42' };
    await post('/access/v1/evaluation', { subject: { ...alice, properties: { secret: 'subject-secret' } }, action: { name: 'write', properties: { secret: 'action-secret' } }, resource: { ...record1, properties: { secret: 'resource-secret' } }, context: { secret: 'context-secret' } }, { headers });
    await post('/access/v1/evaluations', { subject: { type: 'user', id: 'bob' }, resource: record1, evaluations: [{ action: { name: 'read' } }, { action: { name: 'write' } }, {}] }, { headers: { ...headers, 'x-request-id': 'req-43' } });
    // the log is buffered and flushed at least every second: wait (bounded) for its four lines
    // (the file itself may not exist before the first flush)
    await eventually(async () => existsSync(file) && readFileSync(file, 'utf8').trim().split('\n').length >= 4, 'four lines in the decision log');
    const text = readFileSync(file, 'utf8');
    for (const secret of ['subject-secret', 'action-secret', 'resource-secret', 'context-secret', 'a-token-that-must-never-be-logged']) expect(text).not.toContain(secret);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    const hash = server().policy().hash;
    expect(lines[0]).toMatchObject({ requestId: 'req-42', subject: 'user:alice', action: 'write', resource: 'record:record-1', decision: true, code: 'all', rule: expect.stringMatching(/^policy\.yaml:\d+:\d+$/), role: 'member', policy: hash, msg: 'decision' });
    expect(typeof lines[0].ms).toBe('number');
    expect(typeof lines[0].time).toBe('string');
    expect(lines.slice(1).map((l) => [l.requestId, l.action, l.decision, l.code])).toEqual([
      ['req-43', 'read', true, 'all'],
      ['req-43', 'write', false, 'condition'],
      ['req-43', undefined, false, 'invalid-request'],
    ]);
  });
});

describe('hot reload', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'policyc-serve-reload-')), 'set');
  cpSync(policies('authzen-certification'), dir, { recursive: true });
  const policyFile = join(dir, 'policy.yaml');
  const original = readFileSync(policyFile, 'utf8');
  const { server, post } = serveForTests({ dir, watch: true, log: join(dir, '..', 'decisions.jsonl') }); // reload errors go to the log, not the test output
  const readAllowed = async () => (await post('/access/v1/evaluation', { subject: alice, action: { name: 'read' }, resource: record1 })).json.decision as boolean;
  const ready = async () => (await send(server().url, '/readyz', undefined, { method: 'GET' })).json;

  it('a changed policy is compiled and served; a broken one is not, and /readyz says why until it is fixed', async () => {
    const firstHash = server().policy().hash;
    expect(await readAllowed()).toBe(true);

    writeFileSync(policyFile, original.replace(/(member:[\s\S]*?)read: green/, '$1read: red'));
    await eventually(async () => !(await readAllowed()), 'the edited policy is served');
    const secondHash = (await ready()).hash;
    expect(secondHash).not.toBe(firstHash);

    writeFileSync(policyFile, original.replace('read: green', 'read: purple'));
    await eventually(async () => (await ready()).reloadError !== undefined, 'the reload error shows in /readyz');
    const status = await ready();
    expect(status.hash).toBe(secondHash);
    expect(status.reloadError).toMatch(/the policy does not compile:[\s\S]*policy\.yaml:\d+:\d+: error PC2/);
    expect(await readAllowed()).toBe(false); // the last good version answers
    expect((await send(server().url, '/metrics', undefined, { method: 'GET' })).text).toContain('policyc_reload_failures_total 1');

    writeFileSync(join(dir, 'directory.json'), '[{"id": "alice"}]');
    writeFileSync(policyFile, original);
    await eventually(async () => (await ready()).reloadError?.includes('directory.json') === true, 'a broken directory is reported');
    writeFileSync(join(dir, 'directory.json'), '[{"id": "alice", "role": "member"}, {"id": "bob", "role": "admin"}]');
    await eventually(async () => (await ready()).reloadError === undefined, 'the fixed set is served');
    expect((await ready()).hash).toBe(firstHash);
    expect(await readAllowed()).toBe(true);
  });
});
