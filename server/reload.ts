/**
 * Hot reload: when a file of the policy folder changes, the set is compiled again off the
 * request path (in a worker thread, compile.ts) and swapped in whole; requests in flight finish on the version they started
 * with. A version that does not compile (or whose data cannot be read) is not served: the old
 * one stays, and the error shows in `/readyz`, the metrics and the log until a good version
 * replaces it.
 */
import { watch, type FSWatcher } from 'node:fs';
import type { Live } from './app.ts';
import type { Metrics } from './metrics.ts';
import { workerCompiler } from './compile.ts';
import { loadPolicySet, type SourceFactory } from './policy-set.ts';

export interface Reloader {
  /** Compiles the folder again now; true when the new version is served. */
  reload(): Promise<boolean>;
  close(): void;
}

/** Changes closer together than this are one reload (an editor saves in several writes). */
const SETTLE_MS = 150;
/** How long a replaced version stays open for requests still using it. */
const RETIRE_MS = 5_000;

export function startReloader(live: Live, options: { watch: boolean; sources: SourceFactory; metrics: Metrics; onError: (message: string) => void }): Reloader {
  let running: Promise<boolean> | undefined;
  let again = false;
  const retiring = new Set<NodeJS.Timeout>();
  const compiler = workerCompiler();
  const once = async (): Promise<boolean> => {
    try {
      const next = await loadPolicySet(live.set.dir, options.sources, compiler);
      const old = live.set;
      live.set = next;
      live.reloadError = undefined;
      options.metrics.policy(next.name, next.hash);
      options.metrics.reloaded(true);
      const timer = setTimeout(() => {
        retiring.delete(timer);
        void old.close();
      }, RETIRE_MS);
      timer.unref();
      retiring.add(timer);
      return true;
    } catch (error) {
      live.reloadError = (error as Error).message;
      options.metrics.reloaded(false);
      options.onError(live.reloadError);
      return false;
    }
  };
  // one reload at a time; a change during a reload triggers exactly one more
  const reload = (): Promise<boolean> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = once().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        void reload();
      }
    });
    return running;
  };
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  if (options.watch) {
    watcher = watch(live.set.dir, { recursive: true }, (_event, file) => {
      const name = String(file ?? '');
      if (name.split(/[\\/]/).some((part) => part === 'generated' || part === 'node_modules' || part.startsWith('.'))) return;
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), SETTLE_MS);
    });
    watcher.on('error', (error) => options.onError(`watching the policy folder failed: ${error.message}`));
  }
  return {
    reload,
    close: () => {
      clearTimeout(timer);
      watcher?.close();
      for (const t of retiring) clearTimeout(t);
      void compiler.close();
    },
  };
}
