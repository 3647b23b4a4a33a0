/**
 * Decision tests of the GTG CRM policy set (seed 001). The tables below are transcribed from the
 * seed text, independently of roles.yaml: every cell of every default role is checked.
 */
import { describe, expect, it } from 'vitest';
import { loadChecker } from '../../test/helpers/policy.ts';
import { grantLine } from '../yaml-lines.ts';

const here = new URL('.', import.meta.url);
const checker = await loadChecker(here);
const line = (role: string, ...patterns: RegExp[]) => grantLine(here, 'roles.yaml', role, ...patterns);

type Table = Record<string, readonly string[]>;

/** R-G1: the modules and their sub-permissions. */
const MODULES: Table = {
  landing_pages: ['create', 'update', 'clone', 'publish', 'unpublish', 'delete', 'edit_custom_domain'],
  social: ['create', 'update', 'publish', 'unpublish', 'delete', 'connect', 'view'],
  campaigns: ['view', 'create', 'update', 'delete', 'activate', 'deactivate', 'connect_ads'],
  messages: ['connect', 'disconnect', 'send', 'view_all'],
  automation_workflows: ['create', 'view', 'update', 'delete'],
  crm_objects: ['create', 'update', 'import', 'assign', 'view', 'delete'],
  contacts: ['view_all'],
  email: ['send'],
  global: ['manage'],
};

/** R-G2: what the seed lists for each default role (seed wording in the comments). */
const SEED: Record<string, Table> = {
  administrator: {
    // membuat, memperbarui, mengkloning, menerbitkan/membatalkan penerbitan, menghapus, mengedit domain kustom
    landing_pages: ['create', 'update', 'clone', 'publish', 'unpublish', 'delete', 'edit_custom_domain'],
    // membuat, memperbarui, menerbitkan/membatalkan penerbitan, menghapus, menghubungkan, dan melihat postingan
    social: ['create', 'update', 'publish', 'unpublish', 'delete', 'connect', 'view'],
    // melihat, membuat, memperbarui, menghapus kampanye; mengaktifkan/menonaktifkan; Hubungkan Iklan
    campaigns: ['view', 'create', 'update', 'delete', 'activate', 'deactivate', 'connect_ads'],
    // Hubungkan/putuskan akun, kirim pesan, lihat semua pesan
    messages: ['connect', 'disconnect', 'send', 'view_all'],
    // Buat, lihat, perbarui, hapus alur kerja
    automation_workflows: ['create', 'view', 'update', 'delete'],
    // Buat, perbarui, impor, tetapkan, lihat, hapus
    crm_objects: ['create', 'update', 'import', 'assign', 'view', 'delete'],
    contacts: ['view_all'], // Lihat semua kontak
    email: ['send'], // Kirim email
    global: ['manage'], // Kelola global konfigurasi
  },
  marketing_manager: {
    // membuat, mengkloning, mengedit, menerbitkan/membatalkan penerbitan, menghapus
    landing_pages: ['create', 'clone', 'update', 'publish', 'unpublish', 'delete'],
    // membuat, memperbarui, menerbitkan/membatalkan penerbitan, menghapus, melihat postingan
    social: ['create', 'update', 'publish', 'unpublish', 'delete', 'view'],
    // melihat, membuat, memperbarui, menghapus kampanye; aktifkan/nonaktifkan
    campaigns: ['view', 'create', 'update', 'delete', 'activate', 'deactivate'],
    // hubungkan/putuskan akun, kirim pesan (jangan lihat semua pesan)
    messages: ['connect', 'disconnect', 'send'],
    // buat, perbarui, tetapkan, impor, hapus   (no "lihat" = view)
    crm_objects: ['create', 'update', 'assign', 'import', 'delete'],
    email: ['send'], // kirim email
    // nothing for automation workflows, contacts or global
  },
  marketing_staff: {
    // buat, klon, edit (tanpa hak publikasi/pembatalan publikasi atau penghapusan)
    landing_pages: ['create', 'clone', 'update'],
    // buat postingan, perbarui postingan, lihat postingan
    social: ['create', 'update', 'view'],
    // lihat, buat, perbarui kampanye (tanpa hak aktifkan/nonaktifkan, tanpa hak hapus)
    campaigns: ['view', 'create', 'update'],
    // hanya memiliki hak untuk mengirim pesan
    messages: ['send'],
    // buat, perbarui, impor, lihat
    crm_objects: ['create', 'update', 'import', 'view'],
    email: ['send'], // kirim email
  },
  /** R-G3 examples of custom roles. */
  customer_service: {
    // hanya perlu melihat dan membalas pesan
    messages: ['view_all', 'send'],
  },
  external_collaborator: {
    // hanya perlu melihat daftar kontak dan mengirim email
    contacts: ['view_all'],
    email: ['send'],
  },
};

