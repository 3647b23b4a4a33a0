/**
 * `policyc explain` for one field (R-K6, R-Z9): the steps that give a principal its access to a
 * field of a record, each with the rule it consults (docs/fields.md). The decision to `view` the
 * record comes from the compiled checker; the rest is read from the policy model.
 */
import type { FieldAccess, FieldRule, PolicyModel } from '../ir/model.ts';
import type { TraceStep } from './trace.ts';

export interface FieldTrace {
  readonly steps: readonly TraceStep[];
  /** The access the steps end in, or undefined when the record's kind has no such field. */
  readonly access: FieldAccess | undefined;
}

/** The `view` decision of the compiled checker, as much of it as the trace shows. */
export interface ViewDecision {
  readonly allow: boolean;
  readonly code: string;
  readonly rule?: { readonly file: string; readonly line: number; readonly column: number } | undefined;
}

const at = (s: { readonly file: string; readonly line: number; readonly column: number }): string => `${s.file}:${s.line}:${s.column}`;

export function traceField(model: PolicyModel, principal: unknown, resource: unknown, field: string, view: ViewDecision | undefined): FieldTrace {
  const steps: TraceStep[] = [];
  const step = (test: string, outcome: string, where?: string): void => void steps.push({ test, outcome, at: where });
  const kindName = (resource as { kind?: unknown } | null)?.kind;
  const kind = model.resources.find((r) => r.name === kindName && r.kind === 'record');
  if (!kind) {
    step(`resource kind ${JSON.stringify(kindName)} is a resource with fields`, 'no');
    return { steps, access: undefined };
  }
  const declared = kind.attributes.some((a) => a.name === field);
  step(`\`${kind.name}\` declares field \`${field}\``, declared ? 'yes' : `no; its fields are ${kind.attributes.map((a) => a.name).join(', ') || 'none'}`);
  if (!declared) return { steps, access: undefined };
  const p = principal as { id?: unknown; role?: unknown } | null;
  if (typeof p !== 'object' || p === null || typeof p.id !== 'string' || typeof p.role !== 'string') {
    step('the principal has a string `id` and `role`', 'no: every field is hidden');
    return { steps, access: 'hidden' };
  }
  const id = model.fields.masks.get(p.role)?.get(kind.name)?.get(field);
  const rule: FieldRule | undefined = id === undefined ? undefined : model.fields.rules[id];
  if (!rule) {
    step(`role ${JSON.stringify(p.role)} is defined`, 'no: every field is hidden');
    return { steps, access: 'hidden' };
  }
  if (view !== undefined) {
    step('the principal may `view` the record', view.allow ? `yes (${view.code})` : `no (${view.code}): every field is hidden`, view.rule && at(view.rule));
    if (!view.allow) return { steps, access: 'hidden' };
  }
  const via = rule.declaredIn === rule.role ? '' : `, inherited from \`${rule.declaredIn}\``;
  switch (rule.kind) {
    case 'administrator':
      step(`role \`${rule.role}\` is an administrator`, `yes${via}: every field is read-write`, at(rule.source));
      break;
    case 'field':
      step(`field rule of \`${rule.role}\` for \`${kind.name}.${field}\``, `${rule.access}${rule.field === '*' ? " (by '*')" : ''}${via}`, at(rule.source));
      break;
    case 'resource-default':
      step(`field rule of \`${rule.role}\` for \`${kind.name}.${field}\``, `none written, nor inherited: \`fieldDefault\` of \`${kind.name}\` is ${rule.access}`, at(rule.source));
      break;
    case 'default':
      step(`field rule of \`${rule.role}\` for \`${kind.name}.${field}\``, 'none written, nor inherited: read-write by default', at(rule.source));
      break;
  }
  return { steps, access: rule.access };
}
