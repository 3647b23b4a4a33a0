/**
 * A bounded fuzz test of `policyc serve`: malformed and hostile JSON (random values, valid
 * requests with one member replaced, prototype-pollution keys, deep nesting, invalid UTF-8,
 * truncated bodies, other content types) posted to every endpoint over real HTTP. Every answer
 * is a well-formed 200 or 4xx with `X-Request-ID`, a subject the directory does not know is never
 * allowed, and the server keeps answering correctly afterwards.
 */
import fc from 'fast-check';
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { policies, serveForTests } from './helpers.ts';

const ENDPOINTS = ['/access/v1/evaluation', '/access/v1/evaluations', '/access/v1/search/subject', '/access/v1/search/resource', '/access/v1/search/action'];
const valid = {
  subject: { type: 'user', id: 'alice', properties: { role: 'member' } },
  action: { name: 'write', properties: { soft: true } },
  resource: { type: 'record', id: 'record-1', properties: { status: 'active' } },
  context: { ip: '10.0.0.1' },
  evaluations: [{ action: { name: 'read' } }, { resource: { type: 'record', id: 'record-2' } }],
  options: { evaluations_semantic: 'deny_on_first_deny' },
  page: { limit: 1 },
};
const KNOWN_SUBJECTS = new Set(['alice', 'bob']);

const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, [], {}, '', 0, -1, 1e308, -0, true, '__proto__', 'constructor', 'x'.repeat(20_000), '\u0000', '\ud800', 'alice\u0000', ' alice', 'ALICE'),
  fc.constantFrom({ role: 'admin', roles: ['admin'] }, { kind: 'record', id: 'record-2' }, { now: '2000-01-01' }, { soft: 'true' }, { soft: 1 }),
);

/** Paths of `valid` whose value the fuzzer replaces. */
const PATHS = [[], ['subject'], ['subject', 'id'], ['subject', 'type'], ['subject', 'properties'], ['subject', 'properties', 'role'], ['action'], ['action', 'name'], ['action', 'properties'], ['action', 'properties', 'soft'], ['resource'], ['resource', 'id'], ['resource', 'type'], ['resource', 'properties'], ['context'], ['evaluations'], ['evaluations', '0'], ['evaluations', '1', 'resource'], ['options'], ['options', 'evaluations_semantic'], ['page'], ['page', 'limit'], ['page', 'token']];

function replaced(path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(valid) as Record<string, any>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key];
  at[path[path.length - 1]!] = value;
  return copy;
}

const RAW = [
  '{"subject":{"type":"user","id":"bob"},"action":{"name":"write"},"resource":{"type":"record","id":"record-1"},"__proto__":{"decision":true}}',
  '{"subject":{"type":"user","id":"mallory","properties":{"__proto__":{"role":"admin"}}},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}',
  '{"subject":{"type":"user","id":"mallory","constructor":{"prototype":{"id":"alice"}}},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}',
  `{"subject":{"type":"user","id":"alice","properties":{"a":${'['.repeat(50_000)}${']'.repeat(50_000)}}},"action":{"name":"read"},"resource":{"type":"record"},"page":{"limit":1}}`,
  `{"subject":{"type":"user"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"},"context":{"deep":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}}`,
  '{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}',
  '{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"},"x":1e999}',
  '{"subject":{"type":"user","id":"alice","id":"mallory"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}',
  'null', 'true', '"alice"', '[]', '{}', ' ', '\ufeff{}', '{"a":"\\ud800"}',
];

describe('fuzz: hostile requests get well-formed answers and never an allow they should not', () => {
  const { post, server } = serveForTests({ dir: policies('authzen-certification') });

  const check = (path: string, status: number, headers: Headers, text: string, sentSubject: unknown): void => {
    expect([200, 400, 413], `${path} → ${status} ${text.slice(0, 200)}`).toContain(status);
    expect(headers.get('x-request-id')).toBeTruthy();
    if (status !== 200) {
      expect(headers.get('content-type')).toMatch(/^text\/plain/);
      expect(text).toMatch(/^[^\n]+$/);
      return;
    }
    const body = JSON.parse(text);
    if (path.includes('/search/')) {
      expect(Array.isArray(body.results)).toBe(true);
      expect(typeof body.page.next_token).toBe('string');
    } else if (Array.isArray(body.evaluations)) {
      for (const e of body.evaluations) expect(typeof e.decision).toBe('boolean');
    } else {
      expect(typeof body.decision).toBe('boolean');
      if (body.decision) expect(KNOWN_SUBJECTS.has(sentSubject as string), `allowed an unknown subject ${JSON.stringify(sentSubject)}`).toBe(true);
    }
  };

  it('random replacements of members of a valid request', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ENDPOINTS), fc.constantFrom(...PATHS), hostileValue, async (path, at, value) => {
        const body = replaced(at, value) as { subject?: { id?: unknown } };
        const answer = await post(path, body);
        check(path, answer.status, answer.headers, answer.text, body?.subject?.id);
      }),
      { numRuns: 250 },
    );
  });

  it('raw bodies: prototype keys, deep nesting, truncation, duplicates, invalid UTF-8, other content types', async () => {
    const url = server().url;
    const bodies: (string | Buffer)[] = [...RAW, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])];
    for (const path of ENDPOINTS) {
      for (const body of bodies) {
        for (const type of ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', '']) {
          const response = await fetch(url + path, { method: 'POST', headers: type === '' ? {} : { 'content-type': type }, body });
          const text = await response.text();
          let subject: unknown;
          try {
            subject = JSON.parse(body.toString()).subject.id;
          } catch {
            subject = undefined;
          }
          check(path, response.status, response.headers, text, subject);
        }
      }
    }
  });

  it('odd X-Request-ID values (non-ASCII bytes, tabs, 9,000 characters) are answered, not failed', async () => {
    const { port } = server().app.server.address() as { port: number };
    const body = '{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}';
    for (const id of [Buffer.from([0x61, 0xff, 0xfe, 0x62]), Buffer.from('a\tb'), Buffer.from('x'.repeat(9000)), Buffer.from('')]) {
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      socket.write(Buffer.concat([Buffer.from('POST /access/v1/evaluation HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nX-Request-ID: '), id, Buffer.from(`\r\nContent-Length: ${body.length}\r\n\r\n${body}`)]));
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
      await once(socket, 'close');
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      expect(answer).toMatch(/\r\nx-request-id: [^\r]+\r\n/i);
    }
  });

  it('the server still answers, and correctly, after the fuzzing', async () => {
    const url = server().url;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const allowed = await post('/access/v1/evaluation', { subject: { type: 'user', id: 'alice' }, action: { name: 'write' }, resource: { type: 'record', id: 'record-1' } });
    const denied = await post('/access/v1/evaluation', { subject: { type: 'user', id: 'bob' }, action: { name: 'write' }, resource: { type: 'record', id: 'record-1' } });
    expect([allowed.json.decision, denied.json.decision]).toEqual([true, false]);
    expect(({} as Record<string, unknown>).decision).toBeUndefined();
    expect(({} as Record<string, unknown>).role).toBeUndefined();
  });
});
