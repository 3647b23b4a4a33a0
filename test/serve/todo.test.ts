/**
 * The AuthZEN interop "Todo" scenario (test/fixtures/authzen/todo.json) served by `policyc serve
 * policies/authzen-todo`, over real HTTP: every user, addressed by PID and by email, every action,
 * on their own todo and on another user's — against the scenario's rules written out below.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decisionOf, policies, serveForTests } from './helpers.ts';

interface User { name: string; pid: string; id: string; email: string; roles: string[] }
const users: User[] = JSON.parse(readFileSync(new URL('../../policies/authzen-todo/directory.json', import.meta.url), 'utf8')).map(
  (u: { id: string; email: string; keys: string[]; roles: string[]; attributes: { name: string } }) => ({ name: u.attributes.name, pid: u.keys[0]!, id: u.id, email: u.email, roles: u.roles }),
);

// the scenario's rules, quoted in todo.json ("rules"), as an independent oracle
const has = (u: User, role: string): boolean => u.roles.includes(role);
const rules: Record<string, (u: User, ownsTodo: boolean) => boolean> = {
  can_read_user: () => true,
  can_read_todos: () => true,
  can_create_todo: (u) => has(u, 'admin') || has(u, 'editor'),
  can_update_todo: (u, own) => has(u, 'evil_genius') || (has(u, 'editor') && own),
  can_delete_todo: (u, own) => has(u, 'admin') || (has(u, 'editor') && own),
};

describe('authzen-todo: the Todo interop scenario over HTTP', () => {
  const { post } = serveForTests({ dir: policies('authzen-todo') });

  it('the directory transcribes the five users of the scenario with PIDs and several roles', () => {
    const fixture = JSON.parse(readFileSync(new URL('../fixtures/authzen/todo.json', import.meta.url), 'utf8')) as { users: User[] };
    expect(users.map(({ name, pid, id, roles }) => ({ name, pid, id, roles }))).toEqual(fixture.users.map(({ name, pid, id, roles }) => ({ name, pid, id, roles })));
  });

  for (const user of users) {
    for (const key of ['pid', 'email'] as const) {
      it(`${user.name} (${user.roles.join(' + ')}), addressed by ${key}: every action on their own todo and on another's`, async () => {
        const other = users.find((u) => u.id !== user.id)!;
        for (const [action, rule] of Object.entries(rules)) {
          for (const owner of [user, other]) {
            const resource = action === 'can_read_user'
              ? { type: 'user', id: owner.email }
              : { type: 'todo', id: action === 'can_read_todos' || action === 'can_create_todo' ? 'todo-1' : '7240d0db-8ff0-41ec-98b2-34a096273b92', properties: { ownerID: owner.email } };
            const decision = await decisionOf(post, { subject: { type: 'user', id: user[key] }, action: { name: action }, resource, context: {} });
            expect(decision, `${user.name} ${action} on ${owner.name}'s`).toBe(rule(user, owner.id === user.id));
          }
        }
      });
    }
  }

  it('ownership is by the email the directory gives, not by the PID sent as subject.id', async () => {
    const morty = users.find((u) => u.name === 'Morty Smith')!;
    const todo = (ownerID: string) => ({ type: 'todo', id: 'x', properties: { ownerID } });
    expect(await decisionOf(post, { subject: { type: 'user', id: morty.pid }, action: { name: 'can_update_todo' }, resource: todo(morty.email) })).toBe(true);
    expect(await decisionOf(post, { subject: { type: 'user', id: morty.pid }, action: { name: 'can_update_todo' }, resource: todo(morty.pid) })).toBe(false);
  });

  it('a multi-role decision names the role that allowed it and the line of YAML', async () => {
    const rick = users.find((u) => u.name === 'Rick Sanchez')!;
    const answer = await post('/access/v1/evaluation', { subject: { type: 'user', id: rick.pid }, action: { name: 'can_update_todo' }, resource: { type: 'todo', id: 'x', properties: { ownerID: 'beth@the-smiths.com' } } });
    expect(answer.json).toEqual({ decision: true, context: expect.objectContaining({ code: 'all', role: 'evil_genius', rule: expect.stringMatching(/^policy\.yaml:\d+:\d+$/) }) });
    const line = Number(answer.json.context.rule.split(':')[1]);
    expect(readFileSync(new URL('../../policies/authzen-todo/policy.yaml', import.meta.url), 'utf8').split('\n')[line - 1]).toContain('can_update_todo: green');
  });

  it('an unknown subject is denied, whatever its properties say (fail closed)', async () => {
    const answer = await post('/access/v1/evaluation', { subject: { type: 'user', id: 'nobody@example.com', properties: { roles: ['admin'] } }, action: { name: 'can_read_todos' }, resource: { type: 'todo', id: 'todo-1' } });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ decision: false, context: expect.objectContaining({ code: 'unknown-subject' }) });
  });

  it('by default a caller cannot raise a known subject\'s role: stored `role`/`roles` win over `subject.properties` ("fill")', async () => {
    const beth = users.find((u) => u.name === 'Beth Smith')!; // a viewer
    const deleteAny = (properties: Record<string, unknown>) => decisionOf(post, { subject: { type: 'user', id: beth.pid, properties }, action: { name: 'can_delete_todo' }, resource: { type: 'todo', id: 'x', properties: { ownerID: 'rick@the-citadel.com' } } });
    expect(await deleteAny({})).toBe(false);
    for (const properties of [{ role: 'admin' }, { roles: ['admin'] }, { role: 'admin', roles: ['admin', 'evil_genius'] }]) {
      expect(await deleteAny(properties), JSON.stringify(properties)).toBe(false);
    }
  });

  it('a subject of another type than the directory holds is unknown', async () => {
    const morty = users.find((u) => u.name === 'Morty Smith')!;
    expect(await decisionOf(post, { subject: { type: 'service', id: morty.email }, action: { name: 'can_read_todos' }, resource: { type: 'todo', id: 'todo-1' } })).toBe(false);
  });

  it('unknown members (the 1_0-01 file\'s `_note`) are ignored', async () => {
    const beth = users.find((u) => u.name === 'Beth Smith')!;
    expect(await decisionOf(post, { subject: { type: 'user', id: beth.pid, _note: 'ignored' }, action: { name: 'can_read_todos', extra: 1 }, resource: { type: 'todo', id: 'todo-1' }, unknown: true })).toBe(true);
  });
});
