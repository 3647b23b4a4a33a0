/**
 * What every command shares: where it writes, exit codes, and the one-line usage error.
 * `main` takes its input and output as parameters, so tests run the CLI in process.
 */
import pc from 'picocolors';

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly cwd: string;
  /** Colour the output (only on a terminal, by default). */
  readonly color: boolean;
  /** Standard input, for `explain --request -` and `plan --request -`. */
  readonly stdin?: () => Promise<string>;
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export const defaultIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  cwd: process.cwd(),
  color: pc.isColorSupported && process.stderr.isTTY === true,
  stdin: readStdin,
};

/** Exit codes: 0 clean, 1 policy errors, 2 usage errors. */
export const EXIT = { ok: 0, policyErrors: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A request, a file or an option that cannot be used: a usage error, printed as one line. */
export class UsageError extends Error {}
