/**
 * R-Z13 through the server: a user of one organisation checks in it; a user of several names one
 * in `subject.properties.organisation`, and only one they belong to — a request cannot place a
 * user in an organisation the directory does not list.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveForTests } from './helpers.ts';

const dir = join(mkdtempSync(join(tmpdir(), 'policyc-serve-orgs-')), 'crm');
mkdirSync(dir);
writeFileSync(join(dir, 'policy.yaml'), `resources:
  deal:
    actions: [view]
    attributes: { account: string, owner: string }
    owner: owner
    organisation: account
roles:
  rep:
    grants:
      deal: { view: green }
`);
writeFileSync(join(dir, 'directory.json'), JSON.stringify([
  { id: 'ann', role: 'rep', organisations: ['acme', 'globex'] },
  { id: 'bob', role: 'rep', organisations: ['acme'] },
]));

describe('R-Z13 organisations of directory users', () => {
  const { post } = serveForTests({ dir });
  const view = async (subject: Record<string, unknown>, account: string) =>
    (await post('/access/v1/evaluation', { subject: { type: 'user', ...subject }, action: { name: 'view' }, resource: { type: 'deal', id: 'd1', properties: { account, owner: 'x' } } })).json;

  it('a user of one organisation checks in it', async () => {
    expect(await view({ id: 'bob' }, 'acme')).toMatchObject({ decision: true });
    expect(await view({ id: 'bob' }, 'globex')).toMatchObject({ decision: false, context: { code: 'other-organisation' } });
  });

  it('a user of several checks in the one the request names, if they belong to it', async () => {
    expect(await view({ id: 'ann' }, 'acme')).toMatchObject({ decision: false, context: { code: 'invalid-request' } });
    expect(await view({ id: 'ann', properties: { organisation: 'globex' } }, 'globex')).toMatchObject({ decision: true });
    expect(await view({ id: 'ann', properties: { organisation: 'initech' } }, 'initech')).toMatchObject({ decision: false, context: { code: 'other-organisation' } });
    expect(await view({ id: 'bob', properties: { organisation: 'globex' } }, 'globex')).toMatchObject({ decision: false, context: { code: 'other-organisation' } });
    expect(await view({ id: 'ann', properties: { organisation: 'initech', organisations: ['initech'] } }, 'initech')).toMatchObject({ decision: false });
  });

  it('resource search for a user placed in a foreign organisation finds nothing', async () => {
    const answer = await post('/access/v1/search/action', { subject: { type: 'user', id: 'bob', properties: { organisation: 'globex' } }, resource: { type: 'deal', id: 'd1', properties: { account: 'globex', owner: 'x' } } });
    expect(answer.json.results).toEqual([]);
  });
});
