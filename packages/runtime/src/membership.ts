/**
 * Which organisation a user-management guard acts in (R-Z13, fail closed). A user may belong to
 * several organisations with a different role in each, so a guard asked about members who name
 * their organisations must know which one the request is about: `state.organisation` names it,
 * and every member must belong to it. Members who name no organisation are the single-organisation
 * case the guards always had. Read by the own-data rule: a polluted `Object.prototype.organisation`
 * makes nobody a member of anything.
 */
import { isObject, own, ownElements } from './own.js';

/** Why a request cannot be placed in one organisation, as a guard's code and reason. */
export interface MembershipProblem {
  readonly code: 'other-organisation' | 'unknown-organisation' | 'invalid-request';
  readonly reason: string;
}

const tick = (s: string): string => '`' + s + '`';

/**
 * The organisations a member may act in: its `organisation` (the one it acts in, as for `can`),
 * which must then be one of its `organisations` if it lists them; else its `organisations`; `[]`
 * when it names none; `undefined` when either is of the wrong type (not a non-empty string; not a
 * list of them, holes included) or they disagree.
 */
function organisationsOf(member: object): readonly string[] | undefined {
  const one = own(member, 'organisation');
  const many = own(member, 'organisations');
  if (one !== undefined && (typeof one !== 'string' || one === '')) return undefined;
  if (many === undefined) return one === undefined ? [] : [one];
  if (!Array.isArray(many)) return undefined;
  const elements = ownElements(many);
  if (elements.length !== many.length || !elements.every((o) => typeof o === 'string' && o !== '')) return undefined;
  if (one === undefined) return elements as string[];
  return elements.includes(one) ? [one] : undefined;
}

/**
 * `undefined` when the guard may go on: every member belongs to the organisation the request
 * names (`state.organisation`), or, when it names none, the members name none either or share
 * exactly one. Otherwise the problem, never an allowance.
 */
export function membershipProblem(members: readonly { readonly id: string }[], state: unknown): MembershipProblem | undefined {
  const named = isObject(state) ? own(state, 'organisation') : undefined;
  if (named !== undefined && (typeof named !== 'string' || named === '')) {
    return { code: 'invalid-request', reason: 'denied: `state.organisation` must be the id of the organisation the request is about, a non-empty string' };
  }
  const lists: (readonly string[])[] = [];
  for (const member of members) {
    const list = organisationsOf(member);
    if (list === undefined) return { code: 'invalid-request', reason: `denied: member ${tick(member.id)} has an \`organisation\` that is not a string or not one of its \`organisations\`, or \`organisations\` that is not a list of strings` };
    lists.push(list);
  }
  if (named !== undefined) {
    const outsider = members.find((_, i) => !lists[i]!.includes(named));
    if (outsider === undefined) return undefined;
    return lists[members.indexOf(outsider)]!.length === 0
      ? { code: 'unknown-organisation', reason: `denied: member ${tick(outsider.id)} names no organisation, so it cannot be placed in ${tick(named)} (R-Z13)` }
      : { code: 'other-organisation', reason: `denied: member ${tick(outsider.id)} does not belong to organisation ${tick(named)} (R-Z13)` };
  }
  if (lists.every((l) => l.length === 0)) return undefined;
  // members name organisations, the request does not: only one they all share leaves no doubt
  const shared = lists.reduce((a, b) => a.filter((o) => b.includes(o)));
  if (new Set(shared).size === 1) return undefined;
  return shared.length === 0
    ? { code: 'other-organisation', reason: `denied: the members ${members.map((m) => tick(m.id)).join(', ')} share no organisation (R-Z13)` }
    : { code: 'unknown-organisation', reason: `denied: the members share several organisations (${[...new Set(shared)].map(tick).join(', ')}); name the one being managed in \`state.organisation\` (R-Z13)` };
}
