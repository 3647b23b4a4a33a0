import type { DiagnosticBag, Span } from '../diagnostics/diagnostic.ts';
import { tick } from '../diagnostics/diagnostic.ts';
import { spanAt, type PathSegment, type PolicyFile } from '../load/load.ts';
import type { AttributeModel, AttributeType, ResourceModel, SourceRef } from '../ir/model.ts';

/** Where something is written: its file and YAML path, so any part of it can be pointed at. */
export interface Origin {
  readonly file: PolicyFile;
  readonly path: readonly PathSegment[];
}

export function spanOf(origin: Origin, more: readonly PathSegment[] = [], part: 'key' | 'value' = 'key'): Span {
  return spanAt(origin.file, [...origin.path, ...more], part);
}

/** What a role says, as written (validated by the schema). */
export interface RoleSpec {
  readonly name: string;
  readonly origin: Origin;
  readonly description: string | undefined;
  readonly administrator: boolean;
  readonly extends: readonly string[];
  /** `extends` written as a single string rather than a list (changes the YAML path of entries). */
  readonly extendsIsList: boolean;
  readonly reportsTo: string | undefined;
  readonly sharesWithPeers: boolean;
  /** The top of the hierarchy: roles without `reportsTo` report to it (R-Z12). */
  readonly top: boolean;
  /** The profile whose grants the role starts from (R-Z2); for a profile itself, undefined. */
  readonly profile: string | undefined;
  /** resource name → the grant as written: a level word, a list of actions, or action → level word. */
  readonly grants: ReadonlyMap<string, string | readonly string[] | ReadonlyMap<string, string>>;
  /** resource → action (or '*') → the condition of a conditional grant (`{ level, when, duringShift }`). */
  readonly conditions: ReadonlyMap<string, ReadonlyMap<string, { readonly when: string | undefined; readonly duringShift: boolean }>>;
  /** R-K5: resource → stage value → a level word for every action, or action (or '*') → level word. */
  readonly stages: ReadonlyMap<string, ReadonlyMap<string, string | ReadonlyMap<string, string>>>;
  /** R-K5: resource → pipeline value → level word. */
  readonly pipelines: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** R-Z10: the shift of the role's users. */
  readonly shift: string | undefined;
}

export interface ShiftSpec {
  readonly name: string;
  readonly origin: Origin;
  readonly days: readonly string[];
  readonly start: string;
  readonly end: string;
  readonly timeZone: string;
}

export interface ResourceSpec {
  readonly model: Omit<ResourceModel, 'source' | 'subscribers' | 'parent' | 'requires'>;
  /** R-K7: `requires: { capability: module.permission, when? }`, next to `parent`. */
  readonly requires: { readonly capability: string; readonly when: string | undefined } | undefined;
  readonly subscribers: { readonly attribute: string; readonly actions: readonly string[]; readonly fields: readonly string[] } | undefined;
  readonly parent: { readonly attribute: string; readonly resources: readonly string[]; readonly read: readonly string[] | undefined; readonly write: readonly string[] | undefined } | undefined;
  readonly origin: Origin;
  /** The section the resource is written in, for paths. */
  readonly actionsKey: 'actions' | 'permissions';
}

