/**
 * Opaque pagination tokens (Authorization API 1.0, "Pagination"): the position after the last
 * result, the page size, and a digest of the request's entities, so a follow-up request that
 * changed them is refused (400) rather than answered with a page of another result set.
 */
import { createHash } from 'node:crypto';
import { BadRequest } from './request.ts';

/** Deeper JSON than this in a request is refused when a digest needs it. */
const MAX_DEPTH = 64;

export interface Position {
  readonly after: string;
  readonly limit: number;
}

/** A digest of the request without its `page` (key order does not matter). */
export function requestDigest(endpoint: string, body: Record<string, unknown>): string {
  const rest: Record<string, unknown> = {};
  for (const key of Object.keys(body)) if (key !== 'page') rest[key] = body[key];
  return createHash('sha256').update(endpoint).update('\0').update(canonical(rest, 0)).digest('base64url').slice(0, 22);
}

export function encodeToken(position: Position, digest: string): string {
  return Buffer.from(JSON.stringify({ a: position.after, l: position.limit, d: digest })).toString('base64url');
}

export function decodeToken(token: string, digest: string): Position {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  const o = value as { a?: unknown; l?: unknown; d?: unknown } | undefined;
  if (typeof o !== 'object' || o === null || typeof o.a !== 'string' || typeof o.l !== 'number' || !Number.isInteger(o.l) || o.l < 0 || typeof o.d !== 'string') {
    throw new BadRequest('`page.token` is not a token this server gave');
  }
  if (o.d !== digest) throw new BadRequest('the request changed since `page.token` was given; send the same request with the new token');
  return { after: o.a, limit: o.l };
}

/** JSON with object keys sorted, bounded in depth (deep nesting is a 400, not a stack overflow). */
function canonical(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new BadRequest(`the request nests deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, depth + 1)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k], depth + 1)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
