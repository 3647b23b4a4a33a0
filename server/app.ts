/**
 * The HTTP face of `policyc serve` (Fastify): the AuthZEN 1.0 endpoints, discovery, health,
 * readiness and metrics, with the transport rules of the specification ("HTTPS JSON Binding"):
 * a JSON object body with `Content-Type: application/json` (anything else is a 400 with a
 * one-line message), `X-Request-ID` echoed on every response (one is made up when absent), and a
 * denial is `200 {"decision": false}`.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { decide, decisionBody } from './decide.ts';
import type { DecisionLog } from './decision-log.ts';
import { batchBody, evaluateBatch } from './evaluations.ts';
import type { Metrics } from './metrics.ts';
import type { PolicySet } from './policy-set.ts';
import { BadRequest, bodyObject, evaluation, member } from './request.ts';
import { search, type SearchKind } from './search.ts';
import type { TokenCheck } from './auth.ts';

/** The version being served and the last reload error, swapped whole by reload.ts. */
export interface Live {
  set: PolicySet;
  reloadError: string | undefined;
}

export interface AppLimits {
  /** Largest request body in bytes (413 above). */
  readonly bodyLimit: number;
  /** Most items in one `evaluations` list (400 above). */
  readonly maxEvaluations: number;
  readonly defaultPageSize: number;
  /** Largest `page.limit` of a search (400 above). */
  readonly maxPageSize: number;
  /** Most milliseconds to receive a whole request (408 after). */
  readonly requestTimeout: number;
}

export interface AppOptions {
  readonly live: Live;
  readonly limits: AppLimits;
  readonly metrics: Metrics;
  readonly log: DecisionLog;
  readonly tokens: TokenCheck | undefined;
  /** The PDP identifier for discovery; default: the URL the request was sent to. */
  readonly publicUrl: string | undefined;
  /** Serve HTTPS (the specification's binding) with this certificate and key, PEM. */
  readonly tls: { readonly cert: Buffer; readonly key: Buffer } | undefined;
}

const ENDPOINTS = {
  access_evaluation_endpoint: '/access/v1/evaluation',
  access_evaluations_endpoint: '/access/v1/evaluations',
  search_subject_endpoint: '/access/v1/search/subject',
  search_resource_endpoint: '/access/v1/search/resource',
  search_action_endpoint: '/access/v1/search/action',
} as const;

/** Paths answered without a token: probes and discovery carry no decision. */
const PUBLIC = new Set(['/healthz', '/readyz', '/.well-known/authzen-configuration']);

export function buildApp(options: AppOptions): FastifyInstance {
  const { live, limits, metrics, log } = options;
  const app = Fastify({
    bodyLimit: limits.bodyLimit,
    // Node checks request timeouts every `connectionsCheckingInterval` (30 s by default): check
    // often enough that a slow client is cut close to the limit (408 Request Timeout)
    serverFactory: (handler) => {
      const timeouts = { requestTimeout: limits.requestTimeout, connectionsCheckingInterval: Math.min(1000, limits.requestTimeout), headersTimeout: limits.requestTimeout };
      return (options.tls === undefined ? createServer(timeouts, handler) : createTlsServer({ ...timeouts, cert: options.tls.cert, key: options.tls.key }, handler)) as ReturnType<typeof createServer>;
    },
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    return503OnClosing: true,
    logger: false,
  });

  // any other content type is a 400 (the specification's "Bad Request"), not Fastify's 415
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', (_request, _payload, done) => done(new BadRequest('the request `Content-Type` must be `application/json`'), undefined));

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (options.tokens !== undefined && !PUBLIC.has(request.url.split('?')[0]!) && !options.tokens(request.headers.authorization)) {
      reply.header('www-authenticate', 'Bearer');
      return reply.code(401).type('text/plain; charset=utf-8').send('a valid bearer token is required');
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.latency(request.routeOptions.url ?? 'none', reply.statusCode, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
    const [status, message] = errorAnswer(error, limits);
    if (status >= 500) console.error(error);
    return reply.code(status).type('text/plain; charset=utf-8').send(message);
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).type('text/plain; charset=utf-8').send(`no endpoint \`${request.method} ${request.url.split('?')[0]}\``));

  const answer = (reply: FastifyReply, body: unknown) => reply.code(200).type('application/json; charset=utf-8').send(body);

  app.post(ENDPOINTS.access_evaluation_endpoint, async (request, reply) => {
    const set = live.set;
    const body = bodyObject(request.body);
    const start = performance.now();
    const e = evaluation({ subject: member(body, 'subject'), action: member(body, 'action'), resource: member(body, 'resource'), context: member(body, 'context') });
    const outcome = await decide(set, e, new Date());
    metrics.decision(outcome.allow, outcome.code);
    log({ requestId: request.id, request: e, outcome, policy: set.hash, ms: performance.now() - start });
    return answer(reply, decisionBody(outcome));
  });

  app.post(ENDPOINTS.access_evaluations_endpoint, async (request, reply) => {
    const set = live.set;
    const start = performance.now();
    const result = await evaluateBatch(set, bodyObject(request.body), limits.maxEvaluations, new Date());
    const ms = performance.now() - start;
    for (const a of result.items ?? [result.single!]) {
      metrics.decision(a.outcome.allow, a.outcome.code);
      log({ requestId: request.id, request: a.request, outcome: a.outcome, policy: set.hash, ms });
    }
    return answer(reply, batchBody(result));
  });

  for (const kind of ['subject', 'resource', 'action'] as const satisfies readonly SearchKind[]) {
    app.post(`/access/v1/search/${kind}`, async (request, reply) => {
      const limitsOfSearch = { defaultPageSize: limits.defaultPageSize, maxPageSize: limits.maxPageSize };
      return answer(reply, await search(live.set, kind, bodyObject(request.body), limitsOfSearch, new Date()));
    });
  }

  app.get('/.well-known/authzen-configuration', async (request, reply) => {
    const base = (options.publicUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');
    const metadata: Record<string, string> = { policy_decision_point: base };
    for (const [key, path] of Object.entries(ENDPOINTS)) metadata[key] = base + path;
    return answer(reply, metadata);
  });

  app.get('/healthz', async (_request, reply) => answer(reply, { status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const body: Record<string, string> = { status: 'ready', policy: live.set.name, hash: live.set.hash };
    if (live.reloadError !== undefined) body.reloadError = live.reloadError;
    return answer(reply, body);
  });
  app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  return app;
}

/** Status and one-line message for an error thrown while reading or answering a request. */
function errorAnswer(error: Error & { statusCode?: number; code?: string }, limits: AppLimits): [number, string] {
  if (error instanceof BadRequest) return [400, error.message];
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return [413, `the request body is larger than ${limits.bodyLimit} bytes`];
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return [400, 'the request body is empty'];
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return [400, 'the request `Content-Length` does not match its body'];
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return [400, 'the request `Content-Type` must be `application/json`'];
  }
  const status = error.statusCode ?? 500;
  if (status === 400) return [400, 'the request body is not valid JSON'];
  if (status >= 400 && status < 500) return [status, String(error.message).split('\n')[0]!.toLowerCase()];
  return [500, 'internal error'];
}