export interface GroupSpec {
  readonly name: string;
  readonly origin: Origin;
  readonly description: string | undefined;
  readonly roles: readonly string[];
  readonly rolesAndSubordinates: readonly string[];
  /** R-K5: resource → pipeline value → level word, for the group's members. */
  readonly pipelines: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

export interface PartySpec {
  readonly kind: 'role' | 'roleAndSubordinates' | 'group';
  readonly name: string;
}

export interface SharingRuleSpec {
  readonly name: string;
  readonly origin: Origin;
  readonly description: string | undefined;
  readonly resource: string;
  readonly from: PartySpec;
  readonly to: PartySpec;
  readonly access: 'read-only' | 'read-write';
  readonly superiors: boolean;
}

export interface Declarations {
  readonly resources: ReadonlyMap<string, ResourceSpec>;
  /** By exact name. */
  readonly roles: ReadonlyMap<string, RoleSpec>;
  /** Profiles (R-Z2): grant sets without a place in the hierarchy, by exact name. */
  readonly profiles: ReadonlyMap<string, RoleSpec>;
  readonly groups: ReadonlyMap<string, GroupSpec>;
  readonly sharingRules: ReadonlyMap<string, SharingRuleSpec>;
  /** Working hours (R-Z10). */
  readonly shifts: ReadonlyMap<string, ShiftSpec>;
  /** Declared `context` attributes besides `now`, with where they are written. */
  readonly context: ReadonlyMap<string, { readonly type: string; readonly origin: Origin }>;
  /** Declared `principal` attributes besides the built-in ones, with where they are written. */
  readonly principal: ReadonlyMap<string, { readonly type: string; readonly origin: Origin }>;
  /** Built-in principal values the application keeps under another field (`groups: groupIds`). */
  readonly principalFields: ReadonlyMap<string, { readonly field: string; readonly origin: Origin }>;
  /** `hierarchy: reporting` and where it is written, if it is. */
  readonly hierarchy: { readonly value: 'roles' | 'reporting'; readonly origin: Origin } | undefined;
  /** Role names rejected as duplicates: references to them are not reported again. */
  readonly duplicateRoles: ReadonlySet<string>;
}

type Raw = Record<string, unknown>;

/** The principal's attributes every check knows (runtime `Principal`); a `principal:` section declares others. */
export const BUILT_IN_PRINCIPAL: readonly string[] = ['id', 'role', 'groups', 'organisation', 'technical', 'shift', 'reports'];

/** The types a declared attribute may have; under `principal:`, anything else beside a built-in name is a field name. */
const ATTRIBUTE_TYPES: readonly string[] = ['string', 'number', 'boolean', 'string[]', 'timestamp'];

const entries = (value: unknown): [string, unknown][] =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value as Raw) : [];

/** Turns a span into the line:column a generated reason shows. */
export type Where = (span: Span) => SourceRef;

/**
 * Gathers every resource, module and role of the set. Duplicates across files are reported
 * (role names case-insensitively, since authors and admins read them that way: R-Z12).
 */
