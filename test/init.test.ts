/**
 * `policyc init <dir> --template kommo|gtg|zoho|org-admin` (issue 16): each template is written,
 * passes `policyc check` and `policyc test`, ships in the npm package, and never overwrites a
 * folder that is not empty without `--force`. The GTG template's default roles are compared with
 * the text of seed 001 (R-G2) and the organisation template's roles with seed 004's table and
 * lists (R-O1): the seed text is parsed here, not transcribed, so a drift in either shows.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCommand } from '../compiler/cli/check.ts';
import { initCommand, TEMPLATES } from '../compiler/cli/init.ts';
import { UsageError } from '../compiler/cli/io.ts';
import { testCommand } from '../compiler/cli/test.ts';
import { compileDir } from '../compiler/index.ts';
import type { Checker, Organisation } from '../packages/runtime/src/index.ts';
import { root } from './helpers/cli.ts';
import { importBundle } from './helpers/policy.ts';

const tmp = mkdtempSync(join(tmpdir(), 'policyc-init-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function io(): { io: Parameters<typeof initCommand>[2]; text: () => string } {
  let text = '';
  return { io: { out: (t) => (text += t), err: (t) => (text += t), cwd: tmp, color: false }, text: () => text };
}

async function compiled(dir: string): Promise<{ checker: Checker; organisation: Organisation | undefined }> {
  const result = await compileDir(join(tmp, dir));
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const module = await importBundle(result.output!.bundle);
  return { checker: module.checker as Checker, organisation: module.organisation as Organisation | undefined };
}

describe('policyc init --template', () => {
  for (const template of Object.keys(TEMPLATES)) {
    it(`${template}: writes the example's policy files and decision tables, which pass check and test`, async () => {
      const out = io();
      expect(initCommand(template, { template }, out.io)).toBe(0);
      const written = readdirSync(join(tmp, template)).sort();
      expect(written).toEqual(readdirSync(join(root, 'policies', TEMPLATES[template]!)).filter((f) => f.endsWith('.yaml')).sort());
      expect(written.some((f) => f.endsWith('_test.yaml'))).toBe(true);
      expect(out.text()).toContain(`next: policyc check ${template} && policyc test ${template}`);
      // the editor's schema comment points at this package's schemas from the new folder
      const first = readFileSync(join(tmp, template, written[0]!), 'utf8').split('\n')[0]!;
      expect(first).toMatch(/^# yaml-language-server: \$schema=(\.\.\/)+.*schemas\/(policy|test)\.schema\.json$/);
      const schema = first.replace(/^.*\$schema=/, '');
      expect(readFileSync(join(tmp, template, schema), 'utf8')).toContain('"$schema"');

      const check = io();
      expect(checkCommand(template, { format: 'text' }, check.io), check.text()).toBe(0);
      const test = io();
      expect(await testCommand(template, { format: 'text' }, test.io), test.text()).toBe(0);
      expect(test.text()).toMatch(/\d+ passed, 0 failed/);
    });
  }

  it('refuses a folder that is not empty without --force, and with --force replaces only its own files', () => {
    const dir = join(tmp, 'busy');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.md'), 'mine');
    writeFileSync(join(dir, 'roles.yaml'), 'old');
    expect(() => initCommand('busy', { template: 'kommo' }, io().io)).toThrow(UsageError);
    expect(() => initCommand('busy', { template: 'kommo' }, io().io)).toThrow(/`busy` is not empty: .*--force/);
    expect(readFileSync(join(dir, 'roles.yaml'), 'utf8')).toBe('old');
    expect(initCommand('busy', { template: 'kommo', force: true }, io().io)).toBe(0);
    expect(readFileSync(join(dir, 'notes.md'), 'utf8')).toBe('mine');
    expect(initCommand('fresh', { template: 'kommo' }, io().io)).toBe(0);
    expect(readFileSync(join(dir, 'roles.yaml'), 'utf8')).toBe(readFileSync(join(tmp, 'fresh', 'roles.yaml'), 'utf8'));
  });

  it('an unknown template or a file in the way is a usage error', () => {
    expect(() => initCommand('x', { template: 'salesforce' }, io().io)).toThrow('no template `salesforce`: choose one of kommo, gtg, zoho, org-admin');
    writeFileSync(join(tmp, 'a-file'), '');
    expect(() => initCommand('a-file', { template: 'gtg' }, io().io)).toThrow('`a-file` is not a folder');
  });

  it('the templates ship in the npm package (npm pack --dry-run)', () => {
    const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as { files: { path: string }[] }[];
    const files = new Set(packed[0]!.files.map((f) => f.path));
    for (const example of Object.values(TEMPLATES)) {
      for (const file of readdirSync(join(root, 'policies', example)).filter((f) => f.endsWith('.yaml'))) expect(files, `${example}/${file}`).toContain(`policies/${example}/${file}`);
    }
    expect([...files].filter((f) => f.startsWith('policies/') && !f.endsWith('.yaml'))).toEqual([]);
  });
});

const seed = (prefix: string): string => {
  const dir = '/work/shared/seeds';
  return readFileSync(join(dir, readdirSync(dir).find((f) => f.startsWith(prefix))!), 'utf8');
};

describe('R-G2 the GTG template\'s default roles are exactly seed 001\'s', () => {
  const MODULE: Record<string, string> = {
    'Halaman Arahan': 'landing_pages', Sosial: 'social', 'Kampanye (Iklan)': 'campaigns', Pesan: 'messages', 'Alur Kerja Otomatisasi': 'automation_workflows',
    'Objek CRM': 'crm_objects', 'CRM Objek': 'crm_objects', Kontak: 'contacts', Email: 'email', Global: 'global',
  };
  // Indonesian verbs to sub-permissions, by a part the prefixed forms keep (ter-bit → men-erbit-kan,
  // kirim → meng-irim); the more specific phrase first ("lihat semua" before "lihat")
  const VERBS: [RegExp, string][] = [
    [/domain kustom/i, 'edit_custom_domain'], [/hubungkan iklan/i, 'connect_ads'], [/semua (pesan|kontak)/i, 'view_all'], [/batal/i, 'unpublish'], [/erbit/i, 'publish'],
    [/nonaktif/i, 'deactivate'], [/aktif/i, 'activate'], [/putus/i, 'disconnect'], [/hubung/i, 'connect'], [/buat/i, 'create'], [/perbarui/i, 'update'], [/klon/i, 'clone'],
    [/hapus/i, 'delete'], [/edit/i, 'update'], [/lihat/i, 'view'], [/impor/i, 'import'], [/tetapkan/i, 'assign'], [/irim/i, 'send'], [/kelola/i, 'manage'],
  ];
  const ROLES: Record<string, string> = { '1. Administrator': 'administrator', '2. Manajer Pemasaran': 'marketing_manager', '3. Staf Pemasaran': 'marketing_staff' };

  /** role → module → sub-permissions, read from the seed's "Peran default" section. */
  function seedRoles(): Record<string, Record<string, string[]>> {
    const lines = seed('001').split('\n').map((l) => l.trim());
    const out: Record<string, Record<string, string[]>> = {};
    let role: string | undefined;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const header = Object.keys(ROLES).find((h) => line.startsWith(h));
      if (header !== undefined) role = ROLES[header];
      if (line === 'Peran Kustom') break;
      if (role === undefined || lines[i - 1] !== '-' || !line.endsWith(':')) continue;
      const module = MODULE[line.slice(0, -1)];
      expect(module, `a module of the seed: ${line}`).toBeDefined();
      // "(tanpa …)" and "(jangan …)" name what the role does NOT have
      const phrases = lines[i + 1]!.replace(/\([^)]*\)/g, '').split(/[,;/.]| dan /).map((p) => p.trim()).filter(Boolean);
      const permissions = phrases.map((p) => VERBS.find(([re]) => re.test(p))?.[1] ?? `?${p}`);
      (out[role] ??= {})[module!] = [...new Set(permissions)];
    }
    return out;
  }

  it('R-G2 the seed names three default roles, and each template role holds exactly the sub-permissions the seed lists', async () => {
    const roles = seedRoles();
    expect(Object.keys(roles)).toEqual(['administrator', 'marketing_manager', 'marketing_staff']);
    expect(Object.values(roles).flatMap((t) => Object.values(t).flat()).filter((p) => p.startsWith('?')), 'every phrase of the seed understood').toEqual([]);
    expect(roles.marketing_manager!.messages).toEqual(['connect', 'disconnect', 'send']);
    expect(roles.marketing_staff!.landing_pages).toEqual(['create', 'clone', 'update']);
    if (!readdirSync(tmp).includes('gtg')) initCommand('gtg', { template: 'gtg' }, io().io);
    const { checker } = await compiled('gtg');
    const modules = readFileSync(join(tmp, 'gtg', 'modules.yaml'), 'utf8');
    const all: Record<string, string[]> = {};
    for (const m of modules.matchAll(/^ {2}(\w+):\n(?: {4}.*\n)*? {4}permissions: \[([^\]]*)\]/gm)) all[m[1]!] = m[2]!.split(',').map((p) => p.trim());
    expect(Object.keys(all).sort()).toEqual(Object.values(MODULE).filter((v, i, a) => a.indexOf(v) === i).sort());
    for (const [role, table] of Object.entries(roles)) {
      for (const [module, permissions] of Object.entries(all)) {
        for (const permission of permissions) {
          const listed = (table[module] ?? []).includes(permission);
          expect(checker.can({ id: 'u', role } as never, permission as never, { kind: module } as never).allow, `${role} ${module}.${permission}`).toBe(listed);
        }
      }
    }
  });
});

