/**
 * Reading the data files of a served policy set: the user directory and the record files, as a
 * JSON list, JSON Lines (one object per line, for large files) or YAML (only outside the policy
 * folder: every YAML file inside it is read as a policy file). Errors name the file and, for
 * JSON Lines, the line.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** A data file that cannot be read; the message is one line naming the file (and line). */
export class DataFileError extends Error {
  override readonly name = 'DataFileError';
}

/** The entries of a list file: `.json` (a list), `.jsonl` / `.ndjson` (one value per line) or `.yaml` / `.yml` (a list). */
export function readList(file: string, display = file): unknown[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DataFileError(`cannot read \`${display}\`: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const ext = extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return readJsonLines(text, display);
  let value: unknown;
  try {
    value = ext === '.yaml' || ext === '.yml' ? parseYaml(text, { maxAliasCount: 100 }) : JSON.parse(text);
  } catch (error) {
    throw new DataFileError(`\`${display}\` is not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${firstLine(error)}`);
  }
  if (!Array.isArray(value)) throw new DataFileError(`\`${display}\` must hold a list`);
  return value;
}

function readJsonLines(text: string, display: string): unknown[] {
  const entries: unknown[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    try {
      entries.push(JSON.parse(line));
    } catch (error) {
      throw new DataFileError(`${display}:${i + 1}: not valid JSON: ${firstLine(error)}`);
    }
  }
  return entries;
}

/** Reads a JSON object file (`serve.json`); `undefined` when the file does not exist. */
export function readObjectFile(file: string, display = file): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DataFileError(`cannot read \`${display}\`: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DataFileError(`\`${display}\` is not valid JSON: ${firstLine(error)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DataFileError(`\`${display}\` must hold an object`);
  return value as Record<string, unknown>;
}

function firstLine(error: unknown): string {
  return String((error as Error).message ?? error).split('\n')[0]!;
}
