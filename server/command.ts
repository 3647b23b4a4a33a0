/**
 * What the `policyc serve <dir>` command runs. With `workers` above 1 the process forks that many
 * workers (node:cluster; they share the port, each serves the whole set and reloads it on its
 * own — no state lives in a worker). SIGTERM and SIGINT stop accepting connections, finish the
 * requests in flight and exit 0.
 */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { startServer, type RunningServer, type ServerOptions } from './index.ts';

export interface ServeCommandOptions {
  readonly port?: number;
  readonly host?: string;
  readonly tokenFile?: string;
  /** Processes serving the port; `0` or `auto`: one per core. Default 1. */
  readonly workers?: number | 'auto';
  readonly log?: ServerOptions['log'];
  readonly publicUrl?: string;
  readonly watch?: boolean;
  readonly limits?: ServerOptions['limits'];
  readonly tls?: ServerOptions['tls'];
}

/** Starts serving; resolves once listening (in the primary of several workers: once all listen). Returns the exit code on failure. */
export async function serveCommand(dir: string, options: ServeCommandOptions = {}, out: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  const workers = options.workers === 'auto' || options.workers === 0 ? availableParallelism() : (options.workers ?? 1);
  if (workers > 1 && cluster.isPrimary) return primary(workers, options, out);
  let server: RunningServer;
  try {
    server = await startServer({ dir, ...definedOnly(options) });
  } catch (error) {
    out(`policyc serve: ${(error as Error).message}`);
    return 1;
  }
  if (cluster.isPrimary) out(`policyc serve: ${server.policy().name} (${server.policy().hash.slice(0, 12)}) at ${server.url}`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return 0;
}

function primary(workers: number, options: ServeCommandOptions, out: (line: string) => void): Promise<number> {
  return new Promise((resolve) => {
    let listening = 0;
    let stopping = false;
    for (let i = 0; i < workers; i++) cluster.fork();
    cluster.on('listening', () => {
      if (++listening === workers) {
        out(`policyc serve: ${workers} workers at ${options.tls === undefined ? 'http' : 'https'}://${options.host ?? '127.0.0.1'}:${options.port ?? 8080}`);
        resolve(0);
      }
    });
    cluster.on('exit', (worker, code) => {
      if (stopping) return;
      if (listening < workers) {
        out(`policyc serve: worker ${worker.id} exited with ${code} before listening`);
        stopping = true;
        for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
        resolve(1);
        return;
      }
      out(`policyc serve: worker ${worker.id} exited with ${code}; starting another`);
      cluster.fork();
    });
    const stop = (): void => {
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
      let left = Object.keys(cluster.workers ?? {}).length;
      if (left === 0) process.exit(0);
      cluster.on('exit', () => {
        if (--left === 0) process.exit(0);
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

function definedOnly(options: ServeCommandOptions): Omit<ServerOptions, 'dir'> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) if (value !== undefined && key !== 'workers') result[key] = value;
  return result as Omit<ServerOptions, 'dir'>;
}