export function collectDeclarations(files: readonly PolicyFile[], bag: DiagnosticBag, where: Where): Declarations {
  const resources = new Map<string, ResourceSpec>();
  const roles = new Map<string, RoleSpec>();
  const roleByFolded = new Map<string, RoleSpec>();
  const duplicateRoles = new Set<string>();
  const profiles = new Map<string, RoleSpec>();
  const groups = new Map<string, GroupSpec>();
  const sharingRules = new Map<string, SharingRuleSpec>();
  let hierarchy: Declarations['hierarchy'];
  const shifts = new Map<string, ShiftSpec>();
  const context = new Map<string, { type: string; origin: Origin }>();
  const principal = new Map<string, { type: string; origin: Origin }>();
  const principalFields = new Map<string, { field: string; origin: Origin }>();

  for (const file of files) {
    const top = file.value as Raw | null;
    if (top?.hierarchy === 'roles' || top?.hierarchy === 'reporting') {
      const origin: Origin = { file, path: ['hierarchy'] };
      if (hierarchy !== undefined) duplicate(bag, origin, hierarchy.origin, '`hierarchy` is set twice');
      else hierarchy = { value: top.hierarchy, origin };
    }
    for (const [name, raw] of entries(top?.shifts)) {
      const origin: Origin = { file, path: ['shifts', name] };
      const previous = shifts.get(name);
      const s = raw as Raw;
      if (previous) duplicate(bag, origin, previous.origin, `shift ${tick(name)} is defined twice`);
      else shifts.set(name, { name, origin, days: s.days as string[], start: s.start as string, end: s.end as string, timeZone: s.timeZone as string });
    }
    for (const [section, declared] of [['context', context], ['principal', principal]] as const) {
      for (const [name, type] of entries(top?.[section])) {
        const origin: Origin = { file, path: [section, name] };
        const previous = declared.get(name);
        if (section === 'principal' && BUILT_IN_PRINCIPAL.includes(name) && !ATTRIBUTE_TYPES.includes(type as string)) {
          // a field name, not a type: where the application's own user object keeps the value
          const first = principalFields.get(name);
          if (first) duplicate(bag, origin, first.origin, `the field of \`principal.${name}\` is given twice`);
          else principalFields.set(name, { field: type as string, origin });
        } else if (section === 'principal' && BUILT_IN_PRINCIPAL.includes(name)) {
          bag.report('ReservedName', spanOf(origin), `\`principal.${name}\` is built in: it cannot be declared`, { help: `its type is fixed; declare other attributes (built in: ${BUILT_IN_PRINCIPAL.map(tick).join(', ')})` });
        } else if (previous) duplicate(bag, origin, previous.origin, `${section} attribute ${tick(name)} is declared twice`);
        else declared.set(name, { type: type as string, origin });
      }
    }
    for (const [name, raw] of entries(top?.profiles)) {
      const origin: Origin = { file, path: ['profiles', name] };
      const previous = profiles.get(name);
      if (previous) duplicate(bag, origin, previous.origin, `profile ${tick(name)} is defined twice`);
      else profiles.set(name, readRole(name, raw as Raw, origin));
    }
    for (const [name, raw] of entries(top?.groups)) {
      const origin: Origin = { file, path: ['groups', name] };
      const previous = groups.get(name);
      if (previous) {
        duplicate(bag, origin, previous.origin, `group ${tick(name)} is defined twice`);
        continue;
      }
      const g = raw as Raw;
      groups.set(name, {
        name,
        origin,
        description: typeof g.description === 'string' ? g.description : undefined,
        roles: (g.roles as string[] | undefined) ?? [],
        rolesAndSubordinates: (g.rolesAndSubordinates as string[] | undefined) ?? [],
        pipelines: new Map(entries(g.pipelines).map(([resource, byPipeline]) => [resource, new Map(entries(byPipeline) as [string, string][])] as const)),
      });
    }
    for (const [name, raw] of entries(top?.sharingRules)) {
      const origin: Origin = { file, path: ['sharingRules', name] };
      const previous = sharingRules.get(name);
      if (previous) {
        duplicate(bag, origin, previous.origin, `sharing rule ${tick(name)} is defined twice`);
        continue;
      }
      const s = raw as Raw;
      const party = (v: unknown): PartySpec => {
        const [kind, value] = entries(v)[0] ?? ['role', ''];
        return { kind: kind as PartySpec['kind'], name: value as string };
      };
      sharingRules.set(name, {
        name,
        origin,
        description: typeof s.description === 'string' ? s.description : undefined,
        resource: s.resource as string,
        from: party(s.from),
        to: party(s.to),
        access: s.access as SharingRuleSpec['access'],
        superiors: s.superiors === true,
      });
    }
    for (const section of ['resources', 'modules'] as const) {
      for (const [name, raw] of entries(top?.[section])) {
        const origin: Origin = { file, path: [section, name] };
        const previous = resources.get(name);
        if (previous) {
          duplicate(bag, origin, previous.origin, `${tick(name)} is defined twice`);
          continue;
        }
        resources.set(name, readResource(name, section, raw as Raw, origin, bag, where));
      }
    }
    for (const [name, raw] of entries(top?.roles)) {
      const origin: Origin = { file, path: ['roles', name] };
      const folded = name.toLowerCase();
      const previous = roleByFolded.get(folded);
      if (previous) {
        const message =
          previous.name === name ? `role ${tick(name)} is defined twice` : `role ${tick(name)} clashes with role ${tick(previous.name)}`;
        duplicate(bag, origin, previous.origin, message, previous.name === name ? undefined : 'role names are compared case-insensitively; rename one of them');
        duplicateRoles.add(name);
        continue;
      }
      const spec = readRole(name, raw as Raw, origin);
      roles.set(name, spec);
      roleByFolded.set(folded, spec);
    }
  }
  return { resources, roles, duplicateRoles, profiles, groups, sharingRules, hierarchy, shifts, context, principal, principalFields };
}

function duplicate(bag: DiagnosticBag, origin: Origin, first: Origin, message: string, help?: string): void {
  const firstSpan = spanOf(first);
  bag.report('DuplicateName', spanOf(origin), message, {
    help,
    related: [{ ...firstSpan, message: 'first defined here' }],
  });
}

