/**
 * Every example of docs/policy-language.md is a test: each block fenced as ```yaml policy is
 * compiled (as `policy.yaml`) and every line of the ```text decisions block that follows it is
 * checked. The decision line format is described at the top of the page's "Examples" section.
 * Every ```ts file=… block of docs/application.md is a file of a small application that is
 * type-checked and run (test/helpers/application-docs.ts): servers on 127.0.0.1, SQL in PGlite.
 */
import { once } from 'node:events';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { FORMAT_VERSION, type Checker, type Principal } from '../packages/runtime/src/index.ts';
import { main } from '../compiler/cli.ts';
import { buildDocsApp, docFiles, type DocsApp } from './helpers/application-docs.ts';
import { fencedBlocks, type Block } from './helpers/markdown.ts';
import { compileSources } from './helpers/policy.ts';
import { startPglite } from './helpers/pglite.ts';

const DOC_PATH = new URL('../docs/policy-language.md', import.meta.url);
const doc = readFileSync(DOC_PATH, 'utf8');

interface Decision {
  readonly source: string;
  readonly line: number;
  readonly role: string;
  readonly action: string;
  readonly kind: string;
  readonly attributes: Record<string, string>;
  readonly principalId: string;
  readonly groups: string[] | undefined;
  readonly allow: boolean;
  readonly code: string;
}

interface Example {
  readonly heading: string;
  readonly policy: Block;
  readonly decisions: Decision[];
}

const DECISION = /^(\S+) (\S+) (\S+)((?: [^\s=]+=\S*)*) as (\S+)(?: groups=(\S*))? -> (allow|deny) \(([a-z-]+)\)$/;

function parseDecision(source: string, line: number): Decision {
  const m = DECISION.exec(source.trim().replace(/\s+/g, ' '));
  if (!m) throw new Error(`docs/policy-language.md:${line}: not a decision line: ${source}`);
  const attributes: Record<string, string> = {};
  for (const word of m[4]!.trim().split(' ').filter(Boolean)) {
    const eq = word.indexOf('=');
    attributes[word.slice(0, eq)] = word.slice(eq + 1);
  }
  const groups = m[6] === undefined ? undefined : m[6].split(',').filter(Boolean);
  return { source: source.trim(), line, role: m[1]!, action: m[2]!, kind: m[3]!, attributes, principalId: m[5]!, groups, allow: m[7] === 'allow', code: m[8]! };
}

function examples(): Example[] {
  const blocks = fencedBlocks(doc, 'docs/policy-language.md');
  const out: Example[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    if (b.info !== 'yaml policy') {
      if (b.info === 'text decisions') throw new Error(`docs/policy-language.md:${b.line}: a decisions block without a policy block before it`);
      continue;
    }
    const next = blocks[i + 1];
    if (!next || next.info !== 'text decisions') throw new Error(`docs/policy-language.md:${b.line}: a policy block must be followed by a \`\`\`text decisions block`);
    const decisions: Decision[] = [];
    next.text.split('\n').forEach((text, k) => {
      if (text.trim() === '' || text.trim().startsWith('#')) return;
      decisions.push(parseDecision(text, next.line + 1 + k));
    });
    out.push({ heading: b.heading, policy: b, decisions });
    i++;
  }
  return out;
}

const EXAMPLES = examples();

