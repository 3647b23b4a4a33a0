/** `--limit name=value` (repeatable) on the commands that compile: raises or lowers one limit (docs/diagnostics.md#limits). */
import { parseLimits, type Limits } from '../diagnostics/limits.ts';
import { UsageError } from './io.ts';

export function limitsOf(words: readonly string[] | undefined): { readonly limits?: Partial<Limits> } {
  if (words === undefined || words.length === 0) return {};
  const parsed = parseLimits(words);
  if ('error' in parsed) throw new UsageError(parsed.error);
  return { limits: parsed.limits };
}
