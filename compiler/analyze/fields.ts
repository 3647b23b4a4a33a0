/**
 * Field-level security (R-K6, R-Z9): checks the `fields` sections of roles and the
 * `fieldDefault` of resources, then resolves every role's field mask for every record
 * resource, with the rule that decides each field (docs/fields.md).
 *
 * Fields are read from the YAML values directly (through the role's and resource's origin),
 * so the declarations shared with grants stay as they are.
 */
import type { DiagnosticBag } from '../diagnostics/diagnostic.ts';
import { tick } from '../diagnostics/diagnostic.ts';
import { didYouMean } from '../diagnostics/suggest.ts';
import { FIELD_ACCESSES, type FieldAccess, type FieldRule, type FieldSecurityModel, type PolicyModel, type RoleModel, type SourceRef } from '../ir/model.ts';
import { spanOf, type Origin, type ResourceSpec, type RoleSpec, type Where } from './declarations.ts';

type Raw = Record<string, unknown>;

const own = (value: unknown, key: string | number): unknown =>
  value !== null && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, key) ? (value as Raw)[key] : undefined;

const entries = (value: unknown): [string, unknown][] =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value as Raw) : [];

/** The YAML value written at `origin` (a role or a resource), read as own properties only. */
function valueAt(origin: Origin): unknown {
  let value: unknown = origin.file.value;
  for (const segment of origin.path) value = own(value, segment);
  return value;
}

/** resource → field (or '*') → access word, as the role writes it. */
function fieldsOf(role: RoleSpec): Map<string, Map<string, FieldAccess>> {
  return new Map(entries(own(valueAt(role.origin), 'fields')).map(([resource, map]) => [resource, new Map(entries(map) as [string, FieldAccess][])]));
}

function fieldDefaultOf(resource: ResourceSpec): FieldAccess | undefined {
  const word = own(valueAt(resource.origin), 'fieldDefault');
  return typeof word === 'string' ? (word as FieldAccess) : undefined;
}

/** Unknown resources and fields, and fields of modules (which have no records). The schema checks the access words. */
export function checkFields(resources: ReadonlyMap<string, ResourceSpec>, roles: ReadonlyMap<string, RoleSpec>, bag: DiagnosticBag): void {
  for (const role of roles.values()) {
    if (role.administrator && own(valueAt(role.origin), 'fields') !== undefined) {
      bag.report('IneffectiveGrant', spanOf(role.origin, ['fields']), `role ${tick(role.name)} is an administrator, so its field rules have no effect`, {
        severity: 'warning',
        help: 'an administrator reads and writes every field; remove `fields`, or remove `administrator: true` to limit the role',
      });
    }
    for (const [name, fields] of fieldsOf(role)) {
      const resource = resources.get(name);
      if (!resource) {
        bag.report('UnknownResource', spanOf(role.origin, ['fields', name]), `unknown resource ${tick(name)}`, {
          help: didYouMean(name, [...resources.values()].filter((r) => r.model.kind === 'record').map((r) => r.model.name)),
        });
        continue;
      }
      if (resource.model.kind === 'module') {
        bag.report('ModuleFields', spanOf(role.origin, ['fields', name]), `${tick(name)} is a module, and a module has no fields`, {
          help: 'field permissions apply to the attributes of a resource; grant the module with `grants`',
        });
        continue;
      }
      const declared = resource.model.attributes.map((a) => a.name);
      for (const field of fields.keys()) {
        if (field === '*' || declared.includes(field)) continue;
        bag.report('UnknownAttribute', spanOf(role.origin, ['fields', name, field]), `${tick(name)} has no field ${tick(field)}`, {
          help: didYouMean(field, declared) ?? (declared.length > 0 ? `its fields are its attributes: ${declared.map(tick).join(', ')}` : `declare it under \`attributes\` of ${tick(name)}`),
        });
      }
    }
  }
}

/** A field's access for a role, with what decided it; `written` when a `fields` entry did. */
interface Resolved {
  readonly access: FieldAccess;
  readonly written: { readonly declaredIn: string; readonly field: string; readonly source: SourceRef } | undefined;
}

/**
 * Every role's mask for every record resource: the role's own entry for the field, else its
 * own '*', else the widest of its profile's and parents' effective access (ties to the first), else
 * the resource's `fieldDefault`, else read-write. A parent without a rule counts with that
 * default, so a role extending two roles sees at least what either sees. Administrators (and
 * roles extending one): read-write. Rules are shared by the fields they decide.
 */