describe('docs/policy-language.md examples', () => {
  it('R-K3 R-K4 R-Z1 the page has worked examples, each naming the requirements it shows', () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(6);
    for (const e of EXAMPLES) {
      expect(e.heading, `example at line ${e.policy.line}`).toMatch(/R-[A-Z]+\d+/);
      expect(e.decisions.length, `example "${e.heading}"`).toBeGreaterThan(0);
    }
  });

  for (const example of EXAMPLES) {
    const ids = [...new Set(example.heading.match(/R-[A-Z]+\d+/g) ?? [])].join(' ');
    const title = example.heading.replace(/\s*\([^)]*R-[A-Z]+\d+[^)]*\)\s*$/, '');
    describe(`${ids} ${title} (docs line ${example.policy.line})`, () => {
      let compiled: Promise<Checker> | undefined;
      const checker = () => (compiled ??= compileSources({ 'policy.yaml': example.policy.text }));

      it(`${ids} the policy of "${title}" compiles`, async () => {
        await expect(checker()).resolves.toBeDefined();
      });

      for (const d of example.decisions) {
        it(`${ids} ${d.source}`, async () => {
          const c = await checker();
          // `<role>[,<role>…][/<profile>]`: several roles and the profile the principal carries (R-Z2)
          const [names, profile] = d.role.split('/');
          const roles = names!.split(',');
          const principal = {
            id: d.principalId,
            role: roles[0]!,
            ...(roles.length > 1 ? { roles } : {}),
            ...(profile === undefined ? {} : { profile }),
            ...(d.groups === undefined ? {} : { groups: d.groups }),
          };
          const decision = c.can(principal, d.action, { kind: d.kind, ...d.attributes });
          expect({ allow: decision.allow, code: decision.code }, `docs/policy-language.md:${d.line}: ${decision.reason}`).toEqual({ allow: d.allow, code: d.code });
        });
      }
    });
  }
});

