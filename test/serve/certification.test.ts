/**
 * The AuthZEN Authorization API 1.0 certification scenario (openid/authzen,
 * certification-scenario-1_0.md) against `policyc serve policies/authzen-certification`, over
 * real HTTP: the fixture's decisions (C-1-4 rules 1–8), Basic (C-2), Batch (C-3), Search (C-4,
 * S1–S6), transport (C-5) and Discovery (C-6). Response bodies are checked against the
 * specification's JSON Schema for decisions.
 */
import Ajv2020 from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { policies, send, serveForTests } from './helpers.ts';

const responseSchema = JSON.parse(readFileSync(new URL('../fixtures/authzen/evaluation-response.schema.json', import.meta.url), 'utf8'));
const validDecision = new Ajv2020({ strict: false }).compile(responseSchema);

const alice = { type: 'user', id: 'alice' };
const bob = { type: 'user', id: 'bob' };
const record1 = { type: 'record', id: 'record-1' };
const record2 = { type: 'record', id: 'record-2' };
const EVAL = '/access/v1/evaluation';
const EVALS = '/access/v1/evaluations';

describe('authzen-certification: the certification scenario over HTTP', () => {
  const { post, server } = serveForTests({ dir: policies('authzen-certification') });

  const decision = async (body: unknown): Promise<boolean> => {
    const answer = await post(EVAL, body);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(validDecision(answer.json), JSON.stringify(validDecision.errors)).toBe(true);
    return answer.json.decision;
  };

  it('C-1-4 rules 1–4: core decisions', async () => {
    expect(await decision({ subject: alice, action: { name: 'read' }, resource: record1 })).toBe(true);
    expect(await decision({ subject: alice, action: { name: 'write' }, resource: record1 })).toBe(true);
    expect(await decision({ subject: bob, action: { name: 'read' }, resource: record1 })).toBe(true);
    expect(await decision({ subject: bob, action: { name: 'write' }, resource: record1 })).toBe(false);
  });

  it('C-1-4 rules 5–8: decisions from subject, resource and action properties', async () => {
    const archived = { ...record2, properties: { status: 'archived' } };
    expect(await decision({ subject: alice, action: { name: 'write' }, resource: archived })).toBe(false);
    expect(await decision({ subject: { ...bob, properties: { role: 'admin' } }, action: { name: 'write' }, resource: archived })).toBe(true);
    expect(await decision({ subject: alice, action: { name: 'delete', properties: { soft: true } }, resource: record1 })).toBe(true);
    expect(await decision({ subject: alice, action: { name: 'delete', properties: { soft: false } }, resource: record1 })).toBe(false);
  });

  it('C-2-2-4, C-2-2-5: a request property replaces the stored one, key by key (record-1 sent as archived; alice sent as admin)', async () => {
    expect(await decision({ subject: alice, action: { name: 'write' }, resource: { ...record1, properties: { status: 'archived' } } })).toBe(false);
    expect(await decision({ subject: { ...alice, properties: { role: 'admin' } }, action: { name: 'write' }, resource: { ...record1, properties: { status: 'archived' } } })).toBe(true);
  });

  it('C-2-2-3, C-2-2-8, C-2-2-9, C-1-6: context, extra properties and unknown members change nothing', async () => {
    expect(await decision({ subject: { ...bob, properties: { department: 'x', nested: { a: [1] } } }, action: { name: 'write', extra: 1 }, resource: { ...record1, properties: { owner: 'z' } }, context: { time: '2025-06-27T18:03-07:00', ip: '192.168.1.1' }, unknown_member: { a: 1 } })).toBe(false);
    expect(await decision({ subject: alice, action: { name: 'read' }, resource: record1, context: { ip: '10.0.0.1' } })).toBe(true);
  });

  it('a request cannot move the clock: `context.now` is the server\'s', async () => {
    expect(await decision({ subject: alice, action: { name: 'read' }, resource: record1, context: { now: 'yesterday' } })).toBe(true);
  });

  it('an unknown record, an unknown action or an unknown resource type is denied', async () => {
    expect(await decision({ subject: alice, action: { name: 'read' }, resource: { type: 'record', id: 'record-9' } })).toBe(false);
    expect(await decision({ subject: alice, action: { name: 'publish' }, resource: record1 })).toBe(false);
    expect(await decision({ subject: alice, action: { name: 'read' }, resource: { type: 'spaceship', id: 'x' } })).toBe(false);
  });

  it('C-2-4: missing members, missing sub-members and wrong types are 400 with a message', async () => {
    const bad: [unknown, string][] = [
      [{ action: { name: 'read' }, resource: record1 }, '`subject` is required'],
      [{ subject: alice, resource: record1 }, '`action` is required'],
      [{ subject: alice, action: { name: 'read' } }, '`resource` is required'],
      [{ subject: { id: 'alice' }, action: { name: 'read' }, resource: record1 }, '`subject.type` is required'],
      [{ subject: { type: 'user' }, action: { name: 'read' }, resource: record1 }, '`subject.id` is required'],
      [{ subject: alice, action: {}, resource: record1 }, '`action.name` is required'],
      [{ subject: alice, action: { name: 'read' }, resource: { id: 'record-1' } }, '`resource.type` is required'],
      [{ subject: alice, action: { name: 'read' }, resource: { type: 'record' } }, '`resource.id` is required'],
      [{ subject: 'alice', action: { name: 'read' }, resource: record1 }, '`subject` must be an object'],
      [{ subject: alice, action: { name: 123 }, resource: record1 }, '`action.name` must be a string'],
      [{ subject: { ...alice, properties: [] }, action: { name: 'read' }, resource: record1 }, '`subject.properties` must be an object'],
      [{ subject: alice, action: { name: 'read' }, resource: record1, context: 'now' }, '`context` must be an object'],
      [[{ subject: alice }], 'the request body must be a JSON object'],
    ];
    for (const [body, message] of bad) {
      const answer = await post(EVAL, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.text).toBe(message);
    }
  });

  it('C-2-4-3, C-2-4-4, C-2-4-5: another content type, malformed JSON and an empty body are 400', async () => {
    const url = server().url;
    const plain = await send(url, EVAL, JSON.stringify({ subject: alice, action: { name: 'read' }, resource: record1 }), { raw: true, headers: { 'content-type': 'text/plain' } });
    expect([plain.status, plain.text]).toEqual([400, 'the request `Content-Type` must be `application/json`']);
    const form = await send(url, EVAL, 'a=b', { raw: true, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(400);
    const malformed = await send(url, EVAL, '{"subject": {', { raw: true });
    expect([malformed.status, malformed.text]).toEqual([400, 'the request body is not valid JSON']);
    const empty = await send(url, EVAL, '', { raw: true });
    expect([empty.status, empty.text]).toEqual([400, 'the request body is empty']);
  });

  it('C-2-5, C-5: X-Request-ID is echoed on every response, errors included, and made up when absent', async () => {
    const id = 'bfe9eb29-ab87-4ca3-be83-a1d5d8305716';
    const ok = await post(EVAL, { subject: alice, action: { name: 'read' }, resource: record1 }, { headers: { 'x-request-id': id } });
    expect(ok.headers.get('x-request-id')).toBe(id);
    const bad = await post(EVAL, { subject: alice }, { headers: { 'x-request-id': 'r-400' } });
    expect([bad.status, bad.headers.get('x-request-id')]).toEqual([400, 'r-400']);
    const missing = await post('/access/v1/nothing', {}, { headers: { 'x-request-id': 'r-404' } });
    expect([missing.status, missing.headers.get('x-request-id')]).toEqual([404, 'r-404']);
    const search = await post('/access/v1/search/action', { subject: alice, resource: record1 }, { headers: { 'x-request-id': 'r-search' } });
    expect(search.headers.get('x-request-id')).toBe('r-search');
    const none = await post(EVAL, { subject: alice, action: { name: 'read' }, resource: record1 });
    expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('C-2-6: the same request gives the same decision every time', async () => {
    const body = { subject: bob, action: { name: 'write' }, resource: record1 };
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(EVAL, body)));
    expect(new Set(answers.map((a) => `${a.status} ${a.json.decision}`))).toEqual(new Set(['200 false']));
  });

  it('C-3-2: a batch keeps the order of its items; items replace the defaults entity by entity', async () => {
    const answer = await post(EVALS, { subject: bob, resource: record1, evaluations: [{ action: { name: 'read' } }, { action: { name: 'write' } }] });
    expect(answer.status).toBe(200);
    expect(answer.json.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual([true, false]);
    expect(answer.json.decision).toBeUndefined();
    for (const e of answer.json.evaluations) expect(validDecision(e)).toBe(true);
    const mixed = await post(EVALS, {
      subject: alice,
      action: { name: 'write' },
      context: { ip: '1.2.3.4' },
      evaluations: [
        { resource: record1 },
        { resource: { ...record2, properties: { status: 'archived' } } },
        { subject: { ...bob, properties: { role: 'admin' } }, resource: { ...record2, properties: { status: 'archived' } } },
        { subject: alice, action: { name: 'read' }, resource: record2, context: {} },
        { action: { name: 'delete', properties: { soft: true } }, resource: record1 },
      ],
    });
    expect(mixed.json.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual([true, false, true, true, true]);
  });

  it('C-3-4-1: an invalid item is denied in place with its error; the others are decided', async () => {
    const answer = await post(EVALS, { subject: alice, action: { name: 'read' }, options: { evaluations_semantic: 'execute_all' }, evaluations: [{ resource: record1 }, {}, 7, { resource: { type: 'record' } }] });
    expect(answer.status).toBe(200);
    expect(answer.json.evaluations).toHaveLength(4);
    expect(answer.json.evaluations[0]).toMatchObject({ decision: true });
    expect(answer.json.evaluations[1]).toMatchObject({ decision: false, context: { error: { status: 400, message: '`evaluations[1].resource` is required' } } });
    expect(answer.json.evaluations[2]).toMatchObject({ decision: false, context: { error: { status: 400, message: '`evaluations[2]` must be an object' } } });
    expect(answer.json.evaluations[3]).toMatchObject({ decision: false, context: { error: { status: 400, message: '`evaluations[3].resource.id` is required' } } });
  });

  it('C-3-4-2, C-3-4-3: without evaluations, or with an empty list, the batch endpoint answers as one evaluation', async () => {
    for (const extra of [{}, { evaluations: [] }]) {
      const answer = await post(EVALS, { subject: alice, action: { name: 'read' }, resource: record1, ...extra });
      expect([answer.status, answer.json.decision, answer.json.evaluations]).toEqual([200, true, undefined]);
    }
    expect((await post(EVALS, { subject: alice, action: { name: 'read' }, evaluations: [] })).status).toBe(400);
  });

  it('evaluations semantics: deny_on_first_deny stops at the first denial, permit_on_first_permit at the first permit', async () => {
    const items = [{ action: { name: 'read' } }, { action: { name: 'write' } }, { action: { name: 'read' } }];
    const all = await post(EVALS, { subject: bob, resource: record1, evaluations: items });
    expect(all.json.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual([true, false, true]);
    const deny = await post(EVALS, { subject: bob, resource: record1, options: { evaluations_semantic: 'deny_on_first_deny' }, evaluations: items });
    expect(deny.json.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual([true, false]);
    const permit = await post(EVALS, { subject: bob, resource: record1, options: { evaluations_semantic: 'permit_on_first_permit' }, evaluations: [items[1], items[0], items[2]] });
    expect(permit.json.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual([false, true]);
    const unknown = await post(EVALS, { subject: bob, resource: record1, options: { evaluations_semantic: 'first' }, evaluations: items });
    expect([unknown.status, unknown.text]).toEqual([400, '`options.evaluations_semantic` must be one of `execute_all`, `deny_on_first_deny`, `permit_on_first_permit`']);
    const other = await post(EVALS, { subject: bob, resource: record1, options: { another_option: 'value' }, evaluations: items });
    expect(other.json.evaluations).toHaveLength(3);
    expect((await post(EVALS, { subject: bob, resource: record1, evaluations: {} })).status).toBe(400);
  });

  const ids = (answer: { json: { results: { id?: string; name?: string }[] } }) => answer.json.results.map((r) => r.id ?? r.name).sort();

  it('C-4-2: subject search (S1, S4), with context and with a subject id that is ignored', async () => {
    const s1 = { subject: { type: 'user' }, action: { name: 'read' }, resource: record1 };
    for (const body of [s1, { ...s1, context: { time: '2025-06-27T18:03-07:00', ip: '192.168.1.1' } }, { ...s1, subject: alice }]) {
      const answer = await post('/access/v1/search/subject', body);
      expect(answer.status).toBe(200);
      expect(ids(answer)).toEqual(['alice', 'bob']);
      expect(answer.json.results.every((r: { type: string }) => r.type === 'user')).toBe(true);
    }
    const s4 = await post('/access/v1/search/subject', { subject: { type: 'user' }, action: { name: 'write' }, resource: { ...record2, properties: { status: 'archived' } } });
    expect(ids(s4)).toEqual(['bob']);
  });

  it('C-4-3: resource search through the query plan (S2, S5), a resource id is ignored', async () => {
    for (const resource of [{ type: 'record' }, record1]) {
      expect(ids(await post('/access/v1/search/resource', { subject: alice, action: { name: 'read' }, resource }))).toEqual(['record-1', 'record-2']);
    }
    expect(ids(await post('/access/v1/search/resource', { subject: alice, action: { name: 'write' }, resource: { type: 'record' } }))).toEqual(['record-1']);
    expect(ids(await post('/access/v1/search/resource', { subject: { ...bob, properties: { role: 'admin' } }, action: { name: 'write' }, resource: { type: 'record' } }))).toEqual(['record-2']);
  });

  it('C-4-4: action search (S3, S6); delete needs action properties that action search cannot send', async () => {
    expect(ids(await post('/access/v1/search/action', { subject: alice, resource: record1 }))).toEqual(['read', 'write']);
    expect(ids(await post('/access/v1/search/action', { subject: alice, resource: record1, context: { ip: '192.168.1.1' } }))).toEqual(['read', 'write']);
    expect(ids(await post('/access/v1/search/action', { subject: { ...bob, properties: { role: 'admin' } }, resource: { ...record2, properties: { status: 'archived' } } }))).toEqual(['read', 'write']);
  });

  it('C-4-6: unknown ids and unknown types give 200 with no results on all three searches', async () => {
    const empty = [
      ['/access/v1/search/action', { subject: { type: 'user', id: 'nonexistent-user' }, resource: record1 }],
      ['/access/v1/search/action', { subject: alice, resource: { type: 'record', id: 'nonexistent-record' } }],
      ['/access/v1/search/action', { subject: alice, resource: { type: 'spaceship', id: 'x' } }],
      ['/access/v1/search/subject', { subject: { type: 'spaceship' }, action: { name: 'read' }, resource: record1 }],
      ['/access/v1/search/subject', { subject: { type: 'user' }, action: { name: 'read' }, resource: { type: 'record', id: 'nonexistent-record' } }],
      ['/access/v1/search/subject', { subject: { type: 'user' }, action: { name: 'fly' }, resource: record1 }],
      ['/access/v1/search/resource', { subject: { type: 'user', id: 'nonexistent-user' }, action: { name: 'read' }, resource: { type: 'record' } }],
      ['/access/v1/search/resource', { subject: alice, action: { name: 'read' }, resource: { type: 'spaceship' } }],
      ['/access/v1/search/resource', { subject: alice, action: { name: 'fly' }, resource: { type: 'record' } }],
    ] as const;
    for (const [path, body] of empty) {
      const answer = await post(path, body);
      expect([answer.status, answer.json.results], `${path} ${JSON.stringify(body)}`).toEqual([200, []]);
    }
  });

  it('C-4-7: a search without its required input entities is 400', async () => {
    const bad = [
      ['/access/v1/search/subject', { subject: { type: 'user' }, resource: record1 }],
      ['/access/v1/search/resource', { action: { name: 'read' }, resource: { type: 'record' } }],
      ['/access/v1/search/action', { subject: alice }],
      ['/access/v1/search/subject', { subject: { type: 'user' }, action: { name: 'read' }, resource: { type: 'record' } }],
      ['/access/v1/search/resource', { subject: { type: 'user' }, action: { name: 'read' }, resource: { type: 'record' } }],
      ['/access/v1/search/action', { subject: { type: 'user' }, resource: record1 }],
      ['/access/v1/search/resource', { subject: alice, action: { name: 'read' }, resource: { type: 'record' }, page: { limit: -1 } }],
      ['/access/v1/search/resource', { subject: alice, action: { name: 'read' }, resource: { type: 'record' }, page: { limit: 1.5 } }],
      ['/access/v1/search/resource', { subject: alice, action: { name: 'read' }, resource: { type: 'record' }, page: { token: 7 } }],
    ] as const;
    for (const [path, body] of bad) expect((await post(path, body)).status, `${path} ${JSON.stringify(body)}`).toBe(400);
  });

  it('C-4-5: pages of one result follow each other with opaque tokens until next_token is empty', async () => {
    const body = { subject: { type: 'user' }, action: { name: 'read' }, resource: record1 };
    const first = await post('/access/v1/search/subject', { ...body, page: { limit: 1 } });
    expect(first.json.page).toMatchObject({ count: 1, next_token: expect.stringMatching(/.+/) });
    const second = await post('/access/v1/search/subject', { ...body, page: { token: first.json.page.next_token } });
    expect(second.json.page).toMatchObject({ count: 1 });
    const seen = [...first.json.results, ...second.json.results].map((r: { id: string }) => r.id);
    let token = second.json.page.next_token as string;
    while (token !== '') {
      const next = await post('/access/v1/search/subject', { ...body, page: { token } });
      seen.push(...next.json.results.map((r: { id: string }) => r.id));
      token = next.json.page.next_token;
    }
    expect(seen.sort()).toEqual(['alice', 'bob']);
    const whole = await post('/access/v1/search/subject', body);
    expect(whole.json.page).toEqual({ next_token: '', count: 2 });
  });

  it('a page token is refused for a changed request or when forged', async () => {
    const body = { subject: alice, action: { name: 'read' }, resource: { type: 'record' } };
    const first = await post('/access/v1/search/resource', { ...body, page: { limit: 1 } });
    const token = first.json.page.next_token as string;
    const changed = await post('/access/v1/search/resource', { ...body, action: { name: 'write' }, page: { token } });
    expect([changed.status, changed.text]).toEqual([400, 'the request changed since `page.token` was given; send the same request with the new token']);
    const forged = await post('/access/v1/search/resource', { ...body, page: { token: 'bm90IGEgdG9rZW4' } });
    expect([forged.status, forged.text]).toEqual([400, '`page.token` is not a token this server gave']);
    const reordered = await post('/access/v1/search/resource', { resource: { type: 'record' }, action: { name: 'read' }, subject: { id: 'alice', type: 'user' }, page: { token } });
    expect([reordered.status, reordered.json.results]).toEqual([200, [{ type: 'record', id: 'record-2' }]]);
  });

  it('C-6: discovery names the PDP and every endpoint; with a public URL, that URL', async () => {
    const url = server().url;
    const answer = await send(url, '/.well-known/authzen-configuration', undefined, { method: 'GET' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.json).toEqual({
      policy_decision_point: url,
      access_evaluation_endpoint: `${url}/access/v1/evaluation`,
      access_evaluations_endpoint: `${url}/access/v1/evaluations`,
      search_subject_endpoint: `${url}/access/v1/search/subject`,
      search_resource_endpoint: `${url}/access/v1/search/resource`,
      search_action_endpoint: `${url}/access/v1/search/action`,
    });
  });
});

describe('authzen-certification: discovery behind a proxy', () => {
  const { server } = serveForTests({ dir: policies('authzen-certification'), publicUrl: 'https://pdp.example.com/' });
  it('C-6-3: policy_decision_point is the public URL and endpoints hang from it', async () => {
    const answer = await send(server().url, '/.well-known/authzen-configuration', undefined, { method: 'GET' });
    expect(answer.json.policy_decision_point).toBe('https://pdp.example.com');
    expect(answer.json.search_action_endpoint).toBe('https://pdp.example.com/access/v1/search/action');
  });
});
