/** `policyc serve <dir>`: the AuthZEN decision point of `server/` (loaded only by this command). */
import { resolve } from 'node:path';
import { UsageError, type Io } from './io.ts';

export interface ServeFlags {
  readonly port: number;
  readonly host: string;
  readonly tokenFile?: string;
  readonly workers: number | 'auto';
  readonly log: string;
  readonly publicUrl?: string;
  readonly watch: boolean;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
}

export async function serveFromCli(dir: string, flags: ServeFlags, io: Io): Promise<number> {
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  const { serveCommand } = await import('../../server/command.ts');
  const path = (file: string): string => resolve(io.cwd, file);
  return serveCommand(
    path(dir),
    {
      port: flags.port,
      host: flags.host,
      workers: flags.workers,
      watch: flags.watch,
      log: flags.log === 'off' ? false : flags.log === 'stdout' || flags.log === 'stderr' ? flags.log : path(flags.log),
      ...(flags.tokenFile === undefined ? {} : { tokenFile: path(flags.tokenFile) }),
      ...(flags.publicUrl === undefined ? {} : { publicUrl: flags.publicUrl }),
      ...(flags.tlsCert === undefined || flags.tlsKey === undefined ? {} : { tls: { certFile: path(flags.tlsCert), keyFile: path(flags.tlsKey) } }),
    },
    (line) => io.err(`${line}\n`),
  );
}
