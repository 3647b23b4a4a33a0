/**
 * The specification's binding is HTTPS: with a certificate and key, `policyc serve` answers over
 * TLS and discovery announces `https://` endpoints. The certificate is made for the test with
 * openssl (self-signed, for 127.0.0.1) and trusted by the test's client only.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../../server/index.ts';
import { policies, serveForTests } from './helpers.ts';

const folder = mkdtempSync(join(tmpdir(), 'policyc-serve-tls-'));
const certFile = join(folder, 'cert.pem');
const keyFile = join(folder, 'key.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
const ca = readFileSync(certFile);

function httpsCall(url: string, method: string, body?: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('HTTPS', () => {
  const { server } = serveForTests({ dir: policies('authzen-certification'), tls: { certFile, keyFile } });

  it('decides over TLS and announces https endpoints', async () => {
    const url = server().url;
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const answer = await httpsCall(`${url}/access/v1/evaluation`, 'POST', { subject: { type: 'user', id: 'alice' }, action: { name: 'read' }, resource: { type: 'record', id: 'record-1' } });
    expect([answer.status, answer.json.decision]).toEqual([200, true]);
    const metadata = await httpsCall(`${url}/.well-known/authzen-configuration`, 'GET');
    expect(metadata.json.policy_decision_point).toBe(url);
    expect(metadata.json.access_evaluation_endpoint).toBe(`${url}/access/v1/evaluation`);
  });

  it('refuses to start without a readable key', async () => {
    await expect(startServer({ dir: policies('authzen-certification'), port: 0, log: false, watch: false, tls: { certFile, keyFile: join(folder, 'none.pem') } })).rejects.toThrow(/cannot read the TLS key/);
  });
});
