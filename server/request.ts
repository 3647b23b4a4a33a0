/**
 * Reading AuthZEN request bodies (Authorization API 1.0, "Information Model"): a missing or
 * wrongly typed required member is a 400 with a one-line message; unknown members are ignored.
 * Only own properties of the parsed JSON are read.
 */

/** A request the PDP cannot read: answered 400 with this message (lowercase, values in backticks). */
export class BadRequest extends Error {
  override readonly name = 'BadRequest';
  readonly statusCode = 400;
}

export type Properties = Readonly<Record<string, unknown>>;

/** A subject or resource: `id` is absent only for the entity a search looks for. */
export interface Entity {
  readonly type: string;
  readonly id: string | undefined;
  readonly properties: Properties | undefined;
}

export interface Action {
  readonly name: string;
  readonly properties: Properties | undefined;
}

export interface Evaluation {
  readonly subject: Entity;
  readonly action: Action;
  readonly resource: Entity;
  readonly context: Properties | undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function member(o: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

/** The body as an object; anything else (an array, a string, nothing) is a 400. */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (!isObject(body)) throw new BadRequest('the request body must be a JSON object');
  return body;
}

function properties(o: Record<string, unknown>, path: string): Properties | undefined {
  const value = member(o, 'properties');
  if (value === undefined) return undefined;
  if (!isObject(value)) throw new BadRequest(`\`${path}.properties\` must be an object`);
  return value;
}

function string(o: Record<string, unknown>, key: string, path: string): string {
  const value = member(o, key);
  if (value === undefined) throw new BadRequest(`\`${path}.${key}\` is required`);
  if (typeof value !== 'string') throw new BadRequest(`\`${path}.${key}\` must be a string`);
  return value;
}

/** `subject` or `resource`; with `id: 'ignored'` (the entity a search looks for) any `id` is ignored. */
export function entity(value: unknown, path: string, id: 'required' | 'ignored'): Entity {
  if (value === undefined) throw new BadRequest(`\`${path}\` is required`);
  if (!isObject(value)) throw new BadRequest(`\`${path}\` must be an object`);
  return {
    type: string(value, 'type', path),
    id: id === 'required' ? string(value, 'id', path) : undefined,
    properties: properties(value, path),
  };
}

export function action(value: unknown, path: string): Action {
  if (value === undefined) throw new BadRequest(`\`${path}\` is required`);
  if (!isObject(value)) throw new BadRequest(`\`${path}\` must be an object`);
  return { name: string(value, 'name', path), properties: properties(value, path) };
}

export function context(value: unknown, path: string): Properties | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) throw new BadRequest(`\`${path}\` must be an object`);
  return value;
}

/** A complete evaluation from its four members (of the body, or of a batch item merged with its defaults). */
export function evaluation(members: { subject: unknown; action: unknown; resource: unknown; context: unknown }, prefix = ''): Evaluation {
  return {
    subject: entity(members.subject, `${prefix}subject`, 'required'),
    action: action(members.action, `${prefix}action`),
    resource: entity(members.resource, `${prefix}resource`, 'required'),
    context: context(members.context, `${prefix}context`),
  };
}

/** A search's `page`: an opaque `token` and a non-negative integer `limit`, both optional. */
export function page(body: Record<string, unknown>, maxLimit: number): { token: string | undefined; limit: number | undefined } {
  const value = member(body, 'page');
  if (value === undefined) return { token: undefined, limit: undefined };
  if (!isObject(value)) throw new BadRequest('`page` must be an object');
  const token = member(value, 'token');
  if (token !== undefined && typeof token !== 'string') throw new BadRequest('`page.token` must be a string');
  const limit = member(value, 'limit');
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0)) {
    throw new BadRequest('`page.limit` must be a non-negative integer');
  }
  if (typeof limit === 'number' && limit > maxLimit) throw new BadRequest(`\`page.limit\` must be at most ${maxLimit}`);
  return { token: token === '' ? undefined : (token as string | undefined), limit: limit as number | undefined };
}
