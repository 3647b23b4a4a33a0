/**
 * The Search APIs (Authorization API 1.0, "Search APIs"): which subjects, resources or actions
 * a request would permit. Subjects come from the directory and are decided one by one; resources
 * come from the record source through the policy's query plan (the same plan `toSql` prints;
 * a `recheck` plan is checked record by record); actions from the policy. Unknown input entities
 * and unknown types give `results: []` (certification C-4-6). Results are in id order (actions:
 * in the policy's order) and paged with opaque tokens.
 */
import { contextOf, principalOf, resourceOf } from './decide.ts';
import { decodeToken, encodeToken, requestDigest } from './page-token.ts';
import type { PolicySet } from './policy-set.ts';
import { action, context, entity, member, page } from './request.ts';
import { canAny, planAny, rechecks } from '@policyc/runtime';

export type SearchKind = 'subject' | 'resource' | 'action';

export interface SearchLimits {
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
}

export interface SearchResponse {
  readonly page: { readonly next_token: string; readonly count: number };
  readonly results: readonly Record<string, string>[];
}

/** How many candidates are fetched from a source at a time while a page fills. */
const BATCH = 256;
/**
 * Most subjects decided for one page: a search that finds few matches in a large directory
 * answers a shorter page (possibly empty) with a token to continue, rather than scanning on.
 */
export const SCAN_BUDGET = 10_000;

export async function search(set: PolicySet, kind: SearchKind, body: Record<string, unknown>, limits: SearchLimits, now: Date): Promise<SearchResponse> {
  const subject = entity(member(body, 'subject'), 'subject', kind === 'subject' ? 'ignored' : 'required');
  const act = kind === 'action' ? undefined : action(member(body, 'action'), 'action');
  const resource = entity(member(body, 'resource'), 'resource', kind === 'resource' ? 'ignored' : 'required');
  const ctx = contextOf(context(member(body, 'context'), 'context'), act?.properties, now);
  const paging = page(body, limits.maxPageSize);
  const digest = requestDigest(kind, body);
  const position = paging.token === undefined ? undefined : decodeToken(paging.token, digest);
  const limit = paging.limit ?? position?.limit ?? limits.defaultPageSize;
  const after = position?.after;

  // one more than the page, to know whether another page follows
  let found: { id: string; result: Record<string, string> }[] = [];
  /** Set when the scan budget ran out: the last subject decided, where the next page starts. */
  let scannedTo: string | undefined;
  if (kind === 'subject') {
    const record = await resourceOf(set, { type: resource.type, id: resource.id!, properties: resource.properties });
    if (record !== undefined) {
      let cursor = after;
      let scanned = 0;
      scan: while (found.length <= limit) {
        const batch = await set.subjects.page(subject.type, cursor, BATCH);
        for (const s of batch) {
          if (canAny(set.checker, s.principal, act!.name, record, ctx).allow) found.push({ id: s.id, result: { type: subject.type, id: s.id } });
          if (++scanned >= SCAN_BUDGET && found.length <= limit) {
            scannedTo = s.id;
            break scan;
          }
        }
        if (batch.length < BATCH) break;
        cursor = batch[batch.length - 1]!.id;
      }
    }
  } else if (kind === 'resource') {
    const principal = await principalOf(set, { type: subject.type, id: subject.id!, properties: subject.properties });
    if (principal != null && set.kinds.has(resource.type) && set.records.has(resource.type)) {
      const plan = planAny(set.checker, principal, act!.name, resource.type, ctx);
      let cursor = after;
      while (found.length <= limit && plan.result !== 'never') {
        const batch = await set.records.search(resource.type, plan, cursor, BATCH);
        for (const r of batch) {
          const keep = !rechecks(plan) || canAny(set.checker, principal, act!.name, { ...r.attributes, kind: resource.type, id: r.id }, ctx).allow;
          if (keep) found.push({ id: r.id, result: { type: resource.type, id: r.id } });
        }
        if (batch.length < BATCH) break;
        cursor = batch[batch.length - 1]!.id;
      }
    }
  } else {
    const principal = await principalOf(set, { type: subject.type, id: subject.id!, properties: subject.properties });
    const record = principal == null ? undefined : await resourceOf(set, { type: resource.type, id: resource.id!, properties: resource.properties });
    const actions = set.kinds.get(resource.type)?.actions ?? [];
    if (principal != null && record !== undefined) {
      const start = after === undefined ? 0 : actions.indexOf(after) + 1;
      for (const name of actions.slice(start)) if (canAny(set.checker, principal, name, record, ctx).allow) found.push({ id: name, result: { name } });
    }
  }
  if (after !== undefined && kind !== 'action') found = found.filter((f) => f.id > after);
  const results = found.slice(0, limit);
  const more = found.length > limit && limit > 0;
  const last = results[results.length - 1]?.id ?? after;
  let next = more || (limit === 0 && found.length > 0) ? encodeToken({ after: last ?? '', limit }, digest) : '';
  if (scannedTo !== undefined && !more) next = encodeToken({ after: scannedTo, limit }, digest);
  return { page: { next_token: next, count: results.length }, results: results.map((f) => f.result) };
}