export function fieldSecurity(
  model: Omit<PolicyModel, 'fields'>,
  resources: ReadonlyMap<string, ResourceSpec>,
  roles: ReadonlyMap<string, RoleSpec>,
  where: Where,
  profiles: ReadonlyMap<string, RoleSpec> = new Map(),
): FieldSecurityModel {
  const written = new Map([...profiles.values(), ...roles.values()].map((r) => [r.name, fieldsOf(r)]));
  // a role's parents: its profile (R-Z9: field security per profile), then the roles it extends
  const parentsOf = (role: RoleSpec): RoleSpec[] => [...(role.profile !== undefined ? [profiles.get(role.profile)!] : []), ...role.extends.map((r) => roles.get(r)!)];
  const memo = new Map<string, Resolved>();
  // `parents` given: the role for users carrying another profile (R-Z9), not memoized
  const effective = (role: RoleSpec, resource: string, field: string, fallback: FieldAccess, parents?: readonly RoleSpec[]): Resolved => {
    const memoKey = parents === undefined ? `${role.name}\u0000${resource}\u0000${field}` : '';
    const known = parents === undefined ? memo.get(memoKey) : undefined;
    if (known !== undefined) return known;
    const map = written.get(role.name)?.get(resource);
    const key = map?.has(field) ? field : map?.has('*') ? '*' : undefined;
    let found: Resolved | undefined =
      map !== undefined && key !== undefined
        ? { access: map.get(key)!, written: { declaredIn: role.name, field: key, source: where(spanOf(role.origin, ['fields', resource, key], 'value')) } }
        : undefined;
    if (found === undefined) {
      for (const parent of parents ?? parentsOf(role)) {
        const inherited = effective(parent, resource, field, fallback);
        if (found === undefined || FIELD_ACCESSES.indexOf(inherited.access) > FIELD_ACCESSES.indexOf(found.access)) found = inherited;
      }
    }
    const resolved = found ?? { access: fallback, written: undefined };
    if (parents === undefined) memo.set(memoKey, resolved);
    return resolved;
  };

  const rules: FieldRule[] = [];
  const ruleIds = new Map<string, number>();
  const addRule = (rule: Omit<FieldRule, 'id'>): number => {
    const key = [rule.kind, rule.role, rule.declaredIn, rule.resource, rule.field, rule.access, rule.source.file, rule.source.line, rule.source.column].join('\u0000');
    let id = ruleIds.get(key);
    if (id === undefined) {
      id = rules.length;
      rules.push({ ...rule, id });
      ruleIds.set(key, id);
    }
    return id;
  };

  /** A role's masks; `profile`: for its users carrying that profile instead of the role's own (R-Z9). */
  const masksOf = (roleModel: RoleModel, profile: string | undefined): Map<string, Map<string, number>> => {
    const role = roles.get(roleModel.name)!;
    const parents = profile === undefined ? undefined : [profiles.get(profile)!, ...role.extends.map((r) => roles.get(r)!)];
    const byResource = new Map<string, Map<string, number>>();
    const admin = roleModel.administratorRule === undefined ? undefined : model.rules[roleModel.administratorRule];
    for (const resource of model.resources) {
      const mask = new Map<string, number>();
      if (resource.kind === 'record') {
        const spec = resources.get(resource.name)!;
        const fallback = fieldDefaultOf(spec);
        for (const { name: field } of resource.attributes) {
          if (admin !== undefined) {
            mask.set(field, addRule({ kind: 'administrator', role: role.name, declaredIn: admin.declaredIn, resource: '*', field: '*', access: 'read-write', source: admin.source }));
            continue;
          }
          const found = effective(role, resource.name, field, fallback ?? 'read-write', parents);
          const id =
            found.written !== undefined
              ? addRule({ kind: 'field', role: role.name, resource: resource.name, access: found.access, ...found.written })
              : fallback !== undefined
                ? addRule({ kind: 'resource-default', role: role.name, declaredIn: role.name, resource: resource.name, field: '*', access: fallback, source: where(spanOf(spec.origin, ['fieldDefault'], 'value')) })
                : addRule({ kind: 'default', role: role.name, declaredIn: role.name, resource: resource.name, field: '*', access: 'read-write', source: roleModel.source });
          mask.set(field, id);
        }
      }
      byResource.set(resource.name, mask);
    }
    return byResource;
  };
  const masks = new Map<string, Map<string, Map<string, number>>>();
  const profileMasks = new Map<string, Map<string, Map<string, Map<string, number>>>>();
  for (const roleModel of model.roles) {
    masks.set(roleModel.name, masksOf(roleModel, undefined));
    // every declared profile, the role's own included (its masks are the role's)
    const byProfile = model.profiles.map((p) => [p, p === roleModel.profile ? masks.get(roleModel.name)! : masksOf(roleModel.byProfile.get(p)!, p)] as const);
    profileMasks.set(roleModel.name, new Map(byProfile));
  }
  return { rules, masks, profileMasks };
}