describe('docs/application.md: every block is a file of a real application (Kommo example)', () => {
  let app: DocsApp;
  beforeAll(async () => {
    app = await buildDocsApp();
  }, 120_000);
  afterAll(() => app.remove());

  const principals = {
    rep: { id: 'u7', role: 'sales_rep', groups: ['north'] },
    marketer: { id: 'm1', role: 'marketer', groups: ['north'] },
    manager: { id: 'b1', role: 'sales_manager', groups: ['north'] },
    analyst: { id: 'a1', role: 'analyst' },
    teamLead: { id: 't1', role: 'team_lead', groups: ['south'] },
  };
  const LEADS = [
    { id: 'l1', responsible: 'u7', team: 'north', amount: 500, pipeline: 'main', stage: 'open', participants: [] },
    { id: 'l2', responsible: 'u8', team: 'north', amount: 900, pipeline: 'main', stage: 'open', participants: [] },
    { id: 'l3', responsible: 'u9', team: 'south', amount: 100, pipeline: 'main', stage: 'won', participants: ['u7'] },
  ];
  /** Signs every example principal in (`Bearer <name>`) and resets the lead store. */
  async function seed(): Promise<void> {
    const { sessions } = await app.load<{ sessions: Map<string, Principal> }>('users.ts');
    for (const [token, p] of Object.entries(principals)) sessions.set(token, p);
    const { leads } = await app.load<{ leads: Map<string, (typeof LEADS)[number]> }>('leads.ts');
    leads.clear();
    for (const lead of LEADS) leads.set(lead.id, lead);
  }

  it('the prebuild script of its package.json builds the checker the other blocks import', () => {
    expect(app.prebuild.code, app.prebuild.output).toBe(0);
    expect(readdirSync(join(app.dir, 'src/generated')).sort()).toEqual(['checker.cjs', 'checker.d.cts', 'checker.d.ts', 'checker.full.cjs', 'checker.full.d.cts', 'checker.full.d.ts', 'checker.full.js', 'checker.js', 'checker.ts']);
  });

  it('its TypeScript blocks type-check together under strict, noUncheckedIndexedAccess and exactOptionalPropertyTypes', () => {
    expect(docFiles().filter((f) => f.language === 'ts').length).toBeGreaterThanOrEqual(7);
    expect(app.tsc).toBe('');
  });

  it('R-K3 asking the checker: the rep may edit the lead they are responsible for, through `can` and the lead kind\'s entry (issue 17)', async () => {
    expect(await app.load('decide.ts')).toMatchObject({ allowed: true, why: 'own', viaKind: true });
  });

  it('R-K3 R-K6 Express: 401, 404, a plain 403 with the reason only in the log, redacted fields, a delete', async () => {
    await seed();
    const { app: express } = await app.load<{ app: import('express').Express }>('express-app.ts');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const server = express.listen(0, '127.0.0.1');
    try {
      await once(server, 'listening');
      await exerciseLeadRoutes(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, () => warn.mock.calls.map((call) => call.join(' ')).join('\n'));
    } finally {
      server.close();
      warn.mockRestore();
    }
  });

  it('R-K3 R-K6 Fastify: the same answers from a preHandler hook, the reason in the request log', async () => {
    await seed();
    const { buildApp } = await app.load<{ buildApp: (o: object) => import('fastify').FastifyInstance }>('fastify-app.ts');
    let log = '';
    const fastify = buildApp({ logger: { level: 'warn', stream: { write: (line: string) => (log += line) } } });
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    try {
      await exerciseLeadRoutes(`http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}`, () => log);
    } finally {
      await fastify.close();
    }
  });

  it('R-K3 R-K8 R-K9 lists: the SQL of the plan returns exactly the leads `can` allows, in a real Postgres (PGlite)', async () => {
    const { visibleLeads } = await app.load<{ visibleLeads: (db: PGlite, p: Principal) => Promise<{ id: string }[]> }>('list-leads.ts');
    const { checker } = await app.load<{ checker: Checker }>('generated/checker.js');
    const db = await startPglite();
    try {
      await db.exec('CREATE TABLE leads (id text PRIMARY KEY, responsible text, team text, amount double precision, pipeline text, stage text, participants text[])');
      for (const l of LEADS) await db.query('INSERT INTO leads VALUES ($1, $2, $3, $4, $5, $6, $7)', [l.id, l.responsible, l.team, l.amount, l.pipeline, l.stage, l.participants]);
      for (const [name, principal] of Object.entries(principals)) {
        const expected = LEADS.filter((lead) => checker.can(principal, 'view', { kind: 'lead', ...lead }).allow).map((l) => l.id);
        expect((await visibleLeads(db, principal)).map((l) => l.id), name).toEqual(expected);
      }
      // the comparison has something to compare: the rep sees their own lead and one they are subscribed to (R-K9), not a colleague's
      expect((await visibleLeads(db, principals.rep)).map((l) => l.id)).toEqual(['l1', 'l3']);
    } finally {
      await db.close();
    }
  });

  it('hot reload: a new checker replaces the old one for the next request; a wrong format or hash is refused and changes nothing', async () => {
    const store = await app.load<{ policy: () => Checker; reloadPolicy: (file: string, hash?: string) => Promise<Checker> }>('policy-store.ts');
    const first = await store.reloadPolicy(join(app.dir, 'src/generated/checker.js'));
    expect(store.policy()).toBe(first);
    expect(first.policyName).toBe('kommo-crm');
    const ownLead = { kind: 'lead', responsible: 'u7', team: 'north' } as const;
    expect(first.can(principals.rep, 'delete', ownLead).allow).toBe(false);

    // the policy changes (reps may now delete their own leads) and is built as the next release
    const roles = join(app.dir, 'policies/kommo-crm/roles.yaml');
    const text = readFileSync(roles, 'utf8');
    const at = text.indexOf('  sales_rep:');
    writeFileSync(roles, text.slice(0, at) + text.slice(at).replace('delete: red', 'delete: yellow'));
    const built = await main(['build', 'policies/kommo-crm', '--out', 'next-release'], { out: () => {}, err: () => {}, cwd: app.dir, color: false });
    writeFileSync(roles, text);
    expect(built).toBe(0);
    const second = await store.reloadPolicy(join(app.dir, 'next-release/checker.js'));
    expect(store.policy()).toBe(second);
    expect(second.policyHash).not.toBe(first.policyHash);
    expect(second.can(principals.rep, 'delete', ownLead).allow).toBe(true);
    expect(first.can(principals.rep, 'delete', ownLead).allow).toBe(false); // a request that holds the old checker finishes with it

    await expect(store.reloadPolicy(join(app.dir, 'next-release/checker.js'), first.policyHash)).rejects.toThrow(`expected ${first.policyHash}`);
    expect(store.policy()).toBe(second);
    const other = join(app.dir, 'other-format.mjs');
    writeFileSync(other, "export const checker = { can: () => ({ allow: true }), formatVersion: 999, policyName: 'kommo-crm', policyHash: 'x' };\n");
    await expect(store.reloadPolicy(other)).rejects.toMatchObject({ name: 'PolicyFormatError' });
    expect(store.policy()).toBe(second);
  });

  it('CommonJS: require the checker.cjs the build writes, checked by loadChecker', () => {
    const server = createRequire(join(app.dir, 'src/'))(join(app.dir, 'src/server.cjs')) as { allowed: boolean; formatVersion: number };
    expect(server).toEqual({ allowed: true, formatVersion: FORMAT_VERSION });
  });

  /** The same requests against either server; `logged()` is what the server logged so far. */
  async function exerciseLeadRoutes(base: string, logged: () => string): Promise<void> {
    const as = (token: string | undefined, method = 'GET', path = '/leads/l1') =>
      fetch(base + path, { method, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
    expect((await as(undefined)).status).toBe(401);
    expect((await as('rep', 'GET', '/leads/nope')).status).toBe(404);
    const own = await as('rep');
    expect(own.status).toBe(200);
    expect(await own.json()).toEqual({ id: 'l1', kind: 'lead', responsible: 'u7', team: 'north', amount: 500, pipeline: 'main', stage: 'open', participants: [] });
    // R-K6: the marketer sees the team's lead without its amount
    const marketer = await as('marketer');
    expect(marketer.status).toBe(200);
    expect(await marketer.json()).toEqual({ id: 'l1', kind: 'lead', responsible: 'u7', team: 'north', pipeline: 'main', stage: 'open', participants: [] });
    expect(logged()).toBe('');
    const denied = await as('rep', 'GET', '/leads/l2');
    expect(denied.status).toBe(403);
    const body = await denied.text();
    expect(JSON.parse(body)).toEqual({ error: 'forbidden' });
    expect(logged()).toMatch(/"code":"not-reached".*"reason":"denied: [^"]*roles\.yaml:\d+:\d+/);
    expect(logged()).toContain('"user":"u7"');
    expect((await as('rep', 'DELETE')).status).toBe(403); // R-K3 delete: red
    expect((await as('manager', 'DELETE')).status).toBe(204); // R-K8 delete: blue, a lead of the manager's team
    expect((await as('manager', 'GET')).status).toBe(404);
  }
});

describe('docs/upgrading.md', () => {
  const page = readFileSync(new URL('../docs/upgrading.md', import.meta.url), 'utf8');
  const rows = [...page.matchAll(/^\| `([^`]+)` \| `([^`]+)`/gm)].map((m) => ({ before: m[1]!, after: m[2]! }));
  const resolve = createRequire(new URL('../package.json', import.meta.url)).resolve;

  it('every import of 0.1 in the table is gone, and the one that replaces it resolves', () => {
    expect(rows.map((r) => r.before)).toEqual(['policyc/runtime', 'policyc/runtime/sql', 'policyc/runtime/cel', 'policyc/compiler']);
    for (const { before, after } of rows) {
      expect(() => resolve(before), before).toThrow(/not defined by "exports"|Cannot find module/);
      expect(resolve(after), after).toMatch(/\.js$/);
    }
  });

  it('names the format version the runtime reads', () => {
    expect(page).toContain(`// policyc-format: ${FORMAT_VERSION}\n`);
    expect(page).toContain(`policyc 0.2 writes format ${FORMAT_VERSION},`);
  });
});
