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
