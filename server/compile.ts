/**
 * Compiling a policy set off the request path: in a worker thread running the built compiler
 * (`policyc`'s own package entry), so a reload never stalls the event loop that answers
 * requests. Where the built compiler is not there (the sources run directly, as in the tests
 * before a build), the compile runs in this thread instead.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from '../compiler/index.ts';

/** What the server needs of a compiled set: the bundle and what the policy declares. */
export interface Compiled {
  readonly bundle: string | undefined;
  readonly name: string;
  readonly hash: string;
  /** kind → [actions, [attribute, type][]] */
  readonly kinds: readonly (readonly [string, readonly string[], readonly (readonly [string, string])[]])[];
  readonly diagnostics: readonly Diagnostic[];
  readonly sources: ReadonlyMap<string, string>;
}

// Runs in the worker (CommonJS eval): loads the compiler once, then compiles each folder it is sent.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const loading = import(workerData.compiler);
parentPort.on('message', async (dir) => {
  try {
    const { compileDir } = await loading;
    const r = await compileDir(dir);
    const m = r.model;
    parentPort.postMessage({
      bundle: r.output ? r.output.bundle : undefined,
      name: m ? m.name : '', hash: m ? m.hash : '',
      kinds: m ? m.resources.map((k) => [k.name, [...k.actions], k.attributes.map((a) => [a.name, String(a.type)])]) : [],
      diagnostics: r.diagnostics, sources: r.sources,
    });
  } catch (e) {
    parentPort.postMessage({ error: String((e && e.stack) || e) });
  }
});
`;

function builtCompiler(): string | undefined {
  try {
    return pathToFileURL(createRequire(import.meta.url).resolve('policyc')).href;
  } catch {
    return undefined;
  }
}

export interface PolicyCompiler {
  compile(dir: string): Promise<Compiled>;
  close(): Promise<void>;
}

/** Compiles in this thread: for the first load (nothing is served yet) and where no built compiler exists. */
export const compileHere: PolicyCompiler = {
  compile: async (dir) => {
    const { compileDir } = await import('../compiler/index.ts');
    const r = await compileDir(dir);
    const m = r.model;
    return {
      bundle: r.output?.bundle,
      name: m?.name ?? '',
      hash: m?.hash ?? '',
      kinds: m === undefined ? [] : m.resources.map((k) => [k.name, [...k.actions], k.attributes.map((a) => [a.name, String(a.type)] as const)] as const),
      diagnostics: r.diagnostics,
      sources: r.sources,
    };
  },
  close: async () => {},
};

/**
 * A compiler in a worker thread, started on first use and kept for the next reloads (loading the
 * compiler takes seconds; compiling a small set afterwards, a fraction of one). One compile at a
 * time: the reloader never asks for two at once.
 */
export function workerCompiler(): PolicyCompiler {
  const compiler = builtCompiler();
  if (compiler === undefined) return compileHere;
  let worker: Worker | undefined;
  return {
    compile: async (dir) => {
      worker ??= new Worker(WORKER, { eval: true, workerData: { compiler } });
      worker.unref();
      const w = worker;
      const message = await new Promise<Compiled & { error?: string }>((resolve, reject) => {
        const fail = (error: unknown): void => {
          worker = undefined; // a dead worker is replaced on the next compile
          reject(error instanceof Error ? error : new Error(`the compiler worker exited with ${String(error)}`));
        };
        w.once('error', fail);
        w.once('exit', fail);
        w.once('message', (m: Compiled & { error?: string }) => {
          w.off('error', fail);
          w.off('exit', fail);
          resolve(m);
        });
        w.postMessage(dir);
      });
      if (message.error !== undefined) throw new Error(`the compiler worker failed: ${message.error}`);
      return message;
    },
    close: async () => {
      await worker?.terminate();
      worker = undefined;
    },
  };
}
