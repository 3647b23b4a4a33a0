/**
 * Field-level security in the generated module (R-K6, R-Z9): the field rules and every
 * role × resource mask as data for `defineFields` of the runtime (runtime/fields.ts), which
 * builds the frozen masks once at load time. Names reach the code only through `lit`.
 */
import { checkerType } from './types.ts';
import type { FieldRule, PolicyModel } from '../ir/model.ts';
import type { IdentifierPool } from './literal.ts';
import { lit } from './literal.ts';
import { packedDigits, packedNumber, packRules, type PackedLiterals } from './packed-rules.ts';

/** Column orders of a generated field rule row; the runtime reads the same orders. */
const FIELD_RULE_KINDS: readonly FieldRule['kind'][] = ['field', 'resource-default', 'default', 'administrator'];
const ACCESS_CODES: readonly FieldRule['access'][] = ['hidden', 'read-only', 'read-write'];

/** The `defineFields` statement; `name` is the constant it declares, whose `.checker(…)` completes the checker. */
export function fieldSecurityData(model: PolicyModel, names: IdentifierPool, roleNames: readonly string[], packed?: PackedLiterals): { name: string; statement: string } {
  const name = names.take('fieldSecurity');
  const roleIndex = new Map(roleNames.map((r, i) => [r, i]));
  const resourceIndex = new Map([...model.resources.map((r) => r.name), '*'].map((r, i) => [r, i]));
  const fieldNames = [...new Set([...model.resources.flatMap((r) => r.attributes.map((a) => a.name)), '*'])];
  const fieldIndex = new Map(fieldNames.map((f, i) => [f, i]));
  const fileIndex = new Map(model.files.map((f, i) => [f, i]));
  const list = (items: readonly string[]): string => `[${items.map(lit).join(', ')}]`;
  const rows = model.fields.rules.map((rule) => {
    const row = [
      FIELD_RULE_KINDS.indexOf(rule.kind),
      roleIndex.get(rule.role),
      roleIndex.get(rule.declaredIn),
      resourceIndex.get(rule.resource),
      fieldIndex.get(rule.field),
      ACCESS_CODES.indexOf(rule.access),
      fileIndex.get(rule.source.file),
      rule.source.line,
      rule.source.column,
    ];
    if (row.some((n) => n === undefined || n === -1)) throw new Error(`policyc internal error: field rule ${rule.id} does not fit the policy's lists`);
    return row as number[];
  });
  const idsOf = (role: string, byResource: ReadonlyMap<string, ReadonlyMap<string, number>> | undefined): number[][] => {
    const ids = model.resources.map((resource) => resource.attributes.map((a) => byResource?.get(resource.name)?.get(a.name) ?? -1));
    if (ids.some((list) => list.includes(-1))) throw new Error(`policyc internal error: no field mask for ${role}`);
    return ids;
  };
  const masks = model.roles.map((role) => idsOf(role.name, model.fields.masks.get(role.name)));
  // R-Z9: per role, its masks for each profile a user may carry
  const profileMasks = model.roles.map((role) => model.profiles.map((p) => idsOf(role.name, model.fields.profileMasks.get(role.name)?.get(p))));
  // a large policy's field data packed as its rules are (packages/runtime/src/rules.ts)
  const packedRules = packed === undefined ? undefined : packRules(rows);
  const digits = packedDigits(rows.length);
  const mask = (ids: number[][]): string =>
    packedRules === undefined ? lit(ids.map((list) => list.join(',')).join(';')) : packed!.literal(ids.flat().map((id) => packedNumber(id, digits)).join(''));
  const statement = [
    '/** Field-level security (R-K6, R-Z9): which fields of a record each role sees and may change. */',
    `const ${name} = /* @__PURE__ */ defineFields<${checkerType(model)}>(policy, {`,
    `  fields: [${model.resources.map((r) => list(r.attributes.map((a) => a.name))).join(', ')}],`,
    `  subscribers: [${model.resources.map((r) => list(r.subscribers?.fields ?? [])).join(', ')}],`,
    `  names: ${list(fieldNames)},`,
    ...(packedRules === undefined
      ? [
          '  // one field rule per line: kind, role, declaredIn, resource, field, access, file, line, column',
          '  rules: [',
          ...rows.map((row) => `    "${row.join(',')}",`),
          '  ],',
          "  // per role: per resource (`;`), the rule of each field (`,`)",
        ]
      : [
          `  // ${rows.length} field rules packed: kind, role, declaredIn, resource, field, access, file, line, column`,
          `  ruleBits: [${packedRules.bits.join(', ')}],`,
          `  rules: ${packed!.literal(packedRules.text)},`,
          `  // per role: the rule of each field of each resource, ${digits} base-64 character${digits === 1 ? '' : 's'} each`,
          `  maskDigits: ${digits},`,
        ]),
    '  masks: [',
    ...masks.map((ids) => `    ${mask(ids)},`),
    '  ],',
    ...(model.profiles.length === 0
      ? []
      : [`  profiles: ${list(model.profiles)},`, '  // per role: its masks for users carrying each profile', '  profileMasks: [', ...profileMasks.map((rows) => `    [${rows.map(mask).join(', ')}],`), '  ],']),
    '});',
  ].join('\n');
  return { name, statement };
}
