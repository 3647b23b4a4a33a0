// Runs the policyc CLI in process from the repository root, capturing what it writes.
import { fileURLToPath } from 'node:url';
import { main } from '../../compiler/cli.ts';

export const root = fileURLToPath(new URL('../../', import.meta.url));

export async function runCli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t), cwd: root, color: false });
  return { code, out, err };
}
