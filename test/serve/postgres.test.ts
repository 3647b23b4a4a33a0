/**
 * The Postgres source over the real wire protocol: PGlite behind `@electric-sql/pglite-socket`
 * on 127.0.0.1, two `policyc serve` replicas (the Search scenario's policy) reading one users
 * table and one records table through `pg`. Both answer the scenario exactly, a row written to
 * the database is seen by both at once (no state in a replica), and hostile ids stay values.
 */
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/index.ts';
import { startPglite } from '../helpers/pglite.ts';
import { policies, send } from './helpers.ts';
import { all, fixture, rules, sorted } from './search-rules.ts';

let db: PGlite;
let socket: PGLiteSocketServer;
const replicas: RunningServer[] = [];
const ENV = 'POLICYC_SERVE_TEST_DATABASE_URL';

beforeAll(async () => {
  db = await startPglite();
  await db.exec(`
    CREATE TABLE users (id text PRIMARY KEY, email text, keys text[], type text, roles text[], groups text[], attributes jsonb);
    CREATE TABLE documents (doc_id text PRIMARY KEY, title text, dept text, owner_id text);
  `);
  for (const s of fixture.subjects) {
    await db.query('INSERT INTO users (id, email, keys, roles, groups) VALUES ($1, $2, $3, $4, $5)', [s.id, `${s.id}@example.com`, [`pid-${s.id}`], [s.role], [s.department]]);
  }
  for (const r of fixture.resources) await db.query('INSERT INTO documents VALUES ($1, $2, $3, $4)', [r.id, r.title, r.department, r.owner]);
  socket = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 40 });
  await socket.start();
  process.env[ENV] = `postgres://postgres@${socket.getServerConn()}/postgres?sslmode=disable`;

  // the policy of the Search scenario, with serve.json pointing at the database instead of files
  const dir = join(mkdtempSync(join(tmpdir(), 'policyc-serve-pg-')), 'set');
  cpSync(join(policies('authzen-search'), 'policy.yaml'), join(dir, 'policy.yaml'));
  writeFileSync(join(dir, 'serve.json'), JSON.stringify({
    postgres: { url: `env:${ENV}`, users: 'users', records: { record: { table: 'documents', id: 'doc_id', columns: { department: 'dept', owner: 'owner_id' } } } },
  }));
  for (let i = 0; i < 2; i++) replicas.push(await startServer({ dir, port: 0, log: false, watch: false }));
});

afterAll(async () => {
  for (const r of replicas) await r.close();
  await socket?.stop();
  await db?.close();
  delete process.env[ENV];
});

const post = (replica: number) => (path: string, body: unknown) => send(replicas[replica]!.url, path, body);

describe('Postgres source (pglite-socket + pg): two replicas, one database', () => {
  it('resource search runs the query plan as SQL: exactly the scenario\'s records, on either replica, in pages', async () => {
    for (const u of fixture.subjects) {
      for (const action of fixture.actions) {
        const expected = sorted(fixture.resources.filter((r) => rules[action]!(u, r)).map((r) => r.id));
        const body = { subject: { type: 'user', id: u.id }, action: { name: action }, resource: { type: 'record' } };
        expect(await all(post(0), '/access/v1/search/resource', body), `${u.id} ${action}`).toEqual(expected);
        expect(await all(post(1), '/access/v1/search/resource', body, 4), `${u.id} ${action} (replica 2, pages of 4)`).toEqual(expected);
      }
    }
  });

  it('subjects are looked up by id, email or key; subject search pages through the users table', async () => {
    for (const key of ['dan', 'dan@example.com', 'pid-dan']) {
      const answer = await post(0)('/access/v1/evaluation', { subject: { type: 'user', id: key }, action: { name: 'edit' }, resource: { type: 'record', id: '115' } });
      expect(answer.json, key).toMatchObject({ decision: true, context: { code: 'team' } });
    }
    for (const r of fixture.resources.slice(0, 6)) {
      const expected = sorted(fixture.subjects.filter((u) => rules.view!(u, r)).map((u) => u.id));
      expect(await all(post(1), '/access/v1/search/subject', { subject: { type: 'user' }, action: { name: 'view' }, resource: { type: 'record', id: r.id } }, 2)).toEqual(expected);
    }
  });

  it('no state in a replica: a row written to the database is decided by both at once', async () => {
    const body = { subject: { type: 'user', id: 'bob' }, action: { name: 'delete' }, resource: { type: 'record', id: '121' } };
    expect((await post(0)('/access/v1/evaluation', body)).json).toMatchObject({ decision: false, context: { code: 'unknown-resource' } });
    await db.query('INSERT INTO documents VALUES ($1, $2, $3, $4)', ['121', 'Pericles', 'Legal', 'bob']);
    await db.query('INSERT INTO users (id, roles, groups) VALUES ($1, $2, $3)', ['gina', ['manager'], ['Legal']]);
    expect((await post(1)('/access/v1/evaluation', body)).json.decision).toBe(true);
    expect((await post(0)('/access/v1/evaluation', { ...body, subject: { type: 'user', id: 'gina' }, action: { name: 'edit' } })).json.decision).toBe(true);
    expect(await all(post(0), '/access/v1/search/resource', { subject: { type: 'user', id: 'bob' }, action: { name: 'delete' }, resource: { type: 'record' } })).toContain('121');
  });

  it('hostile ids stay values; a key naming two users names nobody; a malformed row is an unknown subject', async () => {
    for (const id of ["' OR '1'='1", 'alice\'; DROP TABLE users; --', '%', '\\']) {
      const answer = await post(0)('/access/v1/evaluation', { subject: { type: 'user', id }, action: { name: 'view' }, resource: { type: 'record', id: "101' OR '1'='1" } });
      expect(answer.json.decision, id).toBe(false);
    }
    expect((await db.query('SELECT count(*)::int AS n FROM users')).rows).toEqual([{ n: 7 }]);
    await db.query('INSERT INTO users (id, email, roles) VALUES ($1, $2, $3)', ['hank', 'erin@example.com', ['manager']]);
    await db.query('INSERT INTO users (id, roles) VALUES ($1, $2)', ['ivy', []]);
    const view = (id: string) => post(0)('/access/v1/evaluation', { subject: { type: 'user', id }, action: { name: 'view' }, resource: { type: 'record', id: '101' } });
    expect((await view('erin@example.com')).json).toMatchObject({ decision: false, context: { code: 'unknown-subject' } });
    expect((await view('hank')).json.decision).toBe(true);
    expect((await view('ivy')).json).toMatchObject({ decision: false, context: { code: 'unknown-subject' } });
  });
});
