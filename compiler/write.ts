import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompiledChecker } from './index.ts';

export const OUTPUT_FILES = { checkerTs: 'checker.ts', declarations: 'checker.d.ts', bundle: 'checker.js' } as const;

/**
 * Writes the three outputs. They are first written to a temporary folder inside `outDir`
 * and then renamed into place, so a failure never leaves a half-written set behind.
 */
export function writeOutput(outDir: string, output: CompiledChecker): string[] {
  mkdirSync(outDir, { recursive: true });
  const staging = mkdtempSync(join(outDir, '.policyc-'));
  try {
    const written: string[] = [];
    for (const [key, name] of Object.entries(OUTPUT_FILES) as [keyof CompiledChecker, string][]) {
      writeFileSync(join(staging, name), output[key]);
    }
    for (const name of Object.values(OUTPUT_FILES)) {
      renameSync(join(staging, name), join(outDir, name));
      written.push(join(outDir, name));
    }
    return written;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