describe('R-O1 the org-admin template\'s organisation roles are exactly seed 004\'s table', () => {
  const ROLE: Record<string, string> = { Admin: 'admin', 'Admin Organisasi': 'admin', 'Admin Penagihan': 'billing_admin', 'Admin Pengguna': 'user_admin', Anggota: 'member' };
  const COLUMNS = ['general', 'users', 'workspaces', 'billing'];
  const CAPABILITY: [RegExp, string][] = [
    [/akses ke semua pengaturan organisasi/i, 'organisation_settings.access'], [/kelola informasi organisasi/i, 'organisation.manage'], [/lihat informasi organisasi/i, 'organisation.view'],
    [/kelola informasi penagihan/i, 'billing.manage'], [/lihat informasi penagihan/i, 'billing.view'], [/kelola semua pengguna/i, 'users.manage'], [/lihat semua pengguna/i, 'users.view'],
    [/kelola semua ruang kerja/i, 'workspaces.manage'], [/lihat semua ruang kerja/i, 'workspaces.view'], [/kelola langganan/i, 'subscription.manage'],
    [/batalkan langganan/i, 'subscription.cancel'], [/hapus organisasi/i, 'organisation.delete'],
  ];

  it('R-O1 the four roles of the table, the settings pages each opens, and every ✅ / ❌ of the role lists', async () => {
    const lines = seed('004').split('\n').map((l) => l.trim());
    const table = lines.filter((l) => /^[^|]+\|[^|]+\|( ?(✅\*?|-) ?\|){4}$/.test(l)).map((l) => l.split('|').map((c) => c.trim()));
    expect(table.map((row) => ROLE[row[0]!])).toEqual(['admin', 'billing_admin', 'user_admin', 'member']);
    if (!readdirSync(tmp).includes('org-admin')) initCommand('org-admin', { template: 'org-admin' }, io().io);
    const { checker, organisation } = await compiled('org-admin');
    const model = (await compileDir(join(tmp, 'org-admin'))).model!;
    expect(model.organisation!.roles.map((r) => r.name).sort()).toEqual(['admin', 'billing_admin', 'member', 'user_admin']);
    expect(model.organisation!.keepOne).toBe('admin'); // R-O2 "setidaknya satu Admin Organisasi"
    for (const row of table) {
      COLUMNS.forEach((column, i) => {
        const open = row[i + 2]!.startsWith('✅');
        expect(checker.can({ id: 'u', role: ROLE[row[0]!]! } as never, column as never, { kind: 'organisation_settings' } as never).allow, `${row[0]} ${column}`).toBe(open);
      });
    }
    let role: string | undefined;
    let marks = 0;
    for (const line of lines) {
      if (Object.hasOwn(ROLE, line) && line !== 'Admin') role = ROLE[line];
      const mark = /^(✅|❌) (.*)$/.exec(line);
      if (role === undefined || mark === null) continue;
      const capability = CAPABILITY.find(([re]) => re.test(mark[2]!))?.[1];
      expect(capability, mark[2]).toBeDefined();
      expect(organisation!.has({ id: 'u', role }, capability!).allow, `${role} ${mark[0]}`).toBe(mark[1] === '✅');
      marks++;
    }
    expect(marks).toBe(8 + 8 + 8);
  });
});
