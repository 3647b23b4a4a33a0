/**
 * The examples of docs/server.md are tests: each block fenced as ```json request <path> is posted
 * to `policyc serve policies/authzen-todo`, and the answer must equal the ```json response block
 * that follows it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { policies, serveForTests } from './helpers.ts';

const doc = readFileSync(new URL('../../docs/server.md', import.meta.url), 'utf8');
const blocks = [...doc.matchAll(/^```json (request (\S+)|response)\n([\s\S]*?)^```$/gm)].map((m) => ({ kind: m[1]!.split(' ')[0]!, path: m[2], text: m[3]! }));
const examples = blocks.flatMap((b, i) => (b.kind === 'request' && blocks[i + 1]?.kind === 'response' ? [{ path: b.path!, request: JSON.parse(b.text), response: JSON.parse(blocks[i + 1]!.text) }] : []));

describe('docs/server.md: the requests and their answers', () => {
  const { post } = serveForTests({ dir: policies('authzen-todo') });

  it('has examples, each request followed by its response', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
    expect(blocks.filter((b) => b.kind === 'request')).toHaveLength(examples.length);
  });

  for (const example of examples) {
    it(`POST ${example.path}`, async () => {
      const answer = await post(example.path, example.request);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual(example.response);
    });
  }
});
