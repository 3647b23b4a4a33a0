/**
 * One served version of a policy set: the compiled checker, what the policy declares (kinds,
 * actions, attributes), and the sources of subjects and records. Built off the request path and
 * swapped in whole (reload.ts), so a request sees one version from start to end.
 */
import { loadChecker, type Checker } from '@policyc/runtime';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatText } from '../compiler/diagnostics/format.ts';
import { compileHere, type PolicyCompiler } from './compile.ts';
import { readServeConfig, type ServeConfig } from './config.ts';
import { fileRecords, fileSubjects } from './sources/files.ts';
import { NO_SUBJECTS, type RecordSource, type SubjectSource } from './sources/types.ts';

export interface KindInfo {
  readonly actions: readonly string[];
  readonly attributes: ReadonlyMap<string, string>;
}

export interface PolicySet {
  readonly dir: string;
  readonly name: string;
  /** sha256 of the policy files, as in the generated checker's header. */
  readonly hash: string;
  readonly checker: Checker;
  readonly kinds: ReadonlyMap<string, KindInfo>;
  readonly config: ServeConfig;
  readonly subjects: SubjectSource;
  readonly records: RecordSource;
  /** Releases the sources (a database pool). */
  close(): Promise<void>;
}

/** The policy does not compile, or its data cannot be read: one message, policy diagnostics included. */
export class PolicyLoadError extends Error {
  override readonly name = 'PolicyLoadError';
}

/** Creates the sources a configuration names (Postgres is loaded only when configured). */
export type SourceFactory = (config: ServeConfig, dir: string, kinds: ReadonlyMap<string, KindInfo>) => Promise<{ subjects: SubjectSource; records: RecordSource }>;

export const fileSources: SourceFactory = async (config, dir) => ({
  subjects: config.directory === undefined ? NO_SUBJECTS : fileSubjects(config.directory, dir),
  records: fileRecords(config.records, dir),
});

export const defaultSources: SourceFactory = async (config, dir, kinds) => {
  if (config.postgres === undefined) return fileSources(config, dir, kinds);
  const { postgresSources } = await import('./sources/postgres.ts');
  return postgresSources(config.postgres, dir, kinds);
};

export async function loadPolicySet(dirGiven: string, sources: SourceFactory = defaultSources, compiler: PolicyCompiler = compileHere): Promise<PolicySet> {
  const dir = resolve(dirGiven);
  const result = await compiler.compile(dir);
  if (result.bundle === undefined) {
    throw new PolicyLoadError(`the policy does not compile:\n${formatText(result.diagnostics, result.sources)}`);
  }
  const checker = await importChecker(result.bundle);
  const kinds = new Map<string, KindInfo>(result.kinds.map(([kind, actions, attributes]) => [kind, { actions, attributes: new Map(attributes) }]));
  let config: ServeConfig;
  let found: Awaited<ReturnType<SourceFactory>>;
  try {
    config = readServeConfig(dir);
    found = await sources(config, dir, kinds);
  } catch (error) {
    throw new PolicyLoadError((error as Error).message);
  }
  return {
    dir,
    name: result.name,
    hash: result.hash,
    checker,
    kinds,
    config,
    ...found,
    close: async () => {
      await found.records.close?.();
    },
  };
}

/** Imports the bundle through a temporary file (an ES module needs a URL) and checks its format. */
async function importChecker(bundle: string): Promise<Checker> {
  const folder = mkdtempSync(join(tmpdir(), 'policyc-serve-'));
  const file = join(folder, 'checker.mjs');
  try {
    writeFileSync(file, bundle);
    return loadChecker(await import(/* @vite-ignore */ pathToFileURL(file).href));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
