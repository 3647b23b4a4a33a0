/**
 * The decision log: one JSON line per decision (pino) with the request id, the subject, action
 * and resource (ids only — never properties, context or tokens), the decision, its code, the
 * rule's `file:line:column`, the policy hash and the latency. Ids are cut at 256 characters.
 */
import pino, { type Logger } from 'pino';
import type { Outcome } from './decide.ts';
import type { Evaluation } from './request.ts';

export type DecisionLog = (entry: { requestId: string; request: Evaluation | undefined; outcome: Outcome; policy: string; ms: number }) => void;

const cut = (s: string): string => (s.length > 256 ? `${s.slice(0, 256)}…` : s);

/** `stdout`, `stderr`, a file path, or `false` for no log. */
export type LogDestination = 'stdout' | 'stderr' | string | false;

export function createDecisionLog(destination: LogDestination): { log: DecisionLog; logger: Logger | undefined; flush(): void } {
  if (destination === false) return { log: () => {}, logger: undefined, flush: () => {} };
  const stream = destination === 'stdout' ? pino.destination(1) : destination === 'stderr' ? pino.destination(2) : pino.destination({ dest: destination, sync: true, mkdir: true });
  const logger = pino({ base: null, messageKey: 'msg', timestamp: pino.stdTimeFunctions.isoTime }, stream);
  const log: DecisionLog = ({ requestId, request, outcome, policy, ms }) => {
    logger.info({
      requestId: cut(requestId),
      subject: request === undefined ? undefined : cut(`${request.subject.type}:${request.subject.id}`),
      action: request === undefined ? undefined : cut(request.action.name),
      resource: request === undefined ? undefined : cut(`${request.resource.type}:${request.resource.id}`),
      decision: outcome.allow,
      code: outcome.code,
      rule: outcome.rule,
      role: outcome.role,
      policy,
      ms: Math.round(ms * 1000) / 1000,
    }, 'decision');
  };
  return { log, logger, flush: () => stream.flushSync?.() };
}
