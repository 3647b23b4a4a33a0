/**
 * `policyc diff` for field-level security (R-K6, R-Z9): every role × resource × field whose
 * access changed — directly, through `extends`, or through a resource's `fieldDefault` — traced
 * to the field rule that decides it after the change. Only roles and fields present before and
 * after are compared: an added or removed role already shows in its cells, and a field that
 * appears or disappears is a change of the resource, not of anyone's access to it.
 */
import { FIELD_ACCESSES, type FieldAccess, type FieldRule, type PolicyModel } from '../ir/model.ts';

export interface FieldChange {
  readonly kind: 'field';
  readonly role: string;
  readonly resource: string;
  readonly field: string;
  readonly before: FieldAccess;
  readonly after: FieldAccess;
  readonly direction: 'widen' | 'narrow';
  /** The field rule that decides the field after the change (or why there is none). */
  readonly cause: string;
}

const at = (rule: FieldRule): string => `${rule.source.file}:${rule.source.line}:${rule.source.column}`;

/** A role or field that does not exist shows nothing: hidden. */
function accessOf(model: PolicyModel, role: string, resource: string, field: string): { access: FieldAccess; rule: FieldRule | undefined } {
  const id = model.fields.masks.get(role)?.get(resource)?.get(field);
  const rule = id === undefined ? undefined : model.fields.rules[id];
  return rule === undefined ? { access: 'hidden', rule: undefined } : { access: rule.access, rule };
}

export function describeFieldRule(rule: FieldRule | undefined, role: string): string {
  if (!rule) return 'no field rule';
  const resource = rule.resource;
  const via = rule.declaredIn === role ? '' : `, inherited from \`${rule.declaredIn}\``;
  switch (rule.kind) {
    case 'field':
      return `${rule.access} at ${at(rule)}${via}`;
    case 'resource-default':
      return `no field rule: \`fieldDefault: ${rule.access}\` of \`${resource}\` at ${at(rule)}`;
    case 'default':
      return `no field rule: read-write by default (role at ${at(rule)})`;
    case 'administrator':
      return `administrator${via} (${at(rule)})`;
  }
}

export function fieldChanges(before: PolicyModel, after: PolicyModel): FieldChange[] {
  const changes: FieldChange[] = [];
  const roles = before.roles.map((r) => r.name).filter((name) => after.roles.some((r) => r.name === name)).sort();
  const resources = before.resources
    .filter((r) => r.kind === 'record')
    .map((r) => {
      const now = after.resources.find((a) => a.name === r.name);
      return { resource: r.name, names: r.attributes.map((a) => a.name).filter((f) => now?.attributes.some((a) => a.name === f) === true) };
    })
    .sort((x, y) => (x.resource < y.resource ? -1 : x.resource > y.resource ? 1 : 0));
  for (const role of roles) {
    for (const { resource, names } of resources) {
      for (const field of names) {
        const was = accessOf(before, role, resource, field);
        const now = accessOf(after, role, resource, field);
        if (was.access === now.access) continue;
        changes.push({
          kind: 'field',
          role,
          resource,
          field,
          before: was.access,
          after: now.access,
          direction: FIELD_ACCESSES.indexOf(now.access) > FIELD_ACCESSES.indexOf(was.access) ? 'widen' : 'narrow',
          cause: describeFieldRule(now.rule, role),
        });
      }
    }
  }
  return changes;
}
