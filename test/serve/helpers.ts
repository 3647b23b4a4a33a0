/**
 * Helpers of the `policyc serve` tests: a server on an ephemeral port of 127.0.0.1, and requests
 * over real HTTP (fetch).
 */
import { afterAll, beforeAll } from 'vitest';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer, type ServerOptions } from '../../server/index.ts';

export const policies = (name: string): string => fileURLToPath(new URL(`../../policies/${name}`, import.meta.url));

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body when it is JSON. */
  readonly json: any;
}

export async function send(url: string, path: string, body: unknown, init: { headers?: Record<string, string>; raw?: boolean; method?: string } = {}): Promise<Answer> {
  const response = await fetch(url + path, {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    ...(init.method === 'GET' ? {} : { body: init.raw === true ? (body as string) : JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Starts a server for the tests of one file and stops it after them. */
export function serveForTests(options: Omit<ServerOptions, 'port'>): { server: () => RunningServer; post: (path: string, body: unknown, init?: Parameters<typeof send>[3]) => Promise<Answer> } {
  let server: RunningServer | undefined;
  beforeAll(async () => {
    server = await startServer({ log: false, watch: false, ...options, port: 0 });
  });
  afterAll(async () => {
    await server?.close();
  });
  return {
    server: () => server!,
    post: (path, body, init) => send(server!.url, path, body, init),
  };
}

/** The `decision` of an evaluation, failing loudly on anything but a 200 with a boolean. */
export async function decisionOf(post: (path: string, body: unknown) => Promise<Answer>, body: unknown): Promise<boolean> {
  const answer = await post('/access/v1/evaluation', body);
  if (answer.status !== 200 || typeof answer.json?.decision !== 'boolean') throw new Error(`unexpected answer ${answer.status}: ${answer.text}`);
  return answer.json.decision as boolean;
}
