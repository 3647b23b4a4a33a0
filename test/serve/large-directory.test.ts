/**
 * A large user directory in JSON Lines: 12,002 users, two of whom may write the archived record.
 * Subject search never decides more than SCAN_BUDGET subjects for one page: it answers a shorter
 * page with a token to continue, and following the tokens finds exactly the two.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCAN_BUDGET } from '../../server/search.ts';
import { policies, serveForTests } from './helpers.ts';

const dir = join(mkdtempSync(join(tmpdir(), 'policyc-serve-large-')), 'set');
cpSync(policies('authzen-certification'), dir, { recursive: true });
rmSync(join(dir, 'directory.json'));
const lines = [JSON.stringify({ id: 'aaa', role: 'admin' })];
for (let i = 0; i < 12_000; i++) lines.push(JSON.stringify({ id: `user-${String(i).padStart(5, '0')}`, role: 'member', email: `u${i}@example.com` }));
lines.push(JSON.stringify({ id: 'zzz', role: 'admin' }));
writeFileSync(join(dir, 'directory.jsonl'), `${lines.join('\n')}\n`);

describe('a large directory in JSON Lines', () => {
  const { post } = serveForTests({ dir });

  it('every user is found by id and by email', async () => {
    const read = (id: string) => post('/access/v1/evaluation', { subject: { type: 'user', id }, action: { name: 'read' }, resource: { type: 'record', id: 'record-1' } });
    expect((await read('user-11999')).json.decision).toBe(true);
    expect((await read('u11999@example.com')).json.decision).toBe(true);
    expect((await read('user-12000')).json.decision).toBe(false);
  });

  it('subject search stops after its scan budget with a token, and the pages find exactly the two admins', async () => {
    expect(SCAN_BUDGET).toBeLessThan(12_000);
    const body = { subject: { type: 'user' }, action: { name: 'write' }, resource: { type: 'record', id: 'record-2' }, page: { limit: 10 } };
    const first = await post('/access/v1/search/subject', body);
    expect(first.json.results).toEqual([{ type: 'user', id: 'aaa' }]);
    expect(first.json.page.next_token).not.toBe('');
    const found = [...first.json.results];
    let token = first.json.page.next_token as string;
    let pages = 1;
    while (token !== '') {
      const next = await post('/access/v1/search/subject', { ...body, page: { token } });
      found.push(...next.json.results);
      token = next.json.page.next_token;
      pages++;
    }
    expect(found.map((r: { id: string }) => r.id)).toEqual(['aaa', 'zzz']);
    expect(pages).toBe(Math.ceil(12_002 / SCAN_BUDGET));
  });
});