function cells(): [string, string, string, boolean][] {
  const rows: [string, string, string, boolean][] = [];
  for (const [role, table] of Object.entries(SEED)) {
    for (const [module, permissions] of Object.entries(MODULES)) {
      for (const permission of permissions) rows.push([role, module, permission, (table[module] ?? []).includes(permission)]);
    }
  }
  return rows;
}

const user = (role: string) => ({ id: `user-of-${role}`, role });

describe('gtg-marketing', () => {
  it('R-G1 every module has exactly the sub-permissions of the seed', () => {
    const admin = user('administrator');
    for (const [module, permissions] of Object.entries(MODULES)) {
      for (const permission of permissions) expect(checker.can(admin, permission, { kind: module }).allow).toBe(true);
      expect(checker.can(admin, 'export' as never, { kind: module })).toMatchObject({ allow: false, code: 'unknown-action' });
    }
    expect(checker.can(admin, 'view', { kind: 'invoices' } as never)).toMatchObject({ allow: false, code: 'unknown-resource' });
  });

  it.each(cells())('R-G2 R-G3 %s × %s.%s allowed = %s (as the seed lists)', (role, module, permission, allowed) => {
    const d = checker.can(user(role), permission, { kind: module });
    expect(d.allow).toBe(allowed);
    expect(d.code).toBe(allowed ? 'all' : 'default-deny');
  });

  it('R-G2 the administrator has every sub-permission of every module', () => {
    const admin = user('administrator');
    for (const [module, permissions] of Object.entries(MODULES)) {
      for (const permission of permissions) expect(checker.can(admin, permission, { kind: module })).toMatchObject({ allow: true, code: 'all' });
    }
  });

  it('R-G2 staff may create, clone and edit landing pages but not publish or delete them', () => {
    const staff = user('marketing_staff');
    const d = checker.can(staff, 'update', { kind: 'landing_pages' });
    expect(d).toMatchObject({ allow: true, code: 'all' });
    expect(d.rule).toMatchObject({ file: 'roles.yaml', line: line('marketing_staff', /^ +landing_pages:/), role: 'marketing_staff', resource: 'landing_pages', action: 'update', level: 'all' });
    for (const p of ['publish', 'unpublish', 'delete', 'edit_custom_domain']) {
      expect(checker.can(staff, p, { kind: 'landing_pages' })).toMatchObject({ allow: false, code: 'default-deny' });
    }
  });

  it('R-G2 the manager has no custom domain, no social connect, no connect ads, and messages without view all', () => {
    const manager = user('marketing_manager');
    expect(checker.can(manager, 'edit_custom_domain', { kind: 'landing_pages' }).allow).toBe(false);
    expect(checker.can(manager, 'connect', { kind: 'social' }).allow).toBe(false);
    expect(checker.can(manager, 'connect_ads', { kind: 'campaigns' }).allow).toBe(false);
    expect(checker.can(manager, 'view_all', { kind: 'messages' })).toMatchObject({ allow: false, code: 'default-deny' });
    const d = checker.can(manager, 'disconnect', { kind: 'messages' });
    expect(d).toMatchObject({ allow: true, code: 'all' });
    expect(d.rule).toMatchObject({ file: 'roles.yaml', line: line('marketing_manager', /^ +messages:/) });
  });

  it('R-G2 as the seed lists it, the manager may delete CRM objects but not view them', () => {
    const manager = user('marketing_manager');
    expect(checker.can(manager, 'delete', { kind: 'crm_objects' })).toMatchObject({ allow: true, code: 'all' });
    expect(checker.can(manager, 'view', { kind: 'crm_objects' })).toMatchObject({ allow: false, code: 'default-deny' });
    expect(checker.can(user('marketing_staff'), 'view', { kind: 'crm_objects' })).toMatchObject({ allow: true, code: 'all' });
  });

  it('R-G3 customer service may only view and reply to messages', () => {
    const cs = user('customer_service');
    expect(checker.can(cs, 'view_all', { kind: 'messages' })).toMatchObject({ allow: true, code: 'all' });
    expect(checker.can(cs, 'send', { kind: 'messages' })).toMatchObject({ allow: true, code: 'all' });
    expect(checker.can(cs, 'connect', { kind: 'messages' })).toMatchObject({ allow: false, code: 'default-deny' });
    expect(checker.can(cs, 'update', { kind: 'landing_pages' })).toMatchObject({ allow: false, code: 'default-deny' });
  });

  it('R-G3 an external collaborator may only view contacts and send email', () => {
    const ext = user('external_collaborator');
    expect(checker.can(ext, 'view_all', { kind: 'contacts' })).toMatchObject({ allow: true, code: 'all' });
    const d = checker.can(ext, 'send', { kind: 'email' });
    expect(d).toMatchObject({ allow: true, code: 'all' });
    expect(d.rule).toMatchObject({ file: 'roles.yaml', line: line('external_collaborator', /^ +email:/) });
    let allowed = 0;
    for (const [module, permissions] of Object.entries(MODULES)) {
      for (const permission of permissions) if (checker.can(ext, permission, { kind: module }).allow) allowed++;
    }
    expect(allowed).toBe(2);
  });

  it('R-G3 R-K4 a custom role built from staff switches a sub-permission off (red) and another on', () => {
    const assistant = user('campaign_assistant');
    const off = checker.can(assistant, 'update', { kind: 'campaigns' });
    expect(off).toMatchObject({ allow: false, code: 'denied' });
    expect(off.rule).toMatchObject({ file: 'roles.yaml', line: line('campaign_assistant', /^ +campaigns:/), level: 'deny' });
    // view and create of campaigns come from marketing_staff, written there
    const view = checker.can(assistant, 'view', { kind: 'campaigns' });
    expect(view).toMatchObject({ allow: true, code: 'all' });
    expect(view.rule).toMatchObject({ line: line('marketing_staff', /^ +campaigns:/), role: 'campaign_assistant' });
    expect(checker.can(assistant, 'create', { kind: 'campaigns' })).toMatchObject({ allow: true, code: 'all' });
    // a list in the child names publish only; the staff's create, update and view stay
    expect(checker.can(assistant, 'publish', { kind: 'social' })).toMatchObject({ allow: true, code: 'all' });
    for (const p of ['create', 'update', 'view']) expect(checker.can(assistant, p, { kind: 'social' })).toMatchObject({ allow: true, code: 'all' });
    expect(checker.can(assistant, 'unpublish', { kind: 'social' })).toMatchObject({ allow: false, code: 'default-deny' });
    // what neither grants stays denied by default
    expect(checker.can(assistant, 'manage', { kind: 'global' })).toMatchObject({ allow: false, code: 'default-deny' });
    // marketing_staff itself is unchanged
    expect(checker.can(user('marketing_staff'), 'update', { kind: 'campaigns' })).toMatchObject({ allow: true, code: 'all' });
  });

  it('R-G3 R-K4 a custom role built from two roles gets what either of them grants', () => {
    const cm = user('community_manager');
    expect(checker.can(cm, 'view_all', { kind: 'messages' })).toMatchObject({ allow: true, code: 'all' });
    expect(checker.can(cm, 'send', { kind: 'messages' })).toMatchObject({ allow: true, code: 'all' });
    expect(checker.can(cm, 'clone', { kind: 'landing_pages' })).toMatchObject({ allow: true, code: 'all' });
    expect(checker.can(cm, 'connect', { kind: 'messages' })).toMatchObject({ allow: false, code: 'default-deny' });
    expect(checker.can(cm, 'delete', { kind: 'landing_pages' })).toMatchObject({ allow: false, code: 'default-deny' });
  });

  it('R-G2 modules have no owner: a check needs no attribute, and an unknown role is denied', () => {
    expect(checker.can(user('marketing_staff'), 'send', { kind: 'email' })).toMatchObject({ allow: true, code: 'all' });
    expect(checker.can({ id: 'x', role: 'marketing_intern' }, 'send', { kind: 'email' })).toMatchObject({ allow: false, code: 'unknown-role' });
  });
});
