/**
 * One AuthZEN evaluation decided by the compiled checker: the subject is resolved in the user
 * directory and completed by its request `properties`, the resource is read from its record
 * source (when one holds its kind) and completed likewise, action properties and the request
 * context become the check's context. Unknown subjects and records are denied, never guessed.
 */
import type { Context, Decision, Principal, Resource } from '@policyc/runtime';
import type { PropertiesMode } from './config.ts';
import type { PolicySet } from './policy-set.ts';
import type { Evaluation, Properties } from './request.ts';
import { canAny } from '@policyc/runtime';

/** What the server answers and logs for one evaluation. */
export interface Outcome {
  readonly allow: boolean;
  readonly code: string;
  readonly reason: string;
  /** `file:line:column` of the deciding rule. */
  readonly rule: string | undefined;
  readonly role: string | undefined;
}

/** The members of a principal and a record that request properties never replace. */
const FIXED_PRINCIPAL = new Set(['id', 'kind', 'organisations']);
const FIXED_RESOURCE = new Set(['id', 'kind']);

export function outcomeOf(decision: Decision): Outcome {
  const rule = decision.rule;
  return {
    allow: decision.allow,
    code: decision.code,
    reason: decision.reason,
    rule: rule === undefined ? undefined : `${rule.file}:${rule.line}:${rule.column}`,
    role: rule === undefined || rule.role === '*' ? undefined : rule.role,
  };
}

const denied = (code: string, reason: string): Outcome => ({ allow: false, code, reason: `denied: ${reason}`, rule: undefined, role: undefined });

/** The AuthZEN decision object: `decision`, and a `context` explaining it. */
export function decisionBody(outcome: Outcome): { decision: boolean; context: Record<string, string> } {
  const context: Record<string, string> = { code: outcome.code, reason: outcome.reason };
  if (outcome.rule !== undefined) context.rule = outcome.rule;
  if (outcome.role !== undefined) context.role = outcome.role;
  return { decision: outcome.allow, context };
}

/**
 * The principal of a subject: the directory's, completed by the request's properties;
 * `undefined` when unknown, `null` when the request names an organisation the user is not in.
 */
export async function principalOf(set: PolicySet, subject: { type: string; id: string; properties: Properties | undefined }): Promise<Principal | undefined | null> {
  const stored = await set.subjects.principal(subject.type, subject.id);
  if (stored === undefined) return undefined;
  if (subject.properties === undefined || set.config.subjectProperties === 'ignore') return stored; // the directory's frozen principal: no copy
  const principal = withProperties(stored, subject.properties, set.config.subjectProperties, FIXED_PRINCIPAL, true);
  const member = stored.organisations;
  if (Array.isArray(member) && principal.organisation !== undefined && !member.includes(principal.organisation)) return null;
  return principal as Principal;
}

/** The record a check reads: `kind`, `id`, the stored attributes and the request's properties; `undefined` when unknown. */
export async function resourceOf(set: PolicySet, resource: { type: string; id: string; properties: Properties | undefined }): Promise<Resource | undefined> {
  let stored: Readonly<Record<string, unknown>> = {};
  if (set.records.has(resource.type)) {
    const found = await set.records.get(resource.type, resource.id);
    if (found === undefined) return undefined;
    stored = found;
  }
  const merged = withProperties(stored, resource.properties, set.config.resourceProperties, FIXED_RESOURCE, false);
  define(merged, 'kind', resource.type);
  define(merged, 'id', resource.id);
  return merged as Resource;
}

/** The check's context: the request context, then the action's properties (they describe this action), and the server's clock as `now`. */
export function contextOf(requestContext: Properties | undefined, actionProperties: Properties | undefined, now: Date): Context {
  const context: Record<string, unknown> = {};
  for (const source of [requestContext, actionProperties]) if (source !== undefined) for (const key of Object.keys(source)) define(context, key, source[key]);
  define(context, 'now', now);
  return context as Context;
}

export async function decide(set: PolicySet, e: Evaluation, now: Date): Promise<Outcome> {
  const principal = await principalOf(set, { type: e.subject.type, id: e.subject.id!, properties: e.subject.properties });
  if (principal === undefined) return denied('unknown-subject', `no subject \`${e.subject.type}:${e.subject.id}\` in the directory`);
  if (principal === null) return denied('other-organisation', `subject \`${e.subject.type}:${e.subject.id}\` is not a member of the organisation the request names`);
  const resource = await resourceOf(set, { type: e.resource.type, id: e.resource.id!, properties: e.resource.properties });
  if (resource === undefined) return denied('unknown-resource', `no record \`${e.resource.type}:${e.resource.id}\``);
  return outcomeOf(canAny(set.checker, principal, e.action.name, resource, contextOf(e.context, e.action.properties, now)));
}

/**
 * `stored` completed by `properties` as `mode` says; members in `fixed` are never replaced.
 * For a principal, a `role` from the request replaces the stored `roles`, and `roles` sets `role`.
 */
/** In `fill` mode a stored value wins; a principal's `role` and `roles` are one value. */
function stores(result: Record<string, unknown>, key: string, principal: boolean): boolean {
  if (principal && (key === 'role' || key === 'roles')) return Object.hasOwn(result, 'role') || Object.hasOwn(result, 'roles');
  return Object.hasOwn(result, key);
}

function withProperties(stored: object, properties: Properties | undefined, mode: PropertiesMode, fixed: ReadonlySet<string>, principal: boolean): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(stored)) define(result, key, (stored as Record<string, unknown>)[key]);
  if (properties === undefined || mode === 'ignore') return result;
  for (const key of Object.keys(properties)) {
    if (fixed.has(key) || (mode === 'fill' && stores(result, key, principal))) continue;
    define(result, key, properties[key]);
    if (principal && key === 'role' && !Object.hasOwn(properties, 'roles')) delete result.roles;
    if (principal && key === 'roles' && Array.isArray(properties.roles)) define(result, 'role', properties.roles[0]);
  }
  return result;
}

/** An own property even for the key `__proto__` (assigning it would replace the prototype). */
export function define(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}
