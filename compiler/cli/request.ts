/** Reading the request of `explain` and `plan`, and loading a compiled bundle to decide it. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { Checker } from '@policyc/runtime';
import { readStdin, UsageError, type Io } from './io.ts';

/**
 * Reads a request as YAML or JSON from a file or standard input; conditions read `context.now`
 * as a Date, so the request's ISO date-time becomes one.
 */
export async function readRequest(file: string, io: Io): Promise<{ readonly request: Record<string, unknown>; readonly context: unknown }> {
  const text = file === '-' ? await (io.stdin ?? readStdin)() : readFileSync(resolve(io.cwd, file), 'utf8');
  let request: unknown;
  try {
    request = parseYaml(text) ?? {};
  } catch (error) {
    throw new UsageError(`the request is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request)) throw new UsageError('the request is not a mapping');
  let context = (request as { context?: unknown }).context;
  if (typeof context === 'object' && context !== null && !Array.isArray(context) && 'now' in context) {
    const now = (context as { now: unknown }).now;
    const date = typeof now === 'string' ? new Date(now) : now instanceof Date ? now : undefined;
    if (date === undefined || Number.isNaN(date.getTime())) throw new UsageError(`the request's \`context.now\` is not an ISO date-time: ${JSON.stringify(now)}`);
    context = { ...context, now: date };
  }
  return { request: request as Record<string, unknown>, context };
}

/** Loads a compiled bundle as a module, so a command decides exactly as an application would. */
export async function loadBundle(bundle: string): Promise<Checker> {
  const dir = mkdtempSync(join(tmpdir(), 'policyc-checker-'));
  try {
    const file = join(dir, 'checker.mjs');
    writeFileSync(file, bundle);
    return ((await import(pathToFileURL(file).href)) as { checker: Checker }).checker;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
