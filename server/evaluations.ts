/**
 * The Access Evaluations API (Authorization API 1.0, "Access Evaluations API"): top-level
 * `subject`, `action`, `resource` and `context` are defaults that an item replaces entity by
 * entity; `options.evaluations_semantic` is `execute_all` (default), `deny_on_first_deny` or
 * `permit_on_first_permit`. An item that is not a valid evaluation is denied in place with the
 * error in its context (certification C-3-4-1); a malformed payload is a 400.
 */
import { decide, decisionBody, type Outcome } from './decide.ts';
import type { PolicySet } from './policy-set.ts';
import { BadRequest, evaluation, isObject, member, type Evaluation } from './request.ts';

export type Semantic = 'execute_all' | 'deny_on_first_deny' | 'permit_on_first_permit';
const SEMANTICS: readonly Semantic[] = ['execute_all', 'deny_on_first_deny', 'permit_on_first_permit'];

/** One answered item: its request (undefined when invalid) and its outcome, for the log. */
export interface Answered {
  readonly request: Evaluation | undefined;
  readonly outcome: Outcome;
}

export interface BatchResult {
  /** `undefined`: the body had no (or an empty) `evaluations` list and is answered as one evaluation. */
  readonly items: readonly Answered[] | undefined;
  readonly single: Answered | undefined;
}

function semanticOf(body: Record<string, unknown>): Semantic {
  const options = member(body, 'options');
  if (options === undefined) return 'execute_all';
  if (!isObject(options)) throw new BadRequest('`options` must be an object');
  const semantic = member(options, 'evaluations_semantic');
  if (semantic === undefined) return 'execute_all';
  if (!SEMANTICS.includes(semantic as Semantic)) {
    throw new BadRequest(`\`options.evaluations_semantic\` must be one of ${SEMANTICS.map((s) => `\`${s}\``).join(', ')}`);
  }
  return semantic as Semantic;
}

export async function evaluateBatch(set: PolicySet, body: Record<string, unknown>, maxItems: number, now: Date): Promise<BatchResult> {
  const list = member(body, 'evaluations');
  if (list !== undefined && !Array.isArray(list)) throw new BadRequest('`evaluations` must be a list');
  const semantic = semanticOf(body);
  const defaults = { subject: member(body, 'subject'), action: member(body, 'action'), resource: member(body, 'resource'), context: member(body, 'context') };
  for (const [key, value] of Object.entries(defaults)) if (value !== undefined && !isObject(value)) throw new BadRequest(`\`${key}\` must be an object`);
  if (list === undefined || list.length === 0) {
    const request = evaluation(defaults);
    return { items: undefined, single: { request, outcome: await decide(set, request, now) } };
  }
  if (list.length > maxItems) throw new BadRequest(`\`evaluations\` holds ${list.length} items; at most ${maxItems} are allowed in one request`);
  // execute_all: every item at once (a database source answers them concurrently), in request order
  if (semantic === 'execute_all') return { items: await Promise.all(list.map((item, i) => evaluateItem(set, item, i, defaults, now))), single: undefined };
  const items: Answered[] = [];
  for (let i = 0; i < list.length; i++) {
    const answered = await evaluateItem(set, list[i], i, defaults, now);
    items.push(answered);
    if (semantic === 'deny_on_first_deny' && !answered.outcome.allow) break;
    if (semantic === 'permit_on_first_permit' && answered.outcome.allow) break;
  }
  return { items, single: undefined };
}

async function evaluateItem(set: PolicySet, item: unknown, index: number, defaults: Record<string, unknown>, now: Date): Promise<Answered> {
  const prefix = `evaluations[${index}].`;
  try {
    if (!isObject(item)) throw new BadRequest(`\`evaluations[${index}]\` must be an object`);
    const pick = (key: string): unknown => member(item, key) ?? defaults[key];
    const request = evaluation({ subject: pick('subject'), action: pick('action'), resource: pick('resource'), context: pick('context') }, prefix);
    return { request, outcome: await decide(set, request, now) };
  } catch (error) {
    if (!(error instanceof BadRequest)) throw error;
    return { request: undefined, outcome: { allow: false, code: 'invalid-request', reason: `denied: ${error.message}`, rule: undefined, role: undefined } };
  }
}

/** The response body of a batch. */
export function batchBody(result: BatchResult): unknown {
  if (result.items === undefined) return decisionBody(result.single!.outcome);
  return {
    evaluations: result.items.map((a) =>
      a.request === undefined ? { decision: false, context: { code: a.outcome.code, reason: a.outcome.reason, error: { status: 400, message: a.outcome.reason.replace(/^denied: /, '') } } } : decisionBody(a.outcome),
    ),
  };
}
