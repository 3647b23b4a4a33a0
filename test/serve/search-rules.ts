/** The Search interop scenario (test/fixtures/authzen/search.json), its three rules written out as the tests' oracle, and a search that follows page tokens. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

export interface Subject { id: string; role: string; department: string }
export interface Resource { id: string; title: string; department: string; owner: string }
export const fixture = JSON.parse(readFileSync(new URL('../fixtures/authzen/search.json', import.meta.url), 'utf8')) as { subjects: Subject[]; resources: Resource[]; actions: string[] };

// search.json "rules", quoted
export const rules: Record<string, (u: Subject, r: Resource) => boolean> = {
  view: (u, r) => r.owner === u.id || r.department === u.department || u.role === 'manager',
  edit: (u, r) => r.owner === u.id || (u.role === 'manager' && r.department === u.department),
  delete: (u, r) => r.owner === u.id,
};

export const sorted = (list: string[]): string[] => [...list].sort();
type Post = (path: string, body: unknown) => Promise<{ status: number; json: any }>;

/** Every result of a search, following page tokens; fails on a repeated entity. */
export async function all(post: Post, path: string, body: Record<string, unknown>, limit?: number): Promise<string[]> {
  const seen: string[] = [];
  let token = '';
  do {
    const page = limit === undefined ? (token === '' ? undefined : { token }) : token === '' ? { limit } : { token };
    const answer = await post(path, page === undefined ? body : { ...body, page });
    expect(answer.status).toBe(200);
    seen.push(...answer.json.results.map((r: { id?: string; name?: string }) => r.id ?? r.name));
    token = answer.json.page.next_token;
  } while (token !== '');
  expect(new Set(seen).size, `repeated results in ${JSON.stringify(seen)}`).toBe(seen.length);
  return sorted(seen);
}

