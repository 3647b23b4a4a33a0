/**
 * Prometheus metrics of one server (`GET /metrics`), in a registry of its own so several servers
 * in one process (tests, workers) never share counters: decisions by result and code, request
 * latency by route, the served policy's hash as an info metric, reloads and reload failures.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  decision(allow: boolean, code: string): void;
  latency(route: string, status: number, seconds: number): void;
  policy(name: string, hash: string): void;
  reloaded(ok: boolean): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'policyc_' });
  const decisions = new Counter({ name: 'policyc_decisions_total', help: 'Decisions made, by result and decision code', labelNames: ['decision', 'code'], registers: [registry] });
  const latency = new Histogram({
    name: 'policyc_request_duration_seconds',
    help: 'Time from request to response, by route and status',
    labelNames: ['route', 'status'],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const info = new Gauge({ name: 'policyc_policy_info', help: 'The served policy set (1 for the version served)', labelNames: ['policy', 'hash'], registers: [registry] });
  const reloads = new Counter({ name: 'policyc_reloads_total', help: 'Policy reloads, by result', labelNames: ['result'], registers: [registry] });
  const failures = new Counter({ name: 'policyc_reload_failures_total', help: 'Reloads that failed (the previous version stays served)', registers: [registry] });
  // one labelled child per (result, code), looked up once: a batch counts 100 decisions per request
  const children = new Map<string, { inc(): void }>();
  return {
    registry,
    decision: (allow, code) => {
      const key = `${allow ? 'allow' : 'deny'} ${code}`;
      let child = children.get(key);
      if (child === undefined) {
        child = decisions.labels({ decision: allow ? 'allow' : 'deny', code });
        children.set(key, child);
      }
      child.inc();
    },
    latency: (route, status, seconds) => latency.observe({ route, status: String(status) }, seconds),
    policy: (name, hash) => {
      info.reset();
      info.set({ policy: name, hash }, 1);
    },
    reloaded: (ok) => {
      reloads.inc({ result: ok ? 'ok' : 'failed' });
      if (!ok) failures.inc();
    },
  };
}
