/**
 * Field-level security at run time (R-K6, R-Z9; docs/fields.md): field masks, redaction and
 * write checks, added to a generated checker by {@link defineFields}.
 *
 * Masks are built once at load time, one frozen object per role × resource (and one all-hidden
 * mask per resource), so `fields` allocates nothing. Like `can`, nothing here throws: a
 * malformed request or a throwing getter hides every field or denies the write.
 */
import { EXHAUSTED, failure } from './failure.js';
import { isObject, own } from './own.js';
import { tick } from './reasons.js';
import { packedNumbers, rowCount, tableRow } from './rules.js';
import type { Context, CoreChecker, Decision, FieldAccess, FieldMask, FieldRuleRef, PolicyData, Principal, Resource } from './types.js';

/**
 * The field data of a generated checker, in terms of the lists of its {@link PolicyData}.
 * `fields[k]`: the declared fields of `resources[k]`. `rules`: one string per field rule,
 * `kind,role,declaredIn,resource,field,access,file,line,column` (kind: field, resource-default,
 * default, administrator; field: an index into `names`; access: hidden, read-only, read-write).
 * `masks[role]`: per resource a `,`-separated list of rule ids in the order of its fields,
 * resources separated by `;`. `subscribers[k]`: the fields of `resources[k]` a subscriber who
 * may not otherwise view a record sees (R-K10), read-only at most.
 */
export interface FieldData {
  readonly fields: readonly (readonly string[])[];
  readonly subscribers: readonly (readonly string[])[];
  readonly names: readonly string[];
  readonly rules: readonly string[] | string;
  readonly masks: readonly string[];
  /**
   * A large policy's field data packed as its rules are (`rules.ts`): `rules` one string, nine
   * fields of `ruleBits` bits; each mask the rule ids of its fields, `maskDigits` base-64
   * characters each, resources one after the other.
   */
  readonly ruleBits?: readonly number[];
  readonly maskDigits?: number;
  /**
   * Profiles a principal may carry (R-Z2, R-Z9), and `profileMasks[role][j]`: the role's masks
   * (as in `masks`) for users carrying `profiles[j]`. Absent: the policy has no profiles.
   */
  readonly profiles?: readonly string[];
  readonly profileMasks?: readonly (readonly string[])[];
}

export interface FieldChecks<S> {
  /** Adds `fields`, `redact` and `canWrite` to a checker made by `planner.checker`. */
  readonly checker: (base: CoreChecker) => S;
}

const RULE_KINDS: readonly FieldRuleRef['kind'][] = ['field', 'resource-default', 'default', 'administrator'];
const ACCESSES: readonly FieldAccess[] = ['hidden', 'read-only', 'read-write'];

/** A frozen object with exactly these own keys, whatever they are called (`__proto__` too), and no prototype. */
function frozenMask(fields: readonly string[], access: (i: number) => FieldAccess): FieldMask {
  const mask: Record<string, FieldAccess> = Object.create(null) as Record<string, FieldAccess>;
  fields.forEach((field, i) => Object.defineProperty(mask, field, { value: access(i), enumerable: true }));
  return Object.freeze(mask);
}

function denial(reason: string, field?: FieldRuleRef): Decision {
  return Object.freeze(field === undefined ? { allow: false, code: 'field-denied' as const, reason, rule: undefined } : { allow: false, code: 'field-denied' as const, reason, rule: undefined, field });
}

const INVALID_CHANGES: Decision = Object.freeze({ allow: false, code: 'invalid-request', reason: 'denied: the changes must be an object of field → new value', rule: undefined });


/** One resource kind for one role: the mask, the rule of each field, and write denials made on first use. */
interface RoleKind {
  readonly mask: FieldMask;
  /** The mask when the principal views the record only as a subscriber (R-K10). */
  readonly subscribed: FieldMask;
  readonly rules: readonly number[];
  /** By field index; a Map, not a sparse array, whose holes would read `Array.prototype`. */
  readonly denials: Map<number, Decision>;
}

interface Kind {
  readonly name: string;
  readonly fields: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  readonly hidden: FieldMask;
  /** Fields a subscriber who may not otherwise view the record sees (R-K10). */
  readonly subscriberFields: ReadonlySet<string>;
}

/** What {@link defineFields} decodes from the field data, once. */
interface Tables {
  readonly refs: readonly FieldRuleRef[];
  readonly kinds: ReadonlyMap<string, Kind>;
  readonly roleKinds: ReadonlyMap<string, ReadonlyMap<string, RoleKind>>;
  /** By role, then by the profile its user carries (R-Z9). */
  readonly profileKinds: ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, RoleKind>>>;
}

