// An application's view of a generated checker: the types catch a wrong kind or action.
// Type-checked by test/golden.test.ts together with the golden checkers.
import { checker } from './compile/basic-colours/expected/checker.ts';

const rep = { id: 'u1', role: 'sales', groups: ['north'] };
export const ok: boolean = checker.can(rep, 'view', { kind: 'lead', responsible: 'u1', team: 'north', amount: 5 }).allow;
export const module: boolean = checker.can(rep, 'publish', { kind: 'social' }).allow;

// @ts-expect-error `archive` is not an action of `lead`
checker.can(rep, 'archive', { kind: 'lead' });
// @ts-expect-error `amount` is a number
checker.can(rep, 'view', { kind: 'lead', amount: 'five' });
// @ts-expect-error `invoice` is not a resource kind of this policy
checker.can(rep, 'view', { kind: 'invoice' });

// Field-level security (R-K6, R-Z9): field names and types come from the policy.
import { checker as fields } from './compile/fields/expected/checker.ts';

const seller = { id: 'u1', role: 'rep' };
const contact = { kind: 'contact', owner: 'u1', email: 'a@example.com' } as const;
export const bankAccount: 'hidden' | 'read-only' | 'read-write' = fields.fields(seller, contact).bankAccount;
export const shown: string | undefined = fields.redact(seller, contact).email;
export const write: boolean = fields.canWrite(seller, contact, { email: 'b@example.com' }).allow;
// @ts-expect-error `phone` is not a field of `contact`
void fields.fields(seller, contact).phone;
// @ts-expect-error `iban` is a field of `invoice`, not of `contact`
fields.canWrite(seller, contact, { iban: 'DE00' });
// @ts-expect-error `email` is a string
fields.canWrite(seller, contact, { email: 5 });

// The policy's names as literal unions (Role, Kind, ActionOf<K>) from the declarations of the bundle.
import type { ActionOf, Kind, Role } from './compile/basic-colours/expected/checker.d.ts';

export const role: Role = 'senior_sales';
export const kind: Kind = 'social';
export const publish: ActionOf<'social'> = 'publish';
// @ts-expect-error `manager` is not a role of this policy
export const noRole: Role = 'manager';
// @ts-expect-error `publish` is an action of `social`, not of `lead`
export const noAction: ActionOf<'lead'> = 'publish';

// Bring your own objects (issue 17): the application's own user and lead types, no `kind`.
import { checker as crm } from './compile/own-objects/expected/checker.ts';

interface User { readonly userId: string; readonly role: string; readonly groupIds: readonly string[]; readonly approvalLimit: number }
interface Lead { readonly id: string; readonly ownerId: string; readonly groupId: string; readonly stage: string; readonly amount: number }
const user: User = { userId: 'u1', role: 'rep', groupIds: ['north'], approvalLimit: 1000 };
const lead: Lead = { id: 'l1', ownerId: 'u1', groupId: 'north', stage: 'new', amount: 500 };
export const edit: boolean = crm.lead.can(user, 'edit', lead).allow;
export const run: boolean = crm.kinds.report.can(user, 'run', {}).allow;
export const generic: boolean = crm.can(user, 'view', { kind: 'lead', ...lead }).allow;
// @ts-expect-error `run` is an action of `report`, not of `lead`
crm.lead.can(user, 'run', lead);
// @ts-expect-error the principal's id lives in `userId` for this policy
crm.lead.can({ id: 'u1', role: 'rep' }, 'view', lead);
// @ts-expect-error `amount` is a number
crm.lead.can(user, 'view', { amount: 'five' });
