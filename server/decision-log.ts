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

/** How long a line may wait in the buffer before it is written. */
const FLUSH_MS = 1000;

/**
 * Lines are buffered (4 KiB) and written asynchronously — a batch of 100 decisions is one write,
 * not 100 — and flushed at least every second and on close.
 */
export function createDecisionLog(destination: LogDestination): { log: DecisionLog; logger: Logger | undefined; close(): Promise<void> } {
  if (destination === false) return { log: () => {}, logger: undefined, close: async () => {} };
  const dest = destination === 'stdout' ? 1 : destination === 'stderr' ? 2 : destination;
  const stream = pino.destination({ dest, sync: false, minLength: 4096, mkdir: typeof dest === 'string' });
  const timer = setInterval(() => {
    try {
      stream.flush();
    } catch {
      // not open yet: the next tick writes it
    }
  }, FLUSH_MS);
  timer.unref();
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
  const close = async (): Promise<void> => {
    clearInterval(timer);
    await new Promise<void>((resolve) => {
      try {
        stream.flush(() => resolve());
      } catch {
        resolve();
      }
    });
  };
  return { log, logger, close };
}