const EMPTY: FieldMask = Object.freeze(Object.create(null) as FieldMask);

/**
 * Called once by a generated module with the policy and its field data; a call that finds data
 * that does not fit (a checker compiled by another policyc) fails closed. Takes the policy rather
 * than its `data`: a bundler keeps a call whose argument reads a property, and field security
 * must go when `can` alone is bundled.
 */
/* @__NO_SIDE_EFFECTS__ */
export function defineFields<S>(policy: { readonly data: PolicyData }, fieldData: FieldData): FieldChecks<S> {
  const { data } = policy;
  /**
   * The field rules and masks, decoded on the first `fields`, `redact` or `canWrite`: a checker
   * whose application never asks loads faster (masks are most of a large policy's load time).
   * A row that does not fit throws there, inside the caller's `try`: the call fails closed.
   */
  let built: Tables | undefined;
  const tables = (): Tables => (built ??= build());
  function build(): Tables {
    const name = (list: readonly string[], i: number): string => list[i] ?? '?';
    const refs: FieldRuleRef[] = Array.from({ length: rowCount(fieldData.rules, fieldData.ruleBits, 9) }, (_, id) => {
      const n = tableRow(fieldData.rules, fieldData.ruleBits, 9, id);
      if (n === undefined) throw new RangeError(`policyc: malformed field rule ${id}`);
      const [kind, role, declaredIn, resource, field, access, file, line, column] = n as [number, number, number, number, number, number, number, number, number];
      return Object.freeze({
        id,
        kind: RULE_KINDS[kind] ?? 'field',
        role: name(data.roles, role),
        declaredIn: name(data.roles, declaredIn),
        resource: name(data.resources, resource),
        field: name(fieldData.names, field),
        access: ACCESSES[access] ?? 'hidden',
        file: name(data.files, file),
        line,
        column,
      });
    });
    const kinds = new Map<string, Kind>();
    fieldData.fields.forEach((fields, k) => {
      const kind = data.resources[k];
      if (kind === undefined) throw new RangeError(`policyc: no resource ${k} for field data`);
      const subscriberFields = new Set(fieldData.subscribers[k] ?? []);
      kinds.set(kind, { name: kind, fields, index: new Map(fields.map((f, i) => [f, i])), hidden: frozenMask(fields, () => 'hidden'), subscriberFields });
    });
    const digits = fieldData.maskDigits;
    /** One role's masks for every kind, from its row. */
    const roleKindsOf = (row: string): Map<string, RoleKind> => {
      const byKind = new Map<string, RoleKind>();
      // per resource, the rule of each field: `,`-separated lists between `;`, or packed one after the other
      let at = 0;
      const lists =
        digits === undefined
          ? row.split(';').map((ids) => (ids === '' ? [] : ids.split(',').map(Number)))
          : fieldData.fields.map((fields) => {
              const ids = packedNumbers(row, at, fields.length, digits);
              at += fields.length * digits;
              return ids;
            });
      lists.forEach((rules, k) => {
        const kind = kinds.get(name(data.resources, k));
        if (kind === undefined) return;
        const access = (i: number): FieldAccess => refs[rules[i] ?? -1]?.access ?? 'hidden';
        const subscribed = frozenMask(kind.fields, (i) => (kind.subscriberFields.has(kind.fields[i]!) && access(i) !== 'hidden' ? 'read-only' : 'hidden'));
        byKind.set(kind.name, { mask: frozenMask(kind.fields, access), subscribed, rules, denials: new Map() });
      });
      return byKind;
    };
    const roleKinds = new Map<string, Map<string, RoleKind>>();
    fieldData.masks.forEach((row, r) => roleKinds.set(name(data.roles, r), roleKindsOf(row)));
    /** By role, then by the profile its user carries. */
    const profileKinds = new Map<string, Map<string, Map<string, RoleKind>>>();
    (fieldData.profileMasks ?? []).forEach((rows, r) => {
      profileKinds.set(name(data.roles, r), new Map(rows.map((row, j) => [name(fieldData.profiles ?? [], j), roleKindsOf(row)])));
    });
    return { refs, kinds, roleKinds, profileKinds };
  }

  function writeDenial(entry: RoleKind, kind: Kind, i: number): Decision {
    const made = entry.denials.get(i);
    if (made !== undefined) return made;
    const field = kind.fields[i]!;
    const rule = tables().refs[entry.rules[i] ?? -1];
    const at = rule === undefined ? '' : ` at ${rule.file}:${rule.line}:${rule.column}`;
    const inherited = rule === undefined || rule.declaredIn === rule.role ? '' : ` (inherited from ${tick(rule.declaredIn)})`;
    const access = rule?.access ?? 'hidden';
    const reason =
      rule?.kind === 'resource-default'
        ? `denied: field ${tick(field)} of ${tick(kind.name)} is ${access} for role ${tick(rule.role)}: no field rule mentions it, and ${tick(kind.name)} has \`fieldDefault: ${access}\`${at}`
        : `denied: role ${tick(rule?.role ?? '?')} has field ${tick(field)} of ${tick(kind.name)} ${access}${inherited}${at}`;
    const decision = denial(reason, rule);
    entry.denials.set(i, decision);
    return decision;
  }

  return {
    checker(base: CoreChecker): S {
      const can = base.can.bind(base) as (p: Principal, action: string, r: Resource, c?: Context) => Decision;
      /** The role's entry for the record's kind, or the reason there is none (request data read by the own-data rule). */
      // `decided`: the decision `can` made; with several `roles`, the mask is that of the role that decided
      const lookup = (principal: Principal, resource: Resource, decided?: Decision): { kind: Kind | undefined; entry: RoleKind | undefined } => {
        const kindName = isObject(resource) ? own(resource, 'kind') : undefined;
        if (typeof kindName !== 'string') return { kind: undefined, entry: undefined };
        const { kinds, roleKinds, profileKinds } = tables();
        const kind = kinds.get(kindName);
        const several = isObject(principal) && own(principal, 'roles') !== undefined && decided?.rule !== undefined && decided.rule.role !== '*';
        const role = isObject(principal) && typeof own(principal, data.principal?.id ?? 'id') === 'string' ? (several ? decided!.rule!.role : own(principal, data.principal?.role ?? 'role')) : undefined;
        if (kind === undefined || typeof role !== 'string') return { kind, entry: undefined };
        // the profile the principal carries decides its fields (R-Z9); one the policy lacks hides them all
        const profile = own(principal, 'profile');
        if (profile === undefined) return { kind, entry: roleKinds.get(role)?.get(kind.name) };
        return { kind, entry: typeof profile === 'string' ? profileKinds.get(role)?.get(profile)?.get(kind.name) : undefined };
      };
      const fields = (principal: Principal, resource: Resource, context?: Context): FieldMask => {
        try {
          const view = can(principal, 'view', resource, context);
          const { kind, entry } = lookup(principal, resource, view);
          if (kind === undefined) return EMPTY;
          if (entry === undefined) return kind.hidden;
          // a kind without a `view` action: the mask alone decides
          if (!view.allow && view.code !== 'unknown-action') return kind.hidden;
          return view.code === 'subscriber' ? entry.subscribed : entry.mask;
        } catch {
          return EMPTY;
        }
      };
      return Object.freeze({
        ...base,
        fields,
        redact(principal: Principal, resource: Resource, context?: Context): Record<string, unknown> {
          const out: Record<string, unknown> = {};
          let shown: string | undefined;
          try {
            const { kind } = lookup(principal, resource);
            if (kind === undefined) return out;
            shown = kind.name;
            Object.defineProperty(out, 'kind', { value: kind.name, enumerable: true, writable: true, configurable: true });
            const mask = fields(principal, resource, context);
            for (const field of kind.fields) {
              if (mask[field] === 'hidden' || mask[field] === undefined) continue;
              // own properties and getters of the record's class, never a built-in prototype's
              const value = own(resource, field);
              if (value !== undefined) Object.defineProperty(out, field, { value, enumerable: true, writable: true, configurable: true });
            }
            return out;
          } catch {
            return shown === undefined ? {} : { kind: shown };
          }
        },
        canWrite(principal: Principal, resource: Resource, changes: Record<string, unknown>, context?: Context): Decision {
          const edit = can(principal, 'edit', resource, context);
          if (!edit.allow) return edit;
          try {
            if (!isObject(changes) || Array.isArray(changes)) return INVALID_CHANGES;
            const { kind, entry } = lookup(principal, resource, edit);
            if (kind === undefined || entry === undefined) return INVALID_CHANGES;
            for (const key of Object.keys(changes)) {
              const i = kind.index.get(key);
              if (i === undefined) return denial(`denied: ${tick(key.replace(/[\r\n\u2028\u2029]/g, ' ').slice(0, 200))} is not a field of ${tick(kind.name)}`);
              if (entry.mask[key] !== 'read-write') return writeDenial(entry, kind, i);
            }
            return edit;
          } catch (error) {
            try {
              return failure(error);
            } catch {
              return EXHAUSTED;
            }
          }
        },
      }) as S;
    },
  };
}
