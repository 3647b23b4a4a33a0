/**
 * What `policyc serve` serves besides the policy: where the user directory and the records are,
 * and how request `properties` combine with them. Read from `serve.json` in the policy folder,
 * else found by convention (docs/server.md, "Sources"):
 *
 * - `directory.json` or `directory.jsonl`: the user directory;
 * - `records/<kind>.json` or `records/<kind>.jsonl`: the records of one resource kind.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, extname, isAbsolute, join, resolve } from 'node:path';
import { DataFileError, readObjectFile } from './data-files.ts';

/**
 * How request `properties` combine with what the directory or the record source knows:
 * `override` (the AuthZEN reading: the PEP passes attributes; key by key, the request wins),
 * `fill` (stored values win; the request only adds what is missing) or `ignore`.
 */
export type PropertiesMode = 'override' | 'fill' | 'ignore';

export interface PostgresConfig {
  /** A connection string; `env:NAME` reads it from the environment variable NAME. */
  readonly url: string;
  /** The users table (columns as the directory file's fields; see docs/server.md). */
  readonly users: string | undefined;
  /** Per resource kind: its table, its id column, and record attribute → column (default: same name). */
  readonly records: ReadonlyMap<string, { readonly table: string; readonly id: string; readonly columns: Readonly<Record<string, string>> }>;
}

export interface ServeConfig {
  /** The user directory file (absolute), if any. */
  readonly directory: string | undefined;
  /** Record files by resource kind (absolute paths). */
  readonly records: ReadonlyMap<string, string>;
  readonly postgres: PostgresConfig | undefined;
  readonly subjectProperties: PropertiesMode;
  readonly resourceProperties: PropertiesMode;
}

const MODES: readonly PropertiesMode[] = ['override', 'fill', 'ignore'];
const KEYS = new Set(['directory', 'records', 'postgres', 'subjectProperties', 'resourceProperties']);

export function readServeConfig(dir: string): ServeConfig {
  const raw = readObjectFile(join(dir, 'serve.json'), 'serve.json') ?? {};
  const fail = (message: string): never => {
    throw new DataFileError(`serve.json: ${message}`);
  };
  for (const key of Object.keys(raw)) if (!KEYS.has(key)) fail(`unknown key \`${key}\``);
  const path = (value: unknown, what: string): string => {
    if (typeof value !== 'string' || value === '') return fail(`\`${what}\` must be a file path`);
    return isAbsolute(value) ? value : resolve(dir, value);
  };
  // A subject's stored attributes win by default: a caller must not raise its own role. The
  // resource's properties describe the record the PEP holds, so they replace by default.
  const mode = (key: string, fallback: PropertiesMode): PropertiesMode => {
    const value = raw[key] ?? fallback;
    return MODES.includes(value as PropertiesMode) ? (value as PropertiesMode) : fail(`\`${key}\` must be one of ${MODES.map((m) => `\`${m}\``).join(', ')}`);
  };
  const directory = raw.directory !== undefined ? path(raw.directory, 'directory') : conventional(dir, 'directory');
  const records = new Map<string, string>();
  if (raw.records !== undefined) {
    if (typeof raw.records !== 'object' || raw.records === null || Array.isArray(raw.records)) fail('`records` must map resource kinds to files');
    for (const [kind, file] of Object.entries(raw.records as object)) records.set(kind, path(file, `records.${kind}`));
  } else {
    const folder = join(dir, 'records');
    if (existsSync(folder)) {
      for (const name of readdirSync(folder).sort()) {
        const ext = extname(name);
        if (ext === '.json' || ext === '.jsonl') records.set(basename(name, ext), join(folder, name));
      }
    }
  }
  return {
    directory,
    records,
    postgres: raw.postgres === undefined ? undefined : readPostgres(raw.postgres, fail),
    subjectProperties: mode('subjectProperties', 'fill'),
    resourceProperties: mode('resourceProperties', 'override'),
  };
}

function conventional(dir: string, name: string): string | undefined {
  for (const ext of ['.json', '.jsonl']) if (existsSync(join(dir, name + ext))) return join(dir, name + ext);
  return undefined;
}

function readPostgres(value: unknown, fail: (message: string) => never): PostgresConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('`postgres` must be an object');
  const o = value as Record<string, unknown>;
  if (typeof o.url !== 'string' || o.url === '') fail('`postgres.url` must be a connection string or `env:NAME`');
  if (o.users !== undefined && typeof o.users !== 'string') fail('`postgres.users` must be a table name');
  const records = new Map<string, { table: string; id: string; columns: Record<string, string> }>();
  const given = o.records ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) fail('`postgres.records` must map resource kinds to tables');
  for (const [kind, spec] of Object.entries(given as object)) {
    const s = (typeof spec === 'string' ? { table: spec } : spec) as Record<string, unknown>;
    if (typeof s !== 'object' || s === null || typeof s.table !== 'string') fail(`\`postgres.records.${kind}\` must name a \`table\``);
    const columns = (s.columns ?? {}) as Record<string, unknown>;
    if (typeof columns !== 'object' || columns === null || Object.values(columns).some((c) => typeof c !== 'string')) {
      fail(`\`postgres.records.${kind}.columns\` must map attributes to column names`);
    }
    records.set(kind, { table: s.table as string, id: typeof s.id === 'string' ? s.id : 'id', columns: { ...(columns as Record<string, string>) } });
  }
  return { url: o.url as string, users: o.users as string | undefined, records };
}
