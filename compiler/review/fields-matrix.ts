/**
 * `policyc matrix` for field-level security (R-K6, R-Z9): per resource with any field that is
 * not read-write for some role, a role × field table of access (docs/fields.md).
 */
import type { FieldAccess, PolicyModel, ResourceModel } from '../ir/model.ts';

const SIGN: Readonly<Record<FieldAccess, string>> = { hidden: '🚫 hidden', 'read-only': '👁️ read-only', 'read-write': '✏️ read-write' };

/** Markdown lines for the fields of `resource`, or none when every role reads and writes every field. */
export function fieldMatrixMarkdown(model: PolicyModel, resource: ResourceModel, md: (s: string) => string): string[] {
  if (resource.kind !== 'record' || resource.attributes.length === 0) return [];
  const accessOf = (role: string, field: string): FieldAccess => {
    const id = model.fields.masks.get(role)?.get(resource.name)?.get(field);
    return (id === undefined ? undefined : model.fields.rules[id]?.access) ?? 'hidden';
  };
  const fields = resource.attributes.map((a) => a.name);
  if (model.roles.every((role) => fields.every((f) => accessOf(role.name, f) === 'read-write'))) return [];
  return [
    `### fields of ${md(resource.name)}`,
    '',
    `| role | ${fields.map(md).join(' | ')} |`,
    `|---|${fields.map(() => ':---:').join('|')}|`,
    ...model.roles.map((role) => `| ${md(role.name)} | ${fields.map((f) => SIGN[accessOf(role.name, f)]).join(' | ')} |`),
    '',
  ];
}
