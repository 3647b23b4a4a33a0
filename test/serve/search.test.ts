/**
 * The AuthZEN interop Search scenario (test/fixtures/authzen/search.json) against `policyc serve
 * policies/authzen-search`, over real HTTP. The scenario's result sets are exact (no missing,
 * extra or repeated entity), so every subject × action (resource search), record × action
 * (subject search) and subject × record (action search) is compared with the scenario's three
 * rules written out in search-rules.ts, and with single evaluations.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { policies, serveForTests } from './helpers.ts';
import { all, fixture, rules, sorted } from './search-rules.ts';

describe('authzen-search: the Search interop scenario over HTTP', () => {
  const { post } = serveForTests({ dir: policies('authzen-search') });

  it('the directory and the records transcribe the scenario', () => {
    const directory = JSON.parse(readFileSync(new URL('../../policies/authzen-search/directory.json', import.meta.url), 'utf8'));
    expect(directory).toEqual(fixture.subjects.map((s) => ({ id: s.id, role: s.role, groups: [s.department] })));
    const records = readFileSync(new URL('../../policies/authzen-search/records/record.jsonl', import.meta.url), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(records).toEqual(fixture.resources.map(({ id, title, department, owner }) => ({ id, title, department, owner })));
  });

  it('resource search: exactly the records each user may view, edit, delete (also in pages of 3)', async () => {
    for (const u of fixture.subjects) {
      for (const action of fixture.actions) {
        const expected = sorted(fixture.resources.filter((r) => rules[action]!(u, r)).map((r) => r.id));
        const body = { subject: { type: 'user', id: u.id }, action: { name: action }, resource: { type: 'record' } };
        expect(await all(post, '/access/v1/search/resource', body), `${u.id} ${action}`).toEqual(expected);
        expect(await all(post, '/access/v1/search/resource', body, 3), `${u.id} ${action}, pages of 3`).toEqual(expected);
      }
    }
  });

  it('subject search: exactly the users who may view, edit, delete each record', async () => {
    for (const r of fixture.resources) {
      for (const action of fixture.actions) {
        const expected = sorted(fixture.subjects.filter((u) => rules[action]!(u, r)).map((u) => u.id));
        const body = { subject: { type: 'user' }, action: { name: action }, resource: { type: 'record', id: r.id } };
        expect(await all(post, '/access/v1/search/subject', body), `${r.id} ${action}`).toEqual(expected);
      }
    }
  });

  it('action search: exactly the actions each user may do on each record; each agrees with an evaluation', async () => {
    for (const u of fixture.subjects) {
      for (const r of fixture.resources) {
        const expected = sorted(fixture.actions.filter((a) => rules[a]!(u, r)));
        const subject = { type: 'user', id: u.id };
        const resource = { type: 'record', id: r.id };
        expect(await all(post, '/access/v1/search/action', { subject, resource }), `${u.id} on ${r.id}`).toEqual(expected);
        const batch = await post('/access/v1/evaluations', { subject, resource, evaluations: fixture.actions.map((name) => ({ action: { name } })) });
        expect(batch.json.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual(fixture.actions.map((a) => rules[a]!(u, r)));
      }
    }
  });

  it('unknown users, records and actions give no results', async () => {
    expect(await all(post, '/access/v1/search/resource', { subject: { type: 'user', id: 'zed' }, action: { name: 'view' }, resource: { type: 'record' } })).toEqual([]);
    expect(await all(post, '/access/v1/search/resource', { subject: { type: 'user', id: 'alice' }, action: { name: 'print' }, resource: { type: 'record' } })).toEqual([]);
    expect(await all(post, '/access/v1/search/subject', { subject: { type: 'user' }, action: { name: 'view' }, resource: { type: 'record', id: '999' } })).toEqual([]);
    expect(await all(post, '/access/v1/search/action', { subject: { type: 'user', id: 'alice' }, resource: { type: 'record', id: '999' } })).toEqual([]);
  });
});
