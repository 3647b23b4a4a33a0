/**
 * `policyc serve` is safe by default: it listens on 127.0.0.1 unless told otherwise, asks for a
 * bearer token when given a token file (constant-time comparison, 401 otherwise), and answers
 * requests over its limits (body size, evaluations per batch, search page size) with a clear 4xx.
 */
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../../server/index.ts';
import { tokenCheck } from '../../server/auth.ts';
import { policies, send, serveForTests } from './helpers.ts';

const request = { subject: { type: 'user', id: 'alice' }, action: { name: 'read' }, resource: { type: 'record', id: 'record-1' } };
const folder = mkdtempSync(join(tmpdir(), 'policyc-serve-safety-'));
const TOKEN = 'b3f1c0a8e5d24f0b9c7a61d2e8f4a9c3';
const tokenFile = join(folder, 'tokens');
writeFileSync(tokenFile, `# tokens of the gateway\n${TOKEN}\n\nsecond-token-of-the-batch-jobs\n`);

describe('bearer tokens (--token-file)', () => {
  const { server, post } = serveForTests({ dir: policies('authzen-certification'), tokenFile });

  it('a request without a token, or with a wrong one, is 401 with WWW-Authenticate; a listed token passes', async () => {
    for (const headers of [{}, { authorization: `Bearer ${TOKEN}x` }, { authorization: TOKEN }, { authorization: `Basic ${TOKEN}` }, { authorization: 'Bearer ' }]) {
      const answer = await post('/access/v1/evaluation', request, { headers: { ...headers, 'x-request-id': 'r1' } });
      expect([answer.status, answer.text], JSON.stringify(headers)).toEqual([401, 'a valid bearer token is required']);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      expect(answer.headers.get('x-request-id')).toBe('r1');
    }
    for (const token of [TOKEN, 'second-token-of-the-batch-jobs']) {
      const answer = await post('/access/v1/evaluation', request, { headers: { authorization: `Bearer ${token}` } });
      expect([answer.status, answer.json.decision]).toEqual([200, true]);
    }
  });

  it('searches and metrics need the token; probes and discovery do not', async () => {
    const url = server().url;
    expect((await post('/access/v1/search/action', { subject: request.subject, resource: request.resource })).status).toBe(401);
    expect((await send(url, '/metrics', undefined, { method: 'GET' })).status).toBe(401);
    expect((await send(url, '/metrics', undefined, { method: 'GET', headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    for (const path of ['/healthz', '/readyz', '/.well-known/authzen-configuration']) expect((await send(url, path, undefined, { method: 'GET' })).status, path).toBe(200);
  });

  it('the comparison accepts exactly the listed tokens', () => {
    const check = tokenCheck(['abcdefghijklmnopqrstuvwxyz']);
    expect(check('Bearer abcdefghijklmnopqrstuvwxyz')).toBe(true);
    expect(check('bearer  abcdefghijklmnopqrstuvwxyz')).toBe(true);
    for (const header of [undefined, '', 'Bearer', 'Bearer abcdefghijklmnopqrstuvwxy', 'Bearer abcdefghijklmnopqrstuvwxyz0', 'Bearer abcdefghijklmnopqrstuvwxyz other']) expect(check(header), String(header)).toBe(false);
  });

  it('refuses a token file that is missing, empty or holds a short token', async () => {
    const empty = join(folder, 'empty');
    writeFileSync(empty, '# nothing\n');
    const short = join(folder, 'short');
    writeFileSync(short, 'secret\n');
    const dir = policies('authzen-certification');
    await expect(startServer({ dir, tokenFile: join(folder, 'none'), port: 0, log: false, watch: false })).rejects.toThrow(/cannot read the token file/);
    await expect(startServer({ dir, tokenFile: empty, port: 0, log: false, watch: false })).rejects.toThrow(/holds no token/);
    await expect(startServer({ dir, tokenFile: short, port: 0, log: false, watch: false })).rejects.toThrow(/shorter than 16 characters/);
  });
});

describe('limits', () => {
  const { post } = serveForTests({ dir: policies('authzen-certification'), limits: { bodyLimit: 4096, maxEvaluations: 5, maxPageSize: 10 } });

  it('a body over the limit is 413', async () => {
    const answer = await post('/access/v1/evaluation', { ...request, context: { padding: 'x'.repeat(5000) } });
    expect([answer.status, answer.text]).toEqual([413, 'the request body is larger than 4096 bytes']);
  });

  it('more evaluations than allowed in one batch is 400; the limit itself is fine', async () => {
    const five = await post('/access/v1/evaluations', { ...request, evaluations: Array.from({ length: 5 }, () => ({})) });
    expect(five.json.evaluations).toHaveLength(5);
    const six = await post('/access/v1/evaluations', { ...request, evaluations: Array.from({ length: 6 }, () => ({})) });
    expect([six.status, six.text]).toEqual([400, '`evaluations` holds 6 items; at most 5 are allowed in one request']);
  });

  it('a search page larger than allowed is 400', async () => {
    const search = { subject: request.subject, action: request.action, resource: { type: 'record' } };
    expect((await post('/access/v1/search/resource', { ...search, page: { limit: 10 } })).status).toBe(200);
    const over = await post('/access/v1/search/resource', { ...search, page: { limit: 11 } });
    expect([over.status, over.text]).toEqual([400, '`page.limit` must be at most 10']);
  });
});

describe('the request time limit', () => {
  const { server } = serveForTests({ dir: policies('authzen-certification'), limits: { requestTimeout: 300 } });

  it('a client that does not finish its request in time gets 408 and the connection closes', async () => {
    const { port } = server().app.server.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('POST /access/v1/evaluation HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"subject":');
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    await once(socket, 'close'); // bounded by the test timeout, not asserted as a duration
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });
});

describe('the default address', () => {
  it('listens on 127.0.0.1 unless told otherwise', async () => {
    const server = await startServer({ dir: policies('authzen-certification'), port: 0, log: false, watch: false });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.app.server.address()).toMatchObject({ address: '127.0.0.1' });
    } finally {
      await server.close();
    }
  });
});