function readResource(name: string, section: 'resources' | 'modules', raw: Raw, origin: Origin, bag: DiagnosticBag, where: Where): ResourceSpec {
  const actionsKey = section === 'modules' ? 'permissions' : 'actions';
  const written = (raw[actionsKey] as string[] | undefined) ?? [];
  const actions: string[] = [];
  written.forEach((action, i) => {
    if (actions.includes(action)) {
      bag.report('DuplicateAction', spanOf(origin, [actionsKey, i], 'value'), `${tick(action)} is listed twice in ${tick(name)}`, {
        severity: 'warning',
      });
    } else actions.push(action);
  });
  const attributes: AttributeModel[] = entries(raw.attributes).map(([attr, type]) => ({
    name: attr,
    type: type as AttributeType,
    source: where(spanOf(origin, ['attributes', attr])),
  }));
  const text = (key: string): string | undefined => (typeof raw[key] === 'string' ? (raw[key] as string) : undefined);
  const access = (raw.access ?? {}) as { read?: string[]; write?: string[] };
  const subscribers = raw.subscribers as { attribute: string; actions?: string[]; fields?: string[] } | undefined;
  const parent = raw.parent as { attribute: string; resources: string[]; read?: string[]; write?: string[] } | undefined;
  const requires = raw.requires as { capability: string; when?: string } | undefined;
  return {
    origin,
    actionsKey,
    subscribers: subscribers && { attribute: subscribers.attribute, actions: subscribers.actions ?? ['view'], fields: subscribers.fields ?? [] },
    parent: parent && { attribute: parent.attribute, resources: parent.resources, read: parent.read, write: parent.write },
    requires: requires && { capability: requires.capability, when: requires.when },
    model: {
      name,
      kind: section === 'modules' ? 'module' : 'record',
      title: text('title'),
      actions,
      attributes,
      owner: text('owner'),
      team: text('team'),
      ownerRole: text('ownerRole'),
      organisation: text('organisation'),
      read: access.read ?? (actions.includes('view') ? ['view'] : []),
      write: access.write ?? (actions.includes('edit') ? ['edit'] : []),
      defaultAccess: (text('defaultAccess') ?? 'private') as ResourceModel['defaultAccess'],
      stage: text('stage'),
      pipeline: text('pipeline'),
      pipelines: raw.pipelines === undefined ? undefined : new Map(entries(raw.pipelines) as [string, string[]][]),
    },
  };
}

function readRole(name: string, raw: Raw, origin: Origin): RoleSpec {
  const ext = raw.extends;
  const grants = new Map<string, string | readonly string[] | ReadonlyMap<string, string>>();
  const conditions = new Map<string, Map<string, { when: string | undefined; duringShift: boolean }>>();
  for (const [resource, grant] of entries(raw.grants)) {
    if (typeof grant === 'string' || Array.isArray(grant)) {
      grants.set(resource, grant as string | string[]);
      continue;
    }
    // an action's value is a level word, or `{ level, when?, duringShift? }`
    const levels = new Map<string, string>();
    for (const [action, value] of entries(grant)) {
      if (typeof value === 'string') levels.set(action, value);
      else {
        const v = value as { level: string; when?: string; duringShift?: boolean };
        levels.set(action, v.level);
        if (v.when !== undefined || v.duringShift === true) {
          const byAction = conditions.get(resource) ?? new Map();
          byAction.set(action, { when: v.when, duringShift: v.duringShift === true });
          conditions.set(resource, byAction);
        }
      }
    }
    grants.set(resource, levels);
  }
  const stages = new Map(
    entries(raw.stages).map(([resource, byStage]) => [
      resource,
      new Map(entries(byStage).map(([stage, levels]) => [stage, typeof levels === 'string' ? levels : new Map(entries(levels) as [string, string][])] as const)),
    ] as const),
  );
  const pipelines = new Map(entries(raw.pipelines).map(([resource, byPipeline]) => [resource, new Map(entries(byPipeline) as [string, string][])] as const));
  return {
    name,
    origin,
    description: typeof raw.description === 'string' ? raw.description : undefined,
    administrator: raw.administrator === true,
    extends: typeof ext === 'string' ? [ext] : Array.isArray(ext) ? (ext as string[]) : [],
    extendsIsList: Array.isArray(ext),
    reportsTo: typeof raw.reportsTo === 'string' ? raw.reportsTo : undefined,
    sharesWithPeers: raw.sharesWithPeers === true,
    top: raw.top === true,
    profile: typeof raw.profile === 'string' ? raw.profile : undefined,
    grants,
    conditions,
    stages,
    pipelines,
    shift: typeof raw.shift === 'string' ? raw.shift : undefined,
  };
}
