/**
 * A reference interpreter of the policy language, written to be obviously right rather than
 * fast: the oracle the generated checkers are tested against (test/differential.test.ts).
 *
 * It is deliberately independent of the compiler: it reads the plain values `yaml.parse`
 * returns for each policy file (assumed valid per the schema and free of semantic errors) and
 * follows "How a decision is made" in docs/policy-language.md step by step. Policy names are
 * only ever looked up in Maps, so a name like `__proto__` or `constructor` is just a name.
 */
import { ownElements } from '@policyc/runtime';
import { attribute, fieldOf, isObject, policyOf, type Policy } from './read.ts';
import { decideIn, type ReferenceDecision } from './steps.ts';

export type { ReferenceDecision, ReferenceRule } from './steps.ts';

/** Decides `principal` doing `action` on `resource` under the policy whose parsed files are `files`. */
export function decide(files: readonly unknown[], principal: unknown, action: string, resource: unknown, context?: unknown): ReferenceDecision {
  return decideRoles(policyOf(files), principal, action, resource, context);
}

/**
 * Decides as the entry of one kind does (`checker.lead.can`, issue 17): `record` is of kind
 * `kind` whatever it holds (it needs no `kind`), and must be an object.
 */
export function decideKind(files: readonly unknown[], kind: string, principal: unknown, action: string, record: unknown, context?: unknown): ReferenceDecision {
  return decideRoles(policyOf(files), principal, action, record, context, kind);
}

function decideRoles(policy: Policy, principal: unknown, action: string, resource: unknown, context: unknown, kind?: string): ReferenceDecision {
  // Several roles: each decided as a one-role principal; the first that allows decides, else the
  // first role's denial. `roles` that is not a list of 1 to 64 strings is a malformed request.
  const roles = isObject(principal) ? attribute(principal, 'roles') : undefined;
  if (roles === undefined) return decideIn(policy, principal, action, resource, context, kind);
  const names = Array.isArray(roles) ? ownElements(roles) : [];
  if (!Array.isArray(roles) || names.length === 0 || names.length > 64 || names.length !== roles.length || !names.every((r) => typeof r === 'string')) return { allow: false, code: 'invalid-request' };
  // in order, stopping at the first allow: a later role's reads (a getter that throws) do not matter,
  // and a role whose decision throws is denied with `error` while the next role may still allow
  let first: ReferenceDecision | undefined;
  for (const role of names) {
    let decision: ReferenceDecision;
    try {
      decision = decideIn(policy, oneRoleView(policy, principal as object, role), action, resource, context, kind);
    } catch {
      decision = { allow: false, code: 'error' };
    }
    if (decision.allow) return decision;
    first ??= decision;
  }
  return first!;
}

/**
 * The principal as a one-role principal: `role` (or its mapped field) set, `roles` hidden, every
 * other value read from the principal itself when the decision needs it — a value the decision
 * does not need is not read (its getter may throw), as for a principal with one role.
 */
function oneRoleView(policy: Policy, principal: object, role: string): object {
  return Object.create(principal, { [fieldOf(policy, 'role')]: { value: role, enumerable: true }, roles: { value: undefined, enumerable: false } }) as object;
}
