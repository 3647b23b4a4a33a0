/**
 * Field-level security (R-K6, R-Z9; docs/fields.md): syntax, defaults, inheritance, the three
 * runtime functions, and the compile errors of `fields`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSources } from '../compiler/index.ts';
import type { Checker, Principal, Resource } from '../packages/runtime/src/index.ts';
import { compileSources, loadChecker } from './helpers/policy.ts';

const POLICY = `
resources:
  contact:
    actions: [view, edit, delete]
    attributes: { owner: string, name: string, email: string, bankAccount: string, notes: string }
    owner: owner
  invoice:
    actions: [view, edit]
    attributes: { owner: string, total: number, iban: string }
    owner: owner
    fieldDefault: read-only
  report:
    actions: [run]
    attributes: { title: string }
modules:
  inbox:
    permissions: [use]
roles:
  admin:
    administrator: true
  sales_rep:
    grants: { contact: own, invoice: own, report: green }
    fields:
      contact:
        bankAccount: hidden      # R-Z9
        email: read-only
  senior_rep:
    extends: sales_rep
    fields:
      contact: { email: read-write }
  auditor:
    grants: { contact: { view: green, '*': red }, invoice: green }
    fields:
      contact: { '*': read-only, notes: hidden }
      invoice: { iban: hidden, total: read-write }
  both:
    extends: [auditor, sales_rep]
  boss:
    extends: admin
`;

const rep: Principal = { id: 'u1', role: 'sales_rep' };
const mine = { kind: 'contact', owner: 'u1', name: 'Ann', email: 'a@x', bankAccount: 'PL61', notes: 'vip' } as const;
const theirs = { ...mine, owner: 'u2' };

let checker: Checker;
const load = async (): Promise<Checker> => (checker ??= await compileSources({ 'policy.yaml': POLICY }, 'fields'));

describe('checker.fields', () => {
  it('R-Z9 a rep does not see the bank account and may only read the email; other fields are read-write by default', async () => {
    const c = await load();
    expect(c.fields(rep, mine)).toEqual({ owner: 'read-write', name: 'read-write', email: 'read-only', bankAccount: 'hidden', notes: 'read-write' });
  });

  it('R-Z9 every field is hidden on a record the principal may not view', async () => {
    const c = await load();
    expect(Object.values(c.fields(rep, theirs))).toEqual(['hidden', 'hidden', 'hidden', 'hidden', 'hidden']);
  });

  it("R-K6 a role's own entry beats its parent's; '*' covers every other field", async () => {
    const c = await load();
    expect(c.fields({ id: 'u1', role: 'senior_rep' }, mine)).toMatchObject({ email: 'read-write', bankAccount: 'hidden' });
    expect(c.fields({ id: 'u9', role: 'auditor' }, mine)).toEqual({ owner: 'read-only', name: 'read-only', email: 'read-only', bankAccount: 'read-only', notes: 'hidden' });
  });

  it('R-K6 a role extending two roles takes the widest access of either, a parent without a rule counting with the default', async () => {
    const c = await load();
    // auditor: notes hidden, others read-only; sales_rep: bankAccount hidden, email read-only, others read-write (default)
    expect(c.fields({ id: 'u1', role: 'both' }, mine)).toEqual({ owner: 'read-write', name: 'read-write', email: 'read-only', bankAccount: 'read-only', notes: 'read-write' });
  });

  it('R-Z8 administrators, and roles extending one, have every field read-write', async () => {
    const c = await load();
    for (const role of ['admin', 'boss']) expect(Object.values(c.fields({ id: 'x', role }, theirs))).toEqual(Array(5).fill('read-write'));
  });

  it('R-K6 `fieldDefault` of the resource applies to fields no rule mentions', async () => {
    const c = await load();
    const invoice = { kind: 'invoice', owner: 'u1', total: 5, iban: 'DE00' };
    expect(c.fields(rep, invoice)).toEqual({ owner: 'read-only', total: 'read-only', iban: 'read-only' });
    expect(c.fields({ id: 'u9', role: 'auditor' }, invoice)).toEqual({ owner: 'read-only', total: 'read-write', iban: 'hidden' });
  });

  it('R-K6 a kind without a `view` action is masked by the rules alone', async () => {
    const c = await load();
    expect(c.fields(rep, { kind: 'report', title: 't' })).toEqual({ title: 'read-write' });
  });

  it('masks are shared frozen objects without a prototype', async () => {
    const c = await load();
    const a = c.fields(rep, mine);
    expect(a).toBe(c.fields(rep, { ...mine, name: 'Bob' }));
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.getPrototypeOf(a)).toBeNull();
    expect(c.fields({ id: 'u1', role: 'nobody' }, mine)).toBe(c.fields(rep, theirs));
  });

  it('fails closed: malformed requests hide every field, unknown kinds have none, nothing throws', async () => {
    const c = await load();
    const all = Object.values(c.fields(null as never, mine));
    expect(all).toEqual(Array(5).fill('hidden'));
    expect(c.fields(rep, { kind: 'nope' } as never)).toEqual({});
    expect(c.fields(rep, null as never)).toEqual({});
    expect(c.fields(rep, { kind: 'inbox' } as never)).toEqual({});
    const throwing = Object.defineProperty({ kind: 'contact' }, 'owner', { get: () => { throw new Error('boom'); } });
    expect(Object.values(c.fields(rep, throwing as never)).every((a) => a === 'hidden')).toBe(true);
  });
});

describe('checker.redact', () => {
  it('R-Z9 keeps `kind` and the visible fields, drops hidden and undeclared ones, never mutates the input', async () => {
    const c = await load();
    const input = { ...mine, extra: 'secret' };
    const out = c.redact(rep, input as never);
    expect(out).toEqual({ kind: 'contact', owner: 'u1', name: 'Ann', email: 'a@x', notes: 'vip' });
    expect(input.bankAccount).toBe('PL61');
    expect(out).not.toBe(input);
  });

  it('R-Z9 a record the principal may not view keeps only its kind', async () => {
    const c = await load();
    expect(c.redact(rep, theirs)).toEqual({ kind: 'contact' });
    expect(c.redact(rep, { kind: 'nope' } as never)).toEqual({});
  });
});

describe('checker.redact: records that are not plain objects', () => {
  it('R-Z9 copies getters of a class but nothing from Object.prototype, and fails closed on a throwing getter', async () => {
    const c = await load();
    class Contact {
      readonly kind = 'contact';
      readonly owner = 'u1';
      get email(): string {
        return 'a@x';
      }
    }
    expect(c.redact(rep, new Contact() as never)).toEqual({ kind: 'contact', owner: 'u1', email: 'a@x' });
    const throwing = Object.defineProperty({ kind: 'contact', owner: 'u1' }, 'name', { enumerable: true, get: () => { throw new Error('boom'); } });
    expect(c.redact(rep, throwing as never)).toEqual({ kind: 'contact' });
  });
});

describe('checker.canWrite', () => {
  it('R-Z9 allows changing read-write fields with the edit decision', async () => {
    const c = await load();
    const d = c.canWrite(rep, mine, { name: 'Anna', notes: '' });
    expect(d).toBe(c.can(rep, 'edit', mine));
    expect(d.allow).toBe(true);
  });

  it('R-Z9 denies a hidden or read-only field, naming the field and the rule', async () => {
    const c = await load();
    const hidden = c.canWrite(rep, mine, { name: 'x', bankAccount: 'PL00' });
    expect(hidden).toMatchObject({ allow: false, code: 'field-denied', field: { kind: 'field', role: 'sales_rep', field: 'bankAccount', access: 'hidden', file: 'policy.yaml', line: 25 } });
    expect(hidden.reason).toBe('denied: role `sales_rep` has field `bankAccount` of `contact` hidden at policy.yaml:25:22');
    const readOnly = c.canWrite({ id: 'u1', role: 'both' }, mine, { bankAccount: 'PL00' });
    expect(readOnly.reason).toBe('denied: role `both` has field `bankAccount` of `contact` read-only (inherited from `auditor`) at policy.yaml:34:23');
    const byDefault = c.canWrite(rep, { kind: 'invoice', owner: 'u1' }, { total: 1 });
    expect(byDefault.reason).toBe('denied: field `total` of `invoice` is read-only for role `sales_rep`: no field rule mentions it, and `invoice` has `fieldDefault: read-only` at policy.yaml:11:19');
  });

  it('denies when edit is denied, for fields that are not declared, and for malformed changes; never throws', async () => {
    const c = await load();
    expect(c.canWrite(rep, theirs, { name: 'x' })).toBe(c.can(rep, 'edit', theirs));
    expect(c.canWrite(rep, mine, { kind: 'invoice' } as never)).toMatchObject({ allow: false, code: 'field-denied', reason: 'denied: `kind` is not a field of `contact`' });
    expect(c.canWrite(rep, mine, { __proto__: 1 } as never).allow).toBe(true); // a literal __proto__ sets the prototype: no own key
    expect(c.canWrite(rep, mine, JSON.parse('{"__proto__": 1}') as never)).toMatchObject({ allow: false, code: 'field-denied' });
    expect(c.canWrite(rep, mine, null as never)).toMatchObject({ allow: false, code: 'invalid-request' });
    const trap = new Proxy({}, { ownKeys: () => { throw new Error('trap'); } });
    expect(c.canWrite(rep, mine, trap as never)).toMatchObject({ allow: false, code: 'error' });
  });
});

describe('compile errors of `fields`', () => {
  const errors = (roles: string) => {
    const result = checkSources('t', [{ path: 'p.yaml', text: `${POLICY.replace(/^roles:\n[\s\S]*$/m, '')}roles:\n${roles}` }]);
    const text = result.sources.get('p.yaml')!;
    return result.diagnostics.map((d) => `${d.code} ${text.slice(d.start, d.end)}: ${d.message}${d.help ? ` (${d.help})` : ''}`);
  };

  it('R-Z9 unknown resources, unknown fields with a suggestion, modules and access words', () => {
    expect(errors('  r:\n    fields:\n      contatc: { email: hidden }\n')).toEqual(['PC3002 contatc: unknown resource `contatc` (did you mean `contact`?)']);
    expect(errors('  r:\n    fields:\n      contact: { bankAcount: hidden }\n')).toEqual(['PC3008 bankAcount: `contact` has no field `bankAcount` (did you mean `bankAccount`?)']);
    expect(errors('  r:\n    fields:\n      inbox: { use: hidden }\n')).toEqual([
      'PC3022 inbox: `inbox` is a module, and a module has no fields (field permissions apply to the attributes of a resource; grant the module with `grants`)',
    ]);
    expect(errors('  r:\n    fields:\n      contact: { email: readonly }\n').map((e) => e.slice(0, 15))).toEqual(['PC2004 readonly']);
  });
});

describe('docs/fields.md', () => {
  const doc = readFileSync(new URL('../docs/fields.md', import.meta.url), 'utf8');
  const show = (o: object) => `{ ${Object.entries(o).map(([k, v]) => `${k}: '${String(v)}'`).join(', ')} }`;

  it('R-Z9 its policy example compiles and decides as the text says', async () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    const c = await compileSources({ 'policy.yaml': yaml }, 'doc');
    const contact = { kind: 'contact', owner: 'u1', ownerRole: 'sales_rep' };
    expect(c.fields({ id: 'u1', role: 'sales_rep' }, contact)).toMatchObject({ bankAccount: 'hidden', email: 'read-only', group: 'read-write' });
    expect(c.fields({ id: 'u1', role: 'sales_trainee' }, contact)).toMatchObject({ bankAccount: 'hidden', email: 'read-only', group: 'read-only' });
  });

  it('R-Z9 its API example shows what the Zoho example policy really returns', async () => {
    const zoho = await loadChecker(new URL('../policies/zoho-hierarchy/', import.meta.url));
    const rep = { id: 'sr1', role: 'sales_rep' };
    const contact = { kind: 'contact', owner: 'sr1', ownerRole: 'sales_rep', group: 'sales', email: 'ann@example.com', bankAccount: 'PL61 1090 1014' } as const;
    expect(doc).toContain(`const contact = { kind: 'contact', owner: 'sr1', ownerRole: 'sales_rep', group: 'sales', email: 'ann@example.com', bankAccount: 'PL61 1090 1014' };`);
    expect(doc).toContain(`// ${show(zoho.fields(rep, contact))}`);
    expect(doc).toContain(`// ${show(zoho.redact(rep, contact))}`);
    expect(zoho.canWrite(rep, contact, { group: 'north' })).toMatchObject({ allow: true, code: 'own' });
    const d = zoho.canWrite(rep, contact, { bankAccount: 'PL00' });
    expect(doc).toContain(`//   reason: '${d.reason}',`);
    expect(doc).toContain(`file: '${d.field!.file}', line: ${d.field!.line}, column: ${d.field!.column}`);
    expect(doc).toContain(`hidden at ${d.field!.file}:${d.field!.line}:${d.field!.column}\n`);
  });
});

/** Unused parameter types would make the typed API unusable; this only has to compile. */
export function typed(c: Checker<{ contact: { action: 'view' | 'edit'; attributes: { email?: string; bankAccount?: string } } }>, p: Principal): void {
  const mask = c.fields(p, { kind: 'contact', email: 'x' });
  const access: 'hidden' | 'read-only' | 'read-write' = mask.bankAccount;
  // @ts-expect-error not a field of contact
  void mask.phone;
  c.canWrite(p, { kind: 'contact' }, { email: 'y' });
  // @ts-expect-error not a field of contact
  c.canWrite(p, { kind: 'contact' }, { phone: 'y' });
  const shown: { readonly kind: 'contact'; email?: string } = c.redact(p, { kind: 'contact' });
  void access;
  void shown;
  void ({} as Resource);
}
