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
  /** resource name → the grant as written: a level word, a list of actions, or action → level word. */
  readonly grants: ReadonlyMap<string, string | readonly string[] | ReadonlyMap<string, string>>;
}

export interface ResourceSpec {
  readonly model: Omit<ResourceModel, 'source'>;
  readonly origin: Origin;
  /** The section the resource is written in, for paths. */
  readonly actionsKey: 'actions' | 'permissions';
}

export interface Declarations {
  readonly resources: ReadonlyMap<string, ResourceSpec>;
  /** By exact name. */
  readonly roles: ReadonlyMap<string, RoleSpec>;
  /** Role names rejected as duplicates: references to them are not reported again. */
  readonly duplicateRoles: ReadonlySet<string>;
}

type Raw = Record<string, unknown>;

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

  for (const file of files) {
    const top = file.value as Raw | null;
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
  return { resources, roles, duplicateRoles };
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
  return {
    origin,
    actionsKey,
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
    },
  };
}

function readRole(name: string, raw: Raw, origin: Origin): RoleSpec {
  const ext = raw.extends;
  const grants = new Map<string, string | readonly string[] | ReadonlyMap<string, string>>();
  for (const [resource, grant] of entries(raw.grants)) {
    grants.set(resource, typeof grant === 'string' || Array.isArray(grant) ? (grant as string | string[]) : new Map(entries(grant) as [string, string][]));
  }
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
    grants,
  };
}
