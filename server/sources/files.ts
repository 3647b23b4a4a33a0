/**
 * Subjects and records from files in the policy folder (config.ts finds them): the directory
 * through the runtime's loader (packages/runtime/src/directory.ts), records as lists of objects
 * with a string `id`. Resource search filters them in memory with the plan's predicate
 * (`toPredicate`), the same plan `toSql` turns into SQL for Postgres.
 */
import { toPredicate } from '@policyc/runtime';
import { DirectoryError, loadDirectory, type UserDirectory } from '@policyc/runtime';
import { relative } from 'node:path';
import { DataFileError, readList } from '../data-files.ts';
import { byId, type RecordSource, type StoredRecord, type SubjectSource } from './types.ts';

export function fileSubjects(file: string, dir: string): SubjectSource {
  const display = relative(dir, file);
  let directory: UserDirectory;
  try {
    directory = loadDirectory(readList(file, display));
  } catch (error) {
    if (error instanceof DirectoryError) throw new DataFileError(`${display}: ${error.message}`);
    throw error;
  }
  return {
    principal: async (type, key) => (directory.user(key)?.type === type ? directory.principal(key) : undefined),
    page: async (type, after, limit) => {
      const entries = [];
      for (const user of directory.users) {
        if (entries.length >= limit) break;
        if (user.type !== type || (after !== undefined && user.id <= after)) continue;
        entries.push({ id: user.id, principal: directory.principal(user.id)! });
      }
      return entries;
    },
  };
}

export function fileRecords(files: ReadonlyMap<string, string>, dir: string): RecordSource {
  const kinds = new Map<string, { byId: Map<string, StoredRecord>; sorted: StoredRecord[] }>();
  for (const [kind, file] of files) {
    const display = relative(dir, file);
    const byIdMap = new Map<string, StoredRecord>();
    readList(file, display).forEach((entry, index) => {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new DataFileError(`${display}: record ${index + 1} must be an object`);
      const { id, ...attributes } = entry as Record<string, unknown>;
      if (typeof id !== 'string' || id === '') throw new DataFileError(`${display}: record ${index + 1} needs a string \`id\``);
      if (byIdMap.has(id)) throw new DataFileError(`${display}: record ${index + 1}: id \`${id}\` is used twice`);
      byIdMap.set(id, Object.freeze({ id, attributes: Object.freeze(attributes) }));
    });
    kinds.set(kind, { byId: byIdMap, sorted: [...byIdMap.values()].sort(byId) });
  }
  return {
    has: (kind) => kinds.has(kind),
    get: async (kind, id) => kinds.get(kind)?.byId.get(id)?.attributes,
    search: async (kind, plan, after, limit) => {
      const records = kinds.get(kind)?.sorted ?? [];
      if (plan.result === 'never') return [];
      const keep = toPredicate(plan);
      const found: StoredRecord[] = [];
      for (const record of records) {
        if (found.length >= limit) break;
        if (after !== undefined && record.id <= after) continue;
        if (keep(record.attributes)) found.push(record);
      }
      return found;
    },
  };
}
