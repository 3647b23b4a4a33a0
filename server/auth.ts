/**
 * Optional bearer tokens (`--token-file`): one token per line (blank lines and `#` comments
 * skipped). A request must send `Authorization: Bearer <token>` with one of them, compared in
 * constant time (over SHA-256 digests, so the length of a token leaks nothing either).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DataFileError } from './data-files.ts';

export type TokenCheck = (authorization: string | undefined) => boolean;

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

export function readTokens(file: string): TokenCheck {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DataFileError(`cannot read the token file \`${file}\`: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const tokens = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (tokens.length === 0) throw new DataFileError(`the token file \`${file}\` holds no token`);
  if (tokens.some((t) => t.length < 16)) throw new DataFileError(`the token file \`${file}\` holds a token shorter than 16 characters`);
  return tokenCheck(tokens);
}

export function tokenCheck(tokens: readonly string[]): TokenCheck {
  const known = tokens.map(digest);
  return (authorization) => {
    const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
    const given = digest(match?.[1] ?? '');
    let ok = false;
    for (const k of known) ok = timingSafeEqual(k, given) || ok; // every token compared, whichever matches
    return ok && match !== null;
  };
}
