/**
 * `policyc serve`: an AuthZEN Authorization API 1.0 Policy Decision Point for a compiled policy
 * set (docs/server.md). `startServer` is the library entry (tests, embedding); `serveCommand` is
 * what the CLI command calls: it starts the server (or `workers` of them), prints where it
 * listens, and shuts down gracefully on SIGTERM and SIGINT.
 */
import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { DataFileError } from './data-files.ts';
import { buildApp, type AppLimits, type Live } from './app.ts';
import { readTokens, tokenCheck, type TokenCheck } from './auth.ts';
import { createDecisionLog, type LogDestination } from './decision-log.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { defaultSources, loadPolicySet, type PolicySet, type SourceFactory } from './policy-set.ts';
import { startReloader } from './reload.ts';

export { PolicyLoadError, fileSources, loadPolicySet, type PolicySet, type SourceFactory } from './policy-set.ts';
export { decide, type Outcome } from './decide.ts';
export { DataFileError };

export interface ServerOptions {
  /** The policy set folder. */
  readonly dir: string;
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1: reachable from this machine only unless told otherwise. */
  readonly host?: string;
  /** A file of bearer tokens, one per line; without it (and `tokens`) no token is asked. */
  readonly tokenFile?: string;
  readonly tokens?: readonly string[];
  /** The decision log: `stdout` (default), `stderr`, a file, or `false`. */
  readonly log?: LogDestination;
  /** Recompile when the policy folder changes (default true). */
  readonly watch?: boolean;
  /** The PDP identifier announced by discovery (default: the URL a request was sent to). */
  readonly publicUrl?: string;
  readonly limits?: Partial<AppLimits>;
  /** Serve HTTPS: PEM files of the certificate (chain) and its private key. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** Where subjects and records come from (default: files, or Postgres when `serve.json` says so). */
  readonly sources?: SourceFactory;
}

export interface RunningServer {
  /** `http://host:port` */
  readonly url: string;
  readonly app: FastifyInstance;
  readonly metrics: Metrics;
  /** The version being served. */
  policy(): PolicySet;
  /** The last reload's error while an older version is served. */
  reloadError(): string | undefined;
  /** Compiles the folder again now; true when the new version is served. */
  reload(): Promise<boolean>;
  /** Stops accepting connections, finishes requests in flight, releases the sources. */
  close(): Promise<void>;
}

export const DEFAULT_LIMITS: AppLimits = Object.freeze({
  bodyLimit: 1024 * 1024,
  maxEvaluations: 1000,
  defaultPageSize: 100,
  maxPageSize: 1000,
  requestTimeout: 10_000,
});

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const sources = options.sources ?? defaultSources;
  let tokens: TokenCheck | undefined;
  if (options.tokenFile !== undefined) tokens = readTokens(options.tokenFile);
  else if (options.tokens !== undefined) tokens = tokenCheck(options.tokens);
  const tls = options.tls === undefined ? undefined : { cert: readPem(options.tls.certFile, 'certificate'), key: readPem(options.tls.keyFile, 'key') };
  const live: Live = { set: await loadPolicySet(options.dir, sources), reloadError: undefined };
  const metrics = createMetrics();
  metrics.policy(live.set.name, live.set.hash);
  const decisionLog = createDecisionLog(options.log ?? 'stdout');
  const onError = (message: string): void => {
    if (decisionLog.logger !== undefined) decisionLog.logger.error({ policy: live.set.hash }, `reload failed: ${message}`);
    else console.error(`policyc serve: reload failed: ${message}`);
  };
  const reloader = startReloader(live, { watch: options.watch ?? true, sources, metrics, onError });
  const limits: AppLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const app = buildApp({ live, limits, metrics, log: decisionLog.log, tokens, publicUrl: options.publicUrl, tls });
  const host = options.host ?? '127.0.0.1';
  try {
    await app.listen({ port: options.port ?? 8080, host });
  } catch (error) {
    reloader.close();
    await live.set.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    url: `${tls === undefined ? 'http' : 'https'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    app,
    metrics,
    policy: () => live.set,
    reloadError: () => live.reloadError,
    reload: () => reloader.reload(),
    close: async () => {
      reloader.close();
      await app.close();
      await live.set.close();
      await decisionLog.close();
    },
  };
}

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new DataFileError(`cannot read the TLS ${what} \`${file}\`: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export { serveCommand, type ServeCommandOptions } from './command.ts';
